import { bothLocales, messages } from '../i18n/index.ts';
import { describeDeliveryOptions, DELIVERY_OPTIONS, readDeliveryOptions } from './delivery-option-args.ts';
import type { CommandDeps } from './deps.ts';
import { checkPostingTarget } from './posting-checks.ts';
import { readScheduleArgs } from './schedule-args.ts';
import { requesterOf, resolveTarget, sameDestination } from './target.ts';
import type { CommandDefinition } from './types.ts';

/**
 * `/subscribe [channel] [time] [tz] [role] [silent] [wordcloud] [language] [layout] [tag] [publish]`: the
 * daily digest goes to this chat, thread, forum topic, forum or announcement channel (or the chosen
 * channel). Subscribing again only changes the time and the delivery options given; the others are
 * kept (see /settings). Where the bot cannot post (a permission missing) nothing is stored and the
 * reply says which permission; `tag` names one of the forum's tags.
 */
export function subscribeCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'subscribe',
    description: bothLocales((m) => m.commands.subscribe),
    options: [
      { name: 'channel', type: 'channel', required: false, description: bothLocales((m) => m.options.subscribeChannel) },
      { name: 'time', type: 'string', required: false, description: bothLocales((m) => m.options.time) },
      { name: 'tz', type: 'string', required: false, description: bothLocales((m) => m.options.tz) },
      ...DELIVERY_OPTIONS,
    ],
    permission: 'manage',
    async run(args, context) {
      const m = messages(context.locale);
      const schedule = readScheduleArgs(args, deps.timezone, m);
      const options = readDeliveryOptions(args, context, m);
      const target = resolveTarget(args, context);
      const isHere = sameDestination(target, context.destination);
      const place = isHere ? m.places.here : m.places.thatChannel;
      const scheduleText = schedule ? m.subscribe.schedule(schedule.time, schedule.timezone) : null;

      const existing = await deps.store.getSubscription(target);
      const withImage = options.wordcloud ?? existing?.options.wordcloud ?? true;
      const checked = await checkPostingTarget(args, context, target, place, { requirePosting: true, withImage }, m);
      if (checked.forumTagId !== undefined) options.forumTagId = checked.forumTagId;
      const optionsGiven = Object.keys(options).length > 0;
      if (existing?.active && schedule === null && !optionsGiven) {
        return { kind: 'text', text: m.subscribe.alreadySubscribed(place, null) };
      }
      // Already active and only options given: the schedule stays as it is.
      const keepSchedule = existing?.active === true && schedule === null;
      const saved = await deps.store.subscribe({
        ...target,
        guildId: context.guildId,
        // The chat title describes where the command was issued, not a channel picked by id.
        ...(isHere ? { title: context.chatTitle } : {}),
        subscribedBy: requesterOf(context),
        ...(keepSchedule ? {} : { timeOfDay: schedule?.time ?? null, timezone: schedule?.timezone ?? null }),
        ...(optionsGiven ? { options } : {}),
      });
      const text = existing?.active
        ? schedule === null
          ? m.settings.changed(place)
          : m.subscribe.alreadySubscribed(place, scheduleText)
        : m.subscribe.subscribed(place, scheduleText);
      const settings = optionsGiven ? describeDeliveryOptions(saved.options, context, m, checked.tagName) : [];
      return { kind: 'text', text: [text, ...settings].join('\n') };
    },
  };
}

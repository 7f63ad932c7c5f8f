import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import { readScheduleArgs } from './schedule-args.ts';
import { requesterOf, resolveTarget, sameDestination } from './target.ts';
import type { CommandDefinition } from './types.ts';

/**
 * `/subscribe [channel] [time] [tz]`: the daily digest goes to this chat, thread or forum topic
 * (or the chosen channel). Subscribing again only changes the time, if one is given.
 */
export function subscribeCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'subscribe',
    description: bothLocales((m) => m.commands.subscribe),
    options: [
      { name: 'channel', type: 'channel', required: false, description: bothLocales((m) => m.options.subscribeChannel) },
      { name: 'time', type: 'string', required: false, description: bothLocales((m) => m.options.time) },
      { name: 'tz', type: 'string', required: false, description: bothLocales((m) => m.options.tz) },
    ],
    permission: 'manage',
    async run(args, context) {
      const m = messages(context.locale);
      const schedule = readScheduleArgs(args, deps.timezone, m);
      const target = resolveTarget(args, context);
      const isHere = sameDestination(target, context.destination);
      const place = isHere ? m.places.here : m.places.thatChannel;
      const scheduleText = schedule ? m.subscribe.schedule(schedule.time, schedule.timezone) : null;

      const existing = await deps.store.getSubscription(target);
      if (existing?.active && schedule === null) {
        return { kind: 'text', text: m.subscribe.alreadySubscribed(place, null) };
      }
      await deps.store.subscribe({
        ...target,
        guildId: context.guildId,
        // The chat title describes where the command was issued, not a channel picked by id.
        ...(isHere ? { title: context.chatTitle } : {}),
        subscribedBy: requesterOf(context),
        timeOfDay: schedule?.time ?? null,
        timezone: schedule?.timezone ?? null,
      });
      const text = existing?.active
        ? m.subscribe.alreadySubscribed(place, scheduleText)
        : m.subscribe.subscribed(place, scheduleText);
      return { kind: 'text', text };
    },
  };
}

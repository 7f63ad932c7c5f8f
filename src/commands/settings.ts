import { bothLocales, messages } from '../i18n/index.ts';
import { describeDeliveryOptions, DELIVERY_OPTIONS, readDeliveryOptions } from './delivery-option-args.ts';
import type { CommandDeps } from './deps.ts';
import { checkPostingTarget } from './posting-checks.ts';
import { resolveTarget, sameDestination } from './target.ts';
import type { CommandDefinition } from './types.ts';

/**
 * `/settings [channel] [role] [silent] [wordcloud] [language] [layout] [tag] [publish]`: without options,
 * shows how the digest is delivered here; with options, changes those (the others are kept). Needs
 * the same right as /subscribe. A chat that is not subscribed is told so, and nothing is stored.
 * `tag` names one of the forum's tags (resolved as /subscribe does).
 */
export function settingsCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'settings',
    description: bothLocales((m) => m.commands.settings),
    options: [
      { name: 'channel', type: 'channel', required: false, description: bothLocales((m) => m.options.subscribeChannel) },
      ...DELIVERY_OPTIONS,
    ],
    permission: 'manage',
    async run(args, context) {
      const m = messages(context.locale);
      const target = resolveTarget(args, context);
      const place = sameDestination(target, context.destination) ? m.places.here : m.places.thatChannel;
      const changes = readDeliveryOptions(args, context, m);
      const checked = await checkPostingTarget(args, context, target, place, { requirePosting: false, withImage: true }, m);
      if (checked.forumTagId !== undefined) changes.forumTagId = checked.forumTagId;
      const subscription =
        Object.keys(changes).length === 0
          ? await deps.store.getSubscription(target)
          : await deps.store.setSubscriptionOptions(target, changes);
      if (!subscription?.active) return { kind: 'text', text: m.settings.notSubscribed(place), ephemeral: true };
      const heading = Object.keys(changes).length === 0 ? m.settings.heading(place) : m.settings.changed(place);
      return { kind: 'text', text: [heading, ...describeDeliveryOptions(subscription.options, context, m, checked.tagName)].join('\n'), ephemeral: true };
    },
  };
}

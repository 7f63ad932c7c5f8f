import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import { requesterOf, resolveTarget, sameDestination } from './target.ts';
import type { CommandDefinition } from './types.ts';

/** `/unsubscribe [channel]`: stops the daily digest here (or in the chosen channel). */
export function unsubscribeCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'unsubscribe',
    description: bothLocales((m) => m.commands.unsubscribe),
    options: [
      { name: 'channel', type: 'channel', required: false, description: bothLocales((m) => m.options.unsubscribeChannel) },
    ],
    permission: 'manage',
    async run(args, context) {
      const m = messages(context.locale);
      const target = resolveTarget(args, context);
      const place = sameDestination(target, context.destination) ? m.places.here : m.places.thatChannel;
      const removed = await deps.store.unsubscribe(target, `unsubscribed by ${requesterOf(context)}`);
      return { kind: 'text', text: removed ? m.unsubscribe.unsubscribed(place) : m.unsubscribe.notSubscribed(place) };
    },
  };
}

import type { PlatformName } from '../words.ts';
import type { CommandRouter } from './types.ts';

/**
 * The same router, timing every command from the moment an adapter hands it over until its reply
 * is ready (the adapter then posts it), for `digest_command_duration_seconds`. Failures are timed
 * too: the router turns them into replies. A name the router does not define (typed by a user on
 * Telegram) is observed as `other`, so the metric's label values stay the router's command names
 * however many names users invent.
 */
export function timeCommands(
  router: CommandRouter,
  observe: (platform: PlatformName, command: string, seconds: number) => void,
): CommandRouter {
  const known = new Set<string>(router.definitions.map((definition) => definition.name));
  return {
    definitions: router.definitions,
    autocompleteDates: (typed, limit) => router.autocompleteDates(typed, limit),
    async handle(name, args, context) {
      const started = performance.now();
      try {
        return await router.handle(name, args, context);
      } finally {
        observe(context.platform, known.has(name) ? name : 'other', (performance.now() - started) / 1000);
      }
    },
  };
}

import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import type { CommandDefinition } from './types.ts';

/** How many dates `/dates` lists; the total is always given. Well inside every platform's text limit. */
export const DATES_SHOWN = 30;

/** `/dates`: the most recent report dates, newest first, with how many there are in all. */
export function datesCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'dates',
    description: bothLocales((m) => m.commands.dates),
    options: [],
    permission: 'anyone',
    async run(_args, context) {
      const m = messages(context.locale);
      const all = deps.library.dates();
      if (all.length === 0) return { kind: 'text', text: m.dates.none };
      const shown = all.slice(0, DATES_SHOWN);
      return { kind: 'text', text: [m.dates.heading(shown.length, all.length), ...shown].join('\n') };
    },
  };
}

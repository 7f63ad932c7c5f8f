import type { Messages } from '../i18n/index.ts';
import type { CommandName } from './types.ts';

/** Commands in the order help lists them. */
const ORDER: readonly CommandName[] = [
  'report',
  'latest',
  'search',
  'dates',
  'subscribe',
  'unsubscribe',
  'settings',
  'repost',
  'status',
  'help',
  'start',
];

/** The command list with usage, in the user's language; /start adds the introduction. */
export function buildHelpText(m: Messages, timezone: string, options: { intro: boolean }): string {
  const lines = ORDER.map((name) => m.help.lines[name]);
  return [
    ...(options.intro ? [m.help.intro, ''] : []),
    m.help.heading,
    ...lines,
    '',
    m.help.dateForms(timezone),
  ].join('\n');
}

import type { CommandArgs, CommandDefinition, CommandOption } from '../../commands/types.ts';

/** A command as typed in Telegram: its name and the arguments we could read from the rest. */
export interface ParsedCommand {
  name: string;
  args: CommandArgs;
}

const TIME = /^\d{1,2}:\d{2}$/;
const DATE_WORDS = new Set(['today', 'yesterday', '今天', '昨天']);
/** IANA zone names (`Europe/Berlin`, `UTC`, `Etc/GMT+8`): letters first, no digits-only parts. */
const TIMEZONE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
/** A chat id typed to act on another chat (`/subscribe -1001234567890`). */
const CHAT_ID = /^-\d{5,}$/;
/** `name:value` or `name=value` with an option name, e.g. `time:08:30`. */
const NAMED = /^([A-Za-z_]+)[:=](.+)$/;

/**
 * Reads `/name[@bot] arg…` from a message's text. Returns null when the text is not a command, or
 * is addressed to another bot (`/report@other_bot` in a group with several bots).
 *
 * Telegram has no typed options, so arguments are recognised by shape and given only to options
 * the command declares: `all`, a time of day (`08:30`), a chat id, a date (`2026-01-03`,
 * `20260103`, `2026/1/3`, `today`), a timezone (`Europe/Berlin`). A token that fits nothing fills
 * the command's first free text option, so the command can explain what is wrong with it rather
 * than the argument vanishing silently.
 */
export function parseCommandText(
  text: string,
  botUsername: string,
  definitions: readonly CommandDefinition[],
): ParsedCommand | null {
  const match = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return null;
  const [, rawName = '', addressee, rest = ''] = match;
  if (addressee !== undefined && addressee.toLowerCase() !== botUsername.toLowerCase()) return null;
  const name = rawName.toLowerCase();
  // `/report_20260103`: the tappable command link a search result carries.
  const dated = /^report_(\d{8})$/.exec(name);
  if (dated) return { name: 'report', args: { date: dated[1]! } };
  const declared = new Set<CommandOption['name']>(definitions.find((d) => d.name === name)?.options.map((o) => o.name) ?? []);
  // Free text (`/search Claude Code`): the whole rest, as typed.
  if (declared.has('query')) return { name, args: rest.trim() === '' ? {} : { query: rest.trim() } };
  return { name, args: readArgs(rest.split(/\s+/).filter((t) => t !== ''), declared) };
}

function readArgs(tokens: string[], declared: Set<CommandOption['name']>): CommandArgs {
  const args: CommandArgs = {};
  const leftovers: string[] = [];
  for (const token of tokens) {
    const lower = token.toLowerCase();
    // The help text (and Discord) name options explicitly: `time:08:30 tz:Europe/Berlin date:2026-01-03`.
    const named = NAMED.exec(token);
    const option = named?.[1]?.toLowerCase() as CommandOption['name'] | undefined;
    if (named && option && declared.has(option) && option !== 'all') {
      args[option] = named[2] ?? '';
      continue;
    }
    if (declared.has('all') && lower === 'all' && args.all === undefined) args.all = true;
    else if (declared.has('time') && TIME.test(token) && args.time === undefined) args.time = token;
    else if (declared.has('channel') && CHAT_ID.test(token) && args.channel === undefined) args.channel = token;
    else if (declared.has('date') && looksLikeDate(lower) && args.date === undefined) args.date = token;
    else if (declared.has('tz') && TIMEZONE.test(token) && !DATE_WORDS.has(lower) && args.tz === undefined) args.tz = token;
    else leftovers.push(token);
  }
  for (const token of leftovers) {
    if (declared.has('date') && args.date === undefined) args.date = token;
    else if (declared.has('time') && args.time === undefined) args.time = token;
    else if (declared.has('tz') && args.tz === undefined) args.tz = token;
  }
  return args;
}

function looksLikeDate(token: string): boolean {
  return DATE_WORDS.has(token) || /^\d/.test(token);
}

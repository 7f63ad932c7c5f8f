import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readDeliveryOptions } from '../commands/delivery-option-args.ts';
import { CommandInputError } from '../commands/input-error.ts';
import { loadConfig } from '../config.ts';
import { readScheduleArgs, type ScheduleChoice } from '../commands/schedule-args.ts';
import { messages } from '../i18n/index.ts';
import type { Destination, PlatformName } from '../words.ts';
import { openBackendForCli } from '../backend/open-backend.ts';
import type { Store, Subscription, SubscriptionOptions } from '../store/store.ts';
import type { CliCommand, CliIo } from './io.ts';
import { applyAdd, describe, describeSchedule, type AddRequest } from './subs-add.ts';
import { importSubscriptions } from './subs-import.ts';
import { resolveTagForCli } from './subs-tag.ts';
import { parseCliArgs, UsageError } from './parse-cli-args.ts';

const USAGE = [
  'usage: digest subs add <discord|telegram> <id> [--thread <id>] [--time HH:MM [--tz ZONE]] [--role <id|none>]',
  '                      [--silent on|off] [--wordcloud on|off] [--language zh|en|default] [--collapse|--no-collapse]',
  '                      [--tag <forum tag name|none>] [--publish | --no-publish]',
  '                      [--layout components|embeds|default]',
  '       digest subs import FILE|-',
  '       digest subs remove <discord|telegram> <id> [--thread <id>]',
  '       digest subs list [--json]',
].join('\n');

const HELP = `${USAGE}

Manages the subscriptions in the bot's database: PostgreSQL when DATABASE_URL is set, otherwise
the SQLite file at DATABASE_PATH (config databasePath); both read from .env as \`npm start\` does.
Safe to run while the bot runs: both share the same database.

  add     subscribe a Discord channel/thread or a Telegram chat/forum topic (or reactivate it);
          --time HH:MM [--tz ZONE] its own daily time (as /subscribe; the zone defaults to the
          configured timezone); with delivery options (as /settings), set those on it, new or
          already active: --role (Discord only) --silent --wordcloud --language;
          Telegram only: --collapse / --no-collapse, the points' details folded or in full;
          Discord only: --tag NAME, the forum tag each post in a forum or media channel gets
          (looked up by name in the channel's tags with DISCORD_TOKEN; an unknown name is
          refused listing the tags there are; none removes it), --publish / --no-publish,
          whether each digest is published in an announcement channel (default: published)
          Discord only: --layout components|embeds|default, the digest's layout (default: discord.layout)
  import  many at once, from FILE or standard input (-): one subscription a line,
          "<platform> <id> [options as for add]" ('#' starts a comment); prints per line whether
          it was added, updated, unchanged or refused; exits 1 when any line was refused
  remove  deactivate it; exits 0 even when it was not subscribed, so scripts can ensure absence
  list    every subscription, active or not; --json prints one JSON array of
          { "platform", "chatId", "threadId", "active", "reason",
            "options": { "mentionRoleId", "silent", "wordcloud", "language", "layout", … } } with ids
          as strings (mentionRoleId, language and layout null when not set: no mention, the default
          language zh, the configured discord.layout)

Ids: Discord ids are digits; Telegram chat ids may start with '-' (e.g. -1001234567890);
--thread takes a Discord thread id or a Telegram forum topic id (digits).
Exit codes: 0 done, 1 bad usage or a database/config error.
`;

const ID_PATTERNS: Record<PlatformName, RegExp> = {
  discord: /^\d{1,20}$/,
  telegram: /^-?\d{1,20}$/,
};
const THREAD_PATTERN = /^\d{1,20}$/;

const OPTIONS = {
  thread: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  time: { type: 'string' },
  tz: { type: 'string' },
  role: { type: 'string' },
  silent: { type: 'string' },
  wordcloud: { type: 'string' },
  language: { type: 'string' },
  layout: { type: 'string' },
  collapse: { type: 'boolean' },
  'no-collapse': { type: 'boolean' },
  tag: { type: 'string' },
  publish: { type: 'boolean' },
  'no-publish': { type: 'boolean' },
} as const;

/** The chat syntax of shared explanations (`for example silent:off`) as flags (`--silent off`). */
export function asFlags(text: string): string {
  return text.replace(/\b(time|tz|role|silent|wordcloud|language|layout|tag|publish):(\S+?)(?=[.,;]?(\s|$))/g, '--$1 $2');
}

interface Parsed {
  action: string | undefined;
  positionals: string[];
  thread: string | undefined;
  json: boolean;
  help: boolean;
  /** Delivery options given to `add` (only those given). */
  options: Partial<SubscriptionOptions>;
  /** Whether any delivery option flag was given. */
  optionsGiven: boolean;
  /** `--time` / `--tz` as given (checked against the configured timezone once it is loaded). */
  schedule: { time?: string; tz?: string };
  /** `--tag` as given: a forum tag's name, resolved through Discord before anything is stored. */
  tag: string | undefined;
}

function parse(argv: readonly string[]): Parsed {
  const result = parseCliArgs(argv, { options: OPTIONS });
  const [action, ...positionals] = result.positionals;
  const { role, silent, wordcloud, language, layout, time, tz, tag } = result.values;
  if (result.values.collapse && result.values['no-collapse']) throw new UsageError('--collapse and --no-collapse contradict each other: give one');
  if (result.values.publish && result.values['no-publish']) throw new UsageError('--publish and --no-publish contradict each other');
  const collapse = result.values.collapse ? 'on' : result.values['no-collapse'] ? 'off' : undefined;
  const publish = result.values.publish ? 'on' : result.values['no-publish'] ? 'off' : undefined;
  const given = { role, silent, wordcloud, language, layout, collapse, publish, tag };
  const optionsGiven = Object.values(given).some((v) => v !== undefined);
  if (optionsGiven && action !== 'add') throw new UsageError('--role, --silent, --wordcloud, --language, --layout, --collapse, --tag and --publish only apply to "add"');
  if ((time !== undefined || tz !== undefined) && action !== 'add') throw new UsageError('--time and --tz only apply to "add"');
  let options: Partial<SubscriptionOptions> = {};
  if (optionsGiven) {
    const platform = positionals[0] === 'discord' ? 'discord' : 'telegram';
    const args = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Record<string, string>;
    try {
      // The same rules and explanations as /settings (a role and a layout only on Discord).
      options = readDeliveryOptions(args, { platform }, messages('en'));
    } catch (error) {
      if (error instanceof CommandInputError) throw new UsageError(asFlags(error.reply));
      throw error;
    }
  }
  const schedule = { ...(time === undefined ? {} : { time }), ...(tz === undefined ? {} : { tz }) };
  return { action, positionals, thread: result.values.thread, json: result.values.json, help: result.values.help, options, optionsGiven, schedule, tag };
}

/** `--time` / `--tz` as /subscribe reads them, or null when neither was given. */
function readSchedule(args: Parsed, timezone: string): ScheduleChoice | null {
  try {
    return readScheduleArgs(args.schedule, timezone, messages('en'));
  } catch (error) {
    if (error instanceof CommandInputError) throw new UsageError(asFlags(error.reply));
    throw error;
  }
}

function parseDestination(args: Parsed): Destination {
  if (args.json) throw new UsageError(`--json only applies to "list"`);
  const [platform, chatId, ...extra] = args.positionals;
  if (platform === undefined || chatId === undefined) throw new UsageError(`"${args.action}" needs a platform and an id`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (platform !== 'discord' && platform !== 'telegram') {
    throw new UsageError(`unknown platform "${platform}" (use discord or telegram)`);
  }
  if (!ID_PATTERNS[platform].test(chatId)) {
    throw new UsageError(
      platform === 'discord'
        ? `not a Discord channel id: "${chatId}" (digits only)`
        : `not a Telegram chat id: "${chatId}" (digits, optionally starting with '-')`,
    );
  }
  if (args.thread !== undefined && !THREAD_PATTERN.test(args.thread)) {
    throw new UsageError(`not a thread id: "${args.thread}" (digits only)`);
  }
  return { platform, chatId, threadId: args.thread ?? null };
}


/** `role 123, silent on, wordcloud off, language en` (and `layout embeds` once chosen) for the add output. */
function describeOptions(options: SubscriptionOptions): string {
  return [
    `role ${options.mentionRoleId ?? 'none'}`,
    `silent ${options.silent ? 'on' : 'off'}`,
    `wordcloud ${options.wordcloud ? 'on' : 'off'}`,
    `language ${options.language ?? 'default'}`,
    // Only once chosen, so the line reads as before for subscriptions that never chose a layout.
    ...(options.layout === null ? [] : [`layout ${options.layout}`]),
    // Only once set (Telegram): the line stays as it was for everyone else.
    ...(options.collapseDetails === null ? [] : [`collapse ${options.collapseDetails ? 'on' : 'off'}`]),
    ...(options.forumTagId !== null ? [`tag ${options.forumTagId}`] : []),
    ...(options.publish !== null ? [`publish ${options.publish ? 'on' : 'off'}`] : []),
  ].join(', ');
}

async function add(store: Store, request: AddRequest, io: CliIo): Promise<number> {
  const { destination, optionsGiven, schedule } = request;
  const { outcome, before, saved } = await applyAdd(store, request);
  const when = schedule ? describeSchedule(saved) : '';
  if (outcome === 'unchanged' || outcome === 'updated') {
    io.stdout(`already active: ${describe(destination)} (since ${before?.subscribedAt}, by ${before?.subscribedBy})${when ? `; daily${when}` : ''}\n`);
  } else {
    io.stdout(
      outcome === 'reactivated'
        ? `reactivated: ${describe(destination)}${when} (was inactive: ${before?.reason ?? 'no reason recorded'})\n`
        : `added: ${describe(destination)}${when}\n`,
    );
  }
  if (optionsGiven) io.stdout(`options: ${describeOptions(saved.options)}\n`);
  return 0;
}

async function remove(store: Store, destination: Destination, io: CliIo): Promise<number> {
  if (await store.unsubscribe(destination, 'unsubscribed by cli')) {
    io.stdout(`removed: ${describe(destination)}\n`);
    return 0;
  }
  let hint = '';
  if (destination.threadId === null) {
    // The likely mistake: the chat is subscribed only through forum topics / threads.
    const threads = (await store.listSubscriptions({ platform: destination.platform, activeOnly: true }))
      .filter((s) => s.chatId === destination.chatId && s.threadId !== null)
      .map((s) => s.threadId);
    if (threads.length > 0) hint = ` (its threads ${threads.join(', ')} are subscribed; use --thread <id>)`;
  }
  io.stdout(`no active subscription for ${describe(destination)}; nothing to do${hint}\n`);
  return 0;
}

/** Terminal columns a string takes: CJK and emoji are two wide. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1f300 && code <= 0x1faff) ||
      (code >= 0x20000 && code <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - displayWidth(cell))))
        .join('  '),
    )
    .join('\n');
}

/** Chat titles and reasons come from outside: keep each on one table line. */
const oneLine = (text: string | null) => (text ? text.replace(/\s+/g, ' ').trim() || '-' : '-');

async function list(store: Store, json: boolean, io: CliIo): Promise<number> {
  const subs = await store.listSubscriptions();
  if (json) {
    const rows = subs.map((s: Subscription) => ({
      platform: s.platform,
      chatId: s.chatId,
      threadId: s.threadId,
      active: s.active,
      reason: s.reason,
      options: { ...s.options },
    }));
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (subs.length === 0) {
    io.stdout('no subscriptions\n');
    return 0;
  }
  const table = formatTable([
    ['PLATFORM', 'CHAT', 'THREAD', 'ACTIVE', 'REASON', 'TITLE', 'SINCE'],
    ...subs.map((s) => [
      s.platform,
      s.chatId,
      s.threadId ?? '-',
      s.active ? 'yes' : 'no',
      oneLine(s.reason),
      oneLine(s.title),
      s.subscribedAt,
    ]),
  ]);
  const active = subs.filter((s) => s.active).length;
  io.stdout(`${table}\n${subs.length} subscription${subs.length === 1 ? '' : 's'}, ${active} active\n`);
  return 0;
}

/** `digest subs add|import|remove|list`: operator access to the subscriptions, on the bot's own database. */
export const subsCommand: CliCommand = async (argv, io) => {
  let args: Parsed;
  let destination: Destination | null = null;
  try {
    args = parse(argv);
    if (args.help) {
      io.stdout(HELP);
      return 0;
    }
    if (args.action === 'add' || args.action === 'remove') {
      destination = parseDestination(args);
    } else if (args.action === 'list' || args.action === 'import') {
      const expected = args.action === 'import' ? 1 : 0;
      if (args.positionals.length > expected) throw new UsageError(`unexpected argument "${args.positionals[expected]}"`);
      if (args.action === 'import' && args.positionals.length === 0) throw new UsageError('"import" needs a FILE (or - for standard input)');
      if (args.thread !== undefined) throw new UsageError('--thread only applies to "add" and "remove"');
    } else {
      throw new UsageError(args.action === undefined ? 'missing action' : `unknown action "${args.action}"`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`digest subs: ${error.message}\n${USAGE}\n`);
    return 1;
  }

  const config = loadConfig({ rootDir: io.cwd, env: io.env });
  let schedule: ScheduleChoice | null = null;
  let lines: string | null = null;
  try {
    if (args.action === 'add') schedule = readSchedule(args, config.timezone);
    if (args.action === 'add' && args.tag !== undefined && destination) {
      args.options.forumTagId = await resolveTagForCli(config.env.discordToken, config.env.discordApiBase, destination, args.tag);
    }
    if (args.action === 'import') lines = await readImportSource(args.positionals[0] ?? '-', io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`digest subs: ${error.message}\n`);
    return 1;
  }
  // Listing reads only: a missing database is reported, not created.
  // `list` only reads: a database that is not there is reported, never created.
  const backend = await openBackendForCli(config, { mustExist: args.action === 'list' });
  const { store } = backend;
  try {
    if (args.action === 'list') return await list(store, args.json, io);
    if (lines !== null) return await importSubscriptions(store, lines, (line) => parseImportLine(line, config.timezone), io);
    if (!destination) throw new Error('unreachable: no destination for add/remove');
    return await (args.action === 'add'
      ? add(store, { destination, options: args.options, optionsGiven: args.optionsGiven, schedule }, io)
      : remove(store, destination, io));
  } finally {
    await backend.close();
  }
};

/** One import line as `add` arguments: the same parser, the same explanations. */
function parseImportLine(line: string, timezone: string): AddRequest {
  const args = parse(['add', ...line.trim().split(/\s+/)]);
  // A tag is looked up on Discord, one channel at a time: `add` does that, an import does not.
  if (args.tag !== undefined) throw new UsageError('--tag only applies to "add" (it is looked up on Discord)');
  return { destination: parseDestination(args), options: args.options, optionsGiven: args.optionsGiven, schedule: readSchedule(args, timezone) };
}

/** The import's text: the file, or standard input for `-`. */
async function readImportSource(source: string, io: CliIo): Promise<string> {
  if (source === '-') {
    if (!io.readStdin) throw new UsageError('no standard input to read');
    return io.readStdin();
  }
  const file = path.resolve(io.cwd, source);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no such file: ${source}` : `cannot read ${source}: ${(error as Error).message}`);
  }
}

import { parseArgs } from 'node:util';
import { readDeliveryOptions } from '../commands/delivery-option-args.ts';
import { CommandInputError } from '../commands/input-error.ts';
import { loadConfig } from '../config.ts';
import { messages } from '../i18n/index.ts';
import type { Destination, PlatformName } from '../platforms/platform.ts';
import { openStore } from '../store/open-store.ts';
import type { Store, Subscription, SubscriptionOptions } from '../store/store.ts';
import type { CliCommand, CliIo } from './io.ts';
import { openExistingStore } from './open-existing-store.ts';

const USAGE = [
  'usage: digest subs add <discord|telegram> <id> [--thread <id>] [--role <id|none>] [--silent on|off]',
  '                      [--wordcloud on|off] [--language zh|en|default]',
  '       digest subs remove <discord|telegram> <id> [--thread <id>]',
  '       digest subs list [--json]',
].join('\n');

const HELP = `${USAGE}

Manages the subscriptions in the bot's database (config databasePath, or DATABASE_PATH).
Safe to run while the bot runs: both share the same SQLite file.

  add     subscribe a Discord channel/thread or a Telegram chat/forum topic (or reactivate it);
          with delivery options (as /settings), set those on it, new or already active:
          --role (Discord only) --silent --wordcloud --language
  remove  deactivate it; exits 0 even when it was not subscribed, so scripts can ensure absence
  list    every subscription, active or not; --json prints one JSON array of
          { "platform", "chatId", "threadId", "active", "reason",
            "options": { "mentionRoleId", "silent", "wordcloud", "language" } } with ids as strings
          (mentionRoleId and language null when not set: no mention, the default language zh)

Ids: Discord ids are digits; Telegram chat ids may start with '-' (e.g. -1001234567890);
--thread takes a Discord thread id or a Telegram forum topic id (digits).
Exit codes: 0 done, 1 bad usage or a database/config error.
`;

const ID_PATTERNS: Record<PlatformName, RegExp> = {
  discord: /^\d{1,20}$/,
  telegram: /^-?\d{1,20}$/,
};
const THREAD_PATTERN = /^\d{1,20}$/;

/** A wrong invocation: reported on stderr with the usage, exit 1. */
class UsageError extends Error {}

// parseArgs reads `-100123` as short options; shells cannot pass NUL in argv, so a NUL prefix
// safely marks negative numbers as plain values until parsing is done.
const NEGATIVE_NUMBER = /^-\d+$/;
const MARK = '\u0000';
const protect = (arg: string) => (NEGATIVE_NUMBER.test(arg) ? MARK + arg : arg);
const unprotect = (arg: string) => (arg.startsWith(MARK) ? arg.slice(MARK.length) : arg);

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
}

function parse(argv: string[]): Parsed {
  let result;
  try {
    result = parseArgs({
      args: argv.map(protect),
      allowPositionals: true,
      strict: true,
      options: {
        thread: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        role: { type: 'string' },
        silent: { type: 'string' },
        wordcloud: { type: 'string' },
        language: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [action, ...positionals] = result.positionals.map(unprotect);
  const thread = result.values.thread === undefined ? undefined : unprotect(result.values.thread);
  const { role, silent, wordcloud, language } = result.values;
  const given = { role, silent, wordcloud, language };
  const optionsGiven = Object.values(given).some((v) => v !== undefined);
  if (optionsGiven && action !== 'add') throw new UsageError('--role, --silent, --wordcloud and --language only apply to "add"');
  let options: Partial<SubscriptionOptions> = {};
  if (optionsGiven) {
    const platform = positionals[0] === 'discord' ? 'discord' : 'telegram';
    const args = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Record<string, string>;
    try {
      // The same rules and explanations as /settings (a role only on Discord).
      options = readDeliveryOptions(args, { platform }, messages('en'));
    } catch (error) {
      if (error instanceof CommandInputError) throw new UsageError(error.reply);
      throw error;
    }
  }
  return { action, positionals, thread, json: result.values.json, help: result.values.help, options, optionsGiven };
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

function describe(destination: Destination): string {
  return `${destination.platform} ${destination.chatId}${destination.threadId ? ` thread ${destination.threadId}` : ''}`;
}

/** `role 123 silent on wordcloud off language en` for the add output. */
function describeOptions(options: SubscriptionOptions): string {
  return [
    `role ${options.mentionRoleId ?? 'none'}`,
    `silent ${options.silent ? 'on' : 'off'}`,
    `wordcloud ${options.wordcloud ? 'on' : 'off'}`,
    `language ${options.language ?? 'default'}`,
  ].join(', ');
}

async function add(store: Store, destination: Destination, io: CliIo, options: Partial<SubscriptionOptions>, optionsGiven: boolean): Promise<number> {
  const before = await store.getSubscription(destination);
  if (before?.active) {
    io.stdout(`already active: ${describe(destination)} (since ${before.subscribedAt}, by ${before.subscribedBy})\n`);
    if (optionsGiven) {
      const updated = await store.setSubscriptionOptions(destination, options);
      if (updated) io.stdout(`options: ${describeOptions(updated.options)}\n`);
    }
    return 0;
  }
  const saved = await store.subscribe({ ...destination, subscribedBy: 'cli', ...(optionsGiven ? { options } : {}) });
  io.stdout(
    before
      ? `reactivated: ${describe(destination)} (was inactive: ${before.reason ?? 'no reason recorded'})\n`
      : `added: ${describe(destination)}\n`,
  );
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

/** `digest subs add|remove|list`: operator access to the subscriptions, on the bot's own database. */
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
    } else if (args.action === 'list') {
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
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
  // Listing reads only: a missing database is reported, not created.
  const { store } = await (args.action === 'list' ? openExistingStore(config) : openStore(config));
  try {
    if (args.action === 'list') return await list(store, args.json, io);
    if (!destination) throw new Error('unreachable: no destination for add/remove');
    return await (args.action === 'add'
      ? add(store, destination, io, args.options, args.optionsGiven)
      : remove(store, destination, io));
  } finally {
    await store.close();
  }
};

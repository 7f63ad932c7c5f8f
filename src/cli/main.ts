import { withDotEnv } from '../dot-env.ts';
import { errorText } from './error-text.ts';
import { processIo, type CliCommand, type CliIo } from './io.ts';

/** Subcommands load lazily so `digest check` does not pay for discord.js or the canvas. */
const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  preview: {
    summary: 'preview [DATE|FILE] [--json]   show the digest as each platform would get it',
    load: async () => (await import('./preview-command.ts')).previewCommand,
  },
  check: {
    summary: 'check [DIR]                    parse every report file and report problems',
    load: async () => (await import('./check-command.ts')).checkCommand,
  },
  subs: {
    summary: 'subs add|remove|list …         manage subscriptions in the bot database',
    load: async () => (await import('./subs-command.ts')).subsCommand,
  },
  post: {
    summary: 'post [DATE] [--platform P] [--to ID] [--repost]   deliver a digest now',
    load: async () => (await import('./post-command.ts')).postCommand,
  },
  status: {
    summary: 'status [--json]                subscriptions, recent deliveries, next due times',
    load: async () => (await import('./status-command.ts')).statusCommand,
  },
  report: {
    summary: 'report DATE                    what /report DATE answers in a chat',
    load: async () => (await import('./ask-command.ts')).reportCliCommand,
  },
  search: {
    summary: 'search WORDS…                  what /search WORDS answers in a chat',
    load: async () => (await import('./ask-command.ts')).searchCliCommand,
  },
  db: {
    summary: 'db copy <from> <to> [--merge]   copy a bot\'s database (SQLite file ↔ postgres:// URL)',
    load: async () => (await import('./db-command.ts')).dbCommand,
  },
  mcp: {
    summary: 'mcp                            serve the report archive to an AI client (MCP over stdio)',
    load: async () => (await import('./mcp-command.ts')).mcpCommand,
  },
  wordcloud: {
    summary: 'wordcloud [DATE|FILE] -o out.png   draw the word cloud for a report',
    load: async () => (await import('./wordcloud-command.ts')).wordcloudCommand,
  },
};

function usage(): string {
  return [
    'usage: digest <command> [options]',
    '',
    ...Object.values(SUBCOMMANDS).map((c) => `  digest ${c.summary}`),
    '',
  ].join('\n');
}

/** Entry point of the `digest` operator command; returns the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 1 : 0;
  }
  const entry = SUBCOMMANDS[name];
  if (!entry) {
    io.stderr(`digest: unknown command "${name}"\n${usage()}`);
    return 1;
  }
  try {
    const command = await entry.load();
    // The same .env as `npm start` reads, so both see one database and the same tokens.
    return await command(rest, { ...io, env: withDotEnv(io.env, io.cwd) });
  } catch (error) {
    // Last line of defence: a one-line reason, never a stack trace, for operators and scripts.
    io.stderr(`digest ${name}: ${errorText(error)}\n`);
    return 1;
  }
}

import type { CommandDeps } from '../commands/deps.ts';
import { CommandInputError } from '../commands/input-error.ts';
import { reportCommand } from '../commands/report.ts';
import { searchCommand } from '../commands/search.ts';
import type { CommandArgs, CommandContext, CommandDefinition } from '../commands/types.ts';
import { loadConfig } from '../config.ts';
import { createDigestBuilder } from '../digest-builder.ts';
import { messages } from '../i18n/index.ts';
import { createLogger } from '../log.ts';
import { ReportLibrary } from '../report/library.ts';
import { ReportSearch } from '../search/report-search.ts';
import { WordcloudService } from '../wordcloud/wordcloud-service.ts';
import type { CliCommand, CliIo } from './io.ts';
import { replyText } from './reply-text.ts';

/** Neither command writes or reposts: the parts of CommandDeps they never touch say so if reached. */
const NOT_FROM_THE_CLI = new Proxy({}, {
  get: () => {
    throw new Error('not available to digest report / search');
  },
}) as never;

/** Runs one chat command locally, through the same command core, and prints its reply. */
async function ask(
  name: 'report' | 'search',
  define: (deps: CommandDeps) => CommandDefinition,
  args: CommandArgs,
  io: CliIo,
): Promise<number> {
  const config = loadConfig({ rootDir: io.cwd, env: io.env });
  const logger = createLogger({ level: 'error', destination: { write: io.stderr } });
  const library = await ReportLibrary.open(config.contentDir, { imagesDir: config.imagesDir, logger });
  const images = new WordcloudService({ ...config.wordcloud, imagesDir: config.imagesDir }, logger);
  const search = name === 'search' ? new ReportSearch(library, { logger, indexThreads: config.search.indexThreads }) : undefined;
  try {
    await search?.start();
    const deps: CommandDeps = {
      library,
      digests: createDigestBuilder(config, images, library),
      store: NOT_FROM_THE_CLI,
      reposter: NOT_FROM_THE_CLI,
      ...(search ? { search } : {}),
      timezone: config.timezone,
      now: () => new Date(),
      logger,
    };
    const context: CommandContext = {
      platform: 'telegram',
      destination: { platform: 'telegram', chatId: '0', threadId: null },
      chatTitle: null,
      guildId: null,
      userId: null,
      locale: 'en',
      isPrivateChat: true,
      isOwner: false,
      canManage: async () => false,
    };
    const reply = await define(deps).run(args, context);
    io.stdout(replyText(reply, messages('en')));
    return 0;
  } catch (error) {
    // The chat's own explanation (a missing date, nearest dates), as one line.
    if (error instanceof CommandInputError) {
      io.stderr(`digest ${name}: ${error.reply.replace(/\s*\n\s*/g, '; ')}\n`);
      return 1;
    }
    throw error;
  } finally {
    await search?.stop();
    await images.close();
  }
}

const wantsHelp = (argv: string[]) => argv.includes('--help') || argv.includes('-h');

/** `digest report DATE`: what /report DATE answers in a chat. */
export const reportCliCommand: CliCommand = async (argv, io) => {
  if (wantsHelp(argv) || argv.length !== 1) {
    (wantsHelp(argv) ? io.stdout : io.stderr)('usage: digest report DATE   (2026-01-03, 20260103, 2026/1/3, today, yesterday): what /report answers\n');
    return wantsHelp(argv) ? 0 : 1;
  }
  return ask('report', reportCommand, { date: argv[0] ?? '' }, io);
};

/** `digest search WORDS…`: what /search WORDS answers in a chat. */
export const searchCliCommand: CliCommand = async (argv, io) => {
  if (wantsHelp(argv) || argv.length === 0) {
    (wantsHelp(argv) ? io.stdout : io.stderr)('usage: digest search WORDS…   full-text search over every report: what /search answers\n');
    return wantsHelp(argv) ? 0 : 1;
  }
  return ask('search', searchCommand, { query: argv.join(' ') }, io);
};

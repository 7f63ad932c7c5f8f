/**
 * The one place that wires concrete parts together: config → library → store → commands →
 * platforms → delivery → scheduler. Everything else receives its collaborators.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createCommandRouter } from './commands/router.ts';
import { loadConfig, secretsOf, type Config } from './config.ts';
import { createDelivery } from './delivery/create-delivery.ts';
import { Scheduler } from './delivery/scheduler.ts';
import { createDigestBuilder } from './digest-builder.ts';
import { ReportSearch } from './search/report-search.ts';
import { DigestError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { createPlatforms } from './platforms/create-platforms.ts';
import type { Platform } from './platforms/platform.ts';
import { ReportLibrary } from './report/library.ts';
import { printUnconfiguredHelp } from './unconfigured-help.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import { WordcloudService } from './wordcloud/wordcloud-service.ts';

function loadDotEnv(rootDir: string): void {
  const file = path.join(rootDir, '.env');
  // process.loadEnvFile exists from Node 20.12; variables already in the environment win.
  if (existsSync(file) && typeof process.loadEnvFile === 'function') process.loadEnvFile(file);
}

function waitForShutdownSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      logger.info({ event: 'shutdown', signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

/**
 * Draws the word clouds of the newest `count` reports ahead of time, newest first and one at a
 * time (the service queues them), so `/report` for recent days carries its picture: commands never
 * wait for a drawing, they use what is cached. Older days are drawn the first time someone asks
 * (that reply goes without a picture) rather than all at start: ten years of reports would be
 * minutes of CPU and a gigabyte of PNGs nobody may ever look at. Each cloud is drawn once per cache
 * folder, so later starts only check the cache. Returns a function that stops before the next one.
 */
function warmRecentReports(library: ReportLibrary, images: WordcloudService, count: number): () => void {
  let stopped = false;
  void (async () => {
    for (const entry of library.entries().slice(0, count)) {
      if (stopped) return;
      const report = await library.load(entry).catch(() => null);
      if (report === null || stopped) continue;
      images.warm([report]);
      await images.whenWarm();
    }
  })();
  return () => {
    stopped = true;
  };
}

async function run(): Promise<number> {
  loadDotEnv(process.cwd());
  const config: Config = loadConfig();
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const library = await ReportLibrary.open(config.contentDir, { imagesDir: config.imagesDir, logger });
  const images = new WordcloudService({ ...config.wordcloud, imagesDir: config.imagesDir }, logger);
  const digests = createDigestBuilder(config, images, library);

  if (!config.env.discordToken && !config.env.telegramToken) {
    await printUnconfiguredHelp({ library, digests, config, out: (text) => process.stdout.write(text) });
    await images.close();
    return 0;
  }

  const store = SqliteStore.open(config.databasePath);
  logger.info({ event: 'store.opened', path: config.databasePath }, 'database ready');
  // The router needs the reposter and the platforms need the router: the fan-out's platform table
  // is filled in right after the platforms exist, before anything is started.
  const platformTable: Partial<Record<'discord' | 'telegram', Platform>> = {};
  const { fanout } = createDelivery({ config, store, library, digests, platforms: platformTable, logger });
  // Indexed in the background, newest reports first; /search sees what is indexed so far.
  // The segmented terms are kept beside the database, so a restart need not segment ten years again.
  const searchCache = config.databasePath === ':memory:' ? null : path.join(path.dirname(config.databasePath), 'search-index.bin');
  const search = new ReportSearch(library, { logger, cacheFile: searchCache });
  void search.start().then(() => logger.info({ event: 'search.ready', reports: search.size }, 'search index built'));
  const router = createCommandRouter({
    search,
    library,
    digests,
    store,
    reposter: fanout,
    timezone: config.timezone,
    now: () => new Date(),
    logger,
  });
  Object.assign(platformTable, createPlatforms({ config, logger, router }));
  const platforms = Object.values(platformTable);
  const scheduler = new Scheduler({ fanout, store, library, config, logger });

  // Draw word clouds for new or edited reports ahead of time, off the command-answering path.
  const stopWarming = library.watch((change) => {
    const entries = [...change.added, ...change.changed];
    if (entries.length === 0) return;
    void Promise.all(entries.map((entry) => library.load(entry).catch(() => null))).then((reports) =>
      images.warm(reports.filter((report) => report !== null)),
    );
  });
  const stopWarmingRecent = warmRecentReports(library, images, config.wordcloud.warmRecent);

  for (const platform of platforms) {
    await platform.start();
    logger.info({ event: 'platform.started', platform: platform.name }, `${platform.name} started`);
  }
  await scheduler.start();
  logger.info({ event: 'scheduler.started', schedule: config.schedule, timezone: config.timezone }, 'scheduler running');

  await waitForShutdownSignal(logger);
  stopWarming();
  stopWarmingRecent();
  await search.stop();
  await scheduler.stop();
  await images.close();
  await Promise.allSettled(platforms.map((platform) => platform.stop()));
  store.close();
  return 0;
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Start-up failures (bad config, unreadable content folder, corrupt database) are operator
    // errors: one clear message, no stack trace.
    if (error instanceof DigestError) process.stderr.write(`ai-digest-bot: ${error.message}\n`);
    else process.stderr.write(`ai-digest-bot: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);

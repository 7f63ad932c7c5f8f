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
import { DigestError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { createPlatforms } from './platforms/create-platforms.ts';
import type { Platform } from './platforms/platform.ts';
import { ReportLibrary } from './report/library.ts';
import { Shutdown } from './shutdown.ts';
import { printUnconfiguredHelp } from './unconfigured-help.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import { WordcloudService } from './wordcloud/wordcloud-service.ts';

function loadDotEnv(rootDir: string): void {
  const file = path.join(rootDir, '.env');
  // process.loadEnvFile exists from Node 20.12; variables already in the environment win.
  if (existsSync(file) && typeof process.loadEnvFile === 'function') process.loadEnvFile(file);
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

async function run(shutdown: Shutdown): Promise<number> {
  loadDotEnv(process.cwd());
  const config: Config = loadConfig();
  const logger: Logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  shutdown.configure(logger, config.shutdownTimeoutSeconds * 1000);
  const library = await ReportLibrary.open(config.contentDir, { imagesDir: config.imagesDir, logger });
  const images = new WordcloudService({ ...config.wordcloud, imagesDir: config.imagesDir }, logger);
  const digests = createDigestBuilder(config, images);

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
  const { deliverer, fanout } = createDelivery({ config, store, library, digests, platforms: platformTable, logger });
  // A stop starts no new send (the start-up catch-up included); rows left unfinished stay resumable.
  shutdown.onRequest(() => deliverer.stop());
  shutdown.beforeForcedExit(() => store.close());
  const router = createCommandRouter({
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
    if (shutdown.isRequested) break;
    await platform.start();
    logger.info({ event: 'platform.started', platform: platform.name }, `${platform.name} started`);
  }
  if (!shutdown.isRequested) {
    await scheduler.start();
    if (!shutdown.isRequested) {
      logger.info({ event: 'scheduler.started', schedule: config.schedule, timezone: config.timezone }, 'scheduler running');
    }
  }

  await shutdown.requested;
  stopWarming();
  stopWarmingRecent();
  await scheduler.stop();
  await images.close();
  await Promise.allSettled(platforms.map((platform) => platform.stop()));
  store.close();
  logger.info({ event: 'shutdown.done', ms: shutdown.elapsedMs() }, 'stopped');
  return 0;
}

// Signals are handled from the first moment: a SIGTERM during start-up is a stop, not a kill.
const shutdown = Shutdown.install();
run(shutdown).then(
  (code) => {
    process.exitCode = code;
    if (shutdown.isRequested) shutdown.finished(code);
  },
  (error: unknown) => {
    // Start-up failures (bad config, unreadable content folder, corrupt database) are operator
    // errors: one clear message, no stack trace.
    if (error instanceof DigestError) process.stderr.write(`ai-digest-bot: ${error.message}\n`);
    else process.stderr.write(`ai-digest-bot: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
    // A failure while stopping still ends the process with its code, not at the stop timeout.
    if (shutdown.isRequested) shutdown.finished(1);
  },
);

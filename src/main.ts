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
import type { Platform, PlatformStartError } from './platforms/platform.ts';
import { PlatformStarter } from './platforms/platform-starter.ts';
import { ReportLibrary } from './report/library.ts';
import { ServiceHealth } from './service-health.ts';
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
  const health = new ServiceHealth();
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
  const { fanout } = createDelivery({ config, store, library, digests, platforms: platformTable, logger });
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

  // Each platform starts on its own and a transient failure is retried in the background, so one
  // platform's outage never stops the other or the daily posts. A platform catches up on missed
  // posts once it has started (its scheduled posts meanwhile fail and are retried like any send,
  // and the catch-up after it starts resends what failed). A refused token settles `fatal`.
  let stopping = false;
  const starter = new PlatformStarter({
    platforms,
    health,
    logger,
    retry: { baseMs: config.delivery.backoffBaseMs, capMs: config.delivery.backoffCapMs },
    onStarted: (name) => {
      if (stopping) return;
      scheduler.catchUp({ platform: name }).catch((error: unknown) => logger.error({ err: error, platform: name }, 'catch-up failed'));
    },
  });
  starter.start();
  await scheduler.start({ catchUp: false });
  logger.info({ event: 'scheduler.started', schedule: config.schedule, timezone: config.timezone }, 'scheduler running');

  const refused = await Promise.race([waitForShutdownSignal(logger).then(() => null), starter.fatal.catch((error: PlatformStartError) => error)]);
  stopping = true;
  stopWarming();
  stopWarmingRecent();
  await scheduler.stop();
  await images.close();
  await starter.stop();
  store.close();
  // A refused token is a configuration error: one clear line and a non-zero exit (below).
  if (refused) throw new DigestError(refused.message, { cause: refused });
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
    // A platform attempt still under way (a Discord login waiting on a hanging API) must not keep
    // a failed process alive: what is left gets a moment, then the process exits.
    setTimeout(() => process.exit(1), 2000).unref();
  },
);

/**
 * The one place that wires concrete parts together: config → library → store → commands →
 * platforms → delivery → scheduler. Everything else receives its collaborators.
 */
import path from 'node:path';
import { createCommandRouter } from './commands/router.ts';
import { timeCommands } from './commands/timed-router.ts';
import { loadConfig, secretsOf, type Config } from './config.ts';
import { createArchiveRoutes } from './archive/create-archive.ts';
import { withArchiveLinks } from './archive/report-links.ts';
import { openBackend } from './backend/open-backend.ts';
import { createDelivery } from './delivery/create-delivery.ts';
import { Corrections } from './delivery/corrections.ts';
import { watchCorrections } from './delivery/correction-watch.ts';
import { ChatOwnerNotifier } from './delivery/owner-notifier.ts';
import { applyOutcomeJournal, OutcomeJournal } from './delivery/outcome-journal.ts';
import { createDigestBuilder } from './digest-builder.ts';
import { ReportSearch } from './search/report-search.ts';
import { loadDotEnv } from './dot-env.ts';
import { DigestError } from './errors.ts';
import { adminDepsFor } from './http/admin/admin-deps.ts';
import { createHttpApp, startHttpServer, type RunningHttpServer } from './http/http-server.ts';
import { createLogger, type Logger } from './log.ts';
import { BotMetrics } from './metrics/bot-metrics.ts';
import { createPlatforms } from './platforms/create-platforms.ts';
import type { Platform, PlatformStartError } from './platforms/platform.ts';
import { PlatformStarter } from './platforms/platform-starter.ts';
import { ReportLibrary } from './report/library.ts';
import { ServiceHealth } from './service-health.ts';
import { Shutdown } from './shutdown.ts';
import { RecentFanouts } from './status/recent-fanouts.ts';
import { platformRoles } from './status/instance-info.ts';
import { TELEGRAM_LIMITS } from './render/limits.ts';
import { printUnconfiguredHelp } from './unconfigured-help.ts';
import { serveStatusOnly } from './status-only.ts';
import { logUpdateModes } from './update-modes.ts';
import { HandledUpdates } from './store/handled-updates.ts';
import type { Store } from './store/store.ts';
import { WordcloudService } from './wordcloud/wordcloud-service.ts';

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
  // Every problem at once, what only serving needs (HTTP_PORT) included.
  const config: Config = loadConfig({ serve: true });
  const logger: Logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  shutdown.configure(logger, config.shutdownTimeoutSeconds * 1000);
  const health = new ServiceHealth();
  const library = await ReportLibrary.open(config.contentDir, { imagesDir: config.imagesDir, logger, maxReportBytes: config.content.maxReportBytes });
  health.set('library', true, `${library.entries().length} reports indexed`);
  // Metrics exist only where they can be read: with the HTTP server.
  let readSubscriptions: () => ReturnType<Store['listSubscriptions']> = async () => [];
  const metrics =
    config.http.port !== null
      ? new BotMetrics({
          listSubscriptions: () => readSubscriptions(),
          // Started (ready in the health registry) and connected now (the gateway may be reconnecting).
          platformUp: (name) => health.get(name)?.ready === true && (platformTable[name]?.connected?.() ?? true),
        })
      : null;
  const images = new WordcloudService(
    { ...config.wordcloud, imagesDir: config.imagesDir },
    logger,
    metrics ? { onDrawn: (seconds) => metrics.wordcloudDrawn(seconds) } : {},
  );
  // With PUBLIC_URL and no reportUrlTemplate, "full report" links point at the archive's pages.
  const digests = createDigestBuilder(withArchiveLinks(config), images, library);

  if (!config.env.discordToken && !config.env.telegramToken) {
    const out = (text: string): void => void process.stdout.write(text);
    // With HTTP_PORT: the probes and the status page (with its previews) serve, no bot runs.
    if (config.http.port !== null) {
      const onStore = (store: Store): void => void (readSubscriptions = () => store.listSubscriptions());
      await serveStatusOnly({ config, logger, library, digests, health, metrics, shutdown, out, onStore });
    } else {
      await printUnconfiguredHelp({ library, digests, config, out });
    }
    await images.close();
    return 0;
  }

  // PostgreSQL when DATABASE_URL is set (any number of instances), otherwise SQLite at
  // DATABASE_PATH (one bot per file: a second `npm start` on it is refused before it opens anything).
  const backend = await openBackend(config, { logger });
  const { store, location } = backend;
  // Outcomes the ledger refused until the last stop are recorded before anything is sent again.
  await applyJournalAtStart(store, config, logger);
  health.set('store', true);
  logger.info({ event: 'store.opened', path: location }, 'database ready');
  // The router needs the reposter and the platforms need the router: the fan-out's platform table
  // is filled in right after the platforms exist, before anything is started.
  const platformTable: Partial<Record<'discord' | 'telegram', Platform>> = {};
  readSubscriptions = () => store.listSubscriptions();
  const recentFanouts = new RecentFanouts();
  const { fanout, deliverer } = createDelivery({
    config,
    store,
    lock: backend.fanoutLock,
    library,
    digests,
    platforms: platformTable,
    logger,
    // A SQLite file deleted or replaced under the bot is refused before every fan-out.
    overrides: { health, storeCheck: () => backend.storeProblem() },
    onFanoutFinished: (report, timing) => {
      recentFanouts.add(report, timing);
      metrics?.fanoutFinished(report, (timing.finishedAt.getTime() - timing.startedAt.getTime()) / 1000, timing.finishedAt);
    },
  });
  // SQLite: the in-process scheduler; PostgreSQL: pg-boss jobs and a per-platform lock across instances.
  const coordination = backend.coordinate({
    fanout,
    deliverer,
    library,
    health,
    metrics,
    // The database answers again after an outage: outcomes held meanwhile are written now (their
    // unrecorded-send slots hold up the sends), and what fell due meanwhile is caught up.
    onRestored: () => {
      void deliverer.ledger.flush();
      if (stopping) return;
      const started = platforms.filter((platform) => health.get(platform.name)?.ready).map((platform) => platform.name);
      logger.info({ event: 'store.catch_up', platforms: started }, 'catching up on what fell due while the database was unreachable');
      for (const name of started) coordination.catchUp(name);
    },
  });
  // A stop starts no new send (the start-up catch-up included); rows left unfinished stay resumable.
  shutdown.onRequest(() => deliverer.stop());
  // Outcomes still held when the stop timeout forces the exit go to the journal first.
  shutdown.beforeForcedExit(() => void deliverer.ledger.journalHeld());
  // SqliteStore closes within the call (no await inside), so the forced exit right after is safe;
  // a PostgreSQL pool is simply dropped with the process (the server ends its sessions).
  shutdown.beforeForcedExit(() => void store.close().catch(() => undefined));
  // Indexed in the background, newest reports first; /search sees what is indexed so far.
  // The segmented terms are kept beside the database, so a restart need not segment ten years again.
  const searchCache = config.databasePath === ':memory:' ? null : path.join(path.dirname(config.databasePath), 'search-index.bin');
  const search = new ReportSearch(library, { logger, cacheFile: searchCache, indexThreads: config.search.indexThreads });
  void search.start().then(() => logger.info({ event: 'search.ready', reports: search.size }, 'search index built'));
  const commandRouter = createCommandRouter({
    search,
    library,
    digests,
    store,
    reposter: coordination.reposter,
    timezone: config.timezone,
    schedule: config.schedule,
    now: () => new Date(),
    logger,
  });
  const router = metrics ? timeCommands(commandRouter, (platform, command, seconds) => metrics.commandAnswered(platform, command, seconds)) : commandRouter;
  // Webhook updates already handled, shared by every instance through the store.
  const handledUpdates = new HandledUpdates(store, { logger });
  // PostgreSQL: every instance sending with the Telegram token shares its rate budget.
  // With several instances on one database, the Telegram token's rate is shared by all of them.
  const telegramBudget =
    config.env.telegramToken && backend.sharedRateBudget ? backend.sharedRateBudget(config.env.telegramToken, TELEGRAM_LIMITS.broadcastPerSecond, logger) : null;
  Object.assign(
    platformTable,
    createPlatforms({
      config,
      logger,
      router,
      claimUpdate: (platform, updateId) => handledUpdates.claim(platform, updateId),
      ...(telegramBudget ? { telegramRateBudget: telegramBudget } : {}),
      ...(metrics ? { telemetry: metrics } : {}),
    }),
  );
  const platforms = Object.values(platformTable);
  logUpdateModes(config, logger);
  for (const platform of platforms) health.expect(platform.name, 'starting');
  // Asked at each readiness probe: a closed, broken or unreachable database shows at once, not at the next write.
  const probes = { store: () => backend.supervision.probe() };
  const http = await startHttp(config, logger, {
    health,
    probes,
    metrics,
    logger,
    webhooks: platforms.flatMap((platform) => (platform.webhookRoute ? [platform.webhookRoute] : [])),
    archive: createArchiveRoutes(config, { library, digests, images, search, logger }),
    admin: adminDepsFor(config, {
      store,
      library,
      digests,
      health,
      probes,
      recentFanouts: () => recentFanouts.list(),
      reposter: coordination.reposter,
      logger,
      // Several instances: `sending` while this instance holds the platform's fan-out lock.
      roles: () => platformRoles({ configured: platforms.map((platform) => platform.name), ...(backend.holds ? { holds: backend.holds } : {}) }),
      ...(backend.peers ? { peers: backend.peers } : {}),
    }),
  });

  // Draw word clouds for new or edited reports ahead of time, off the command-answering path.
  const stopWarming = library.watch((change) => {
    const entries = [...change.added, ...change.changed];
    if (entries.length === 0) return;
    void Promise.all(entries.map((entry) => library.load(entry).catch(() => null))).then((reports) =>
      images.warm(reports.filter((report) => report !== null)),
    );
  });
  const stopWarmingRecent = warmRecentReports(library, images, config.wordcloud.warmRecent);

  // A report edited after delivery is corrected where it was posted, once its file settles.
  const stopCorrections = config.delivery.editOnCorrection
    ? watchCorrections({
        library,
        corrections: new Corrections({ library, digests, store, platforms: new Map(platforms.map((platform) => [platform.name, platform])), logger }),
        settleMs: config.delivery.reportSettleMs,
        logger,
      })
    : () => undefined;

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
      if (stopping || shutdown.isRequested) return;
      coordination.platformStarted(name);
    },
  });
  if (!shutdown.isRequested) {
    starter.start();
    await coordination.start();
    backend.supervision.start();
  }

  const ended = await Promise.race([
    shutdown.requested.then(() => ({ kind: 'signal' as const })),
    starter.fatal.catch((error: PlatformStartError) => ({ kind: 'refused' as const, error })),
    // The database lost or unreachable, or this instance's lock taken over or gone with its connection.
    backend.supervision.lost.then((loss) => ({ kind: 'lost' as const, loss })),
  ]);
  stopping = true;
  backend.supervision.stop();
  const loss = ended.kind === 'lost' ? ended.loss : null;
  // Another instance may be sending this one's platforms now, or the server is gone: stop sending
  // at once and exit non-zero with one line, for the supervisor to restart the bot.
  const unreachable = loss?.urgent ? loss.reason : null;
  if (unreachable) {
    deliverer.stop();
    // Winding down may wait on the database (a send recording its outcome): bounded, like a stop.
    setTimeout(() => {
      deliverer.ledger.journalHeld();
      process.stderr.write(`ai-digest-bot: ${unreachable}\n`);
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000).unref();
  }
  deliverer.ledger.close();
  const owners = new ChatOwnerNotifier({ ownerChat: config.ownerChat, platforms: platformTable, logger });
  if (loss?.storeProblem) health.set('store', false, loss.storeProblem);
  // The owners hear of it from the bot, not only from a supervisor's restart log (bounded by the
  // forced exit above when urgent: the platforms answer or not within the stop timeout).
  if (loss?.alert) await owners.alert(loss.alert);
  // Stop taking requests at once; those in flight get a few seconds (they may read the store).
  health.set('shutdown', false, 'shutting down');
  const httpClosed = http?.close(3000) ?? Promise.resolve();
  stopWarming();
  stopWarmingRecent();
  stopCorrections();
  await search.stop();
  await coordination.stop();
  // Sending has ended: held outcomes are written once more, and what is still refused is journaled.
  if (loss?.storeGone) deliverer.ledger.journalHeld();
  else await deliverer.ledger.finish();
  await images.close();
  await starter.stop();
  await telegramBudget?.close();
  await httpClosed;
  // Closes the store unless the loss left it unusable, and gives back the instance lock.
  await backend.close();
  if (loss && !loss.logged) throw new DigestError(loss.reason);
  // A refused token is a configuration error: one clear line and a non-zero exit (below).
  if (ended.kind === 'refused') throw new DigestError(ended.error.message, { cause: ended.error });
  logger.info({ event: 'shutdown.done', ms: shutdown.elapsedMs() }, 'stopped');
  return loss ? 1 : 0;
}

/**
 * Records the outcomes journaled at the last stop (OutcomeJournal) before anything can send.
 * Refuses to start while the ledger still refuses them: sending now would repeat those messages.
 */
async function applyJournalAtStart(store: Store, config: Config, logger: Logger): Promise<void> {
  const journal = OutcomeJournal.besideDatabase(config.databasePath);
  if (!journal) return;
  try {
    await applyOutcomeJournal(store, journal, logger);
  } catch (error) {
    throw new DigestError(
      `cannot record the delivery outcomes kept in ${journal.file} at the last stop (${error instanceof Error ? error.message : String(error)}); not starting, since sending now would repeat those messages`,
      { cause: error },
    );
  }
}

/** The HTTP server when HTTP_PORT is set (health, metrics, status page); none otherwise. */
async function startHttp(config: Config, logger: Logger, deps: Parameters<typeof createHttpApp>[0]): Promise<RunningHttpServer | null> {
  if (config.http.port === null) return null;
  return startHttpServer(createHttpApp(deps), { port: config.http.port, host: config.http.host, logger });
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
    // A platform attempt still under way (a Discord login waiting on a hanging API) must not keep
    // a failed process alive: what is left gets a moment, then the process exits.
    setTimeout(() => process.exit(1), 2000).unref();
  },
);

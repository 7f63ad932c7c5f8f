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
import { createDelivery } from './delivery/create-delivery.ts';
import { Corrections } from './delivery/corrections.ts';
import { watchCorrections } from './delivery/correction-watch.ts';
import { ChatOwnerNotifier } from './delivery/owner-notifier.ts';
import { applyOutcomeJournal, OutcomeJournal } from './delivery/outcome-journal.ts';
import { createCoordination } from './delivery/create-coordination.ts';
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
import { PostgresFanoutLock } from './delivery/postgres-fanout-lock.ts';
import { PostgresRateBudget } from './delivery/postgres-rate-budget.ts';
import { TELEGRAM_LIMITS } from './render/limits.ts';
import { listPostgresPeers, type PeerInstance } from './delivery/postgres-peers.ts';
import { postgresTimeoutsOf } from './store/postgres-pool-options.ts';
import type { PlatformName } from './platforms/platform.ts';
import { printUnconfiguredHelp } from './unconfigured-help.ts';
import { serveStatusOnly } from './status-only.ts';
import { logUpdateModes } from './update-modes.ts';
import { unwritableProblem } from './store/database-file.ts';
import { ConnectionWatch } from './store/connection-watch.ts';
import { DatabaseGuard } from './store/database-guard.ts';
import { InstanceLock } from './store/instance-lock.ts';
import { HandledUpdates } from './store/handled-updates.ts';
import { openStore } from './store/open-store.ts';
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

  // SQLite: one bot per database file (its scheduler and pollers run in-process), so a second
  // `npm start` on it is refused here, before it opens anything; PostgreSQL allows several.
  const instanceLock = config.databaseUrl ? null : await InstanceLock.acquire(config.databasePath);
  // PostgreSQL when DATABASE_URL is set, otherwise SQLite at DATABASE_PATH.
  const { store, sqlite, location } = await openStore(config);
  // Outcomes the ledger refused until the last stop are recorded before anything is sent again.
  await applyJournalAtStart(store, config, logger);
  health.set('store', true);
  logger.info({ event: 'store.opened', path: location }, 'database ready');
  // SQLite only: a database file deleted or replaced under the bot stops it loudly (checked
  // periodically and before every fan-out), instead of "saving" into an unlinked file until the next restart.
  const databaseGuard = sqlite ? new DatabaseGuard(sqlite, { logger }) : null;
  // The router needs the reposter and the platforms need the router: the fan-out's platform table
  // is filled in right after the platforms exist, before anything is started.
  const platformTable: Partial<Record<'discord' | 'telegram', Platform>> = {};
  readSubscriptions = () => store.listSubscriptions();
  const recentFanouts = new RecentFanouts();
  const { fanout, deliverer, lock } = createDelivery({
    config,
    store,
    library,
    digests,
    platforms: platformTable,
    logger,
    overrides: { health, storeCheck: () => (databaseGuard ? (databaseGuard.check() ?? unwritableProblem(config.databasePath)) : null) },
    onFanoutFinished: (report, timing) => {
      recentFanouts.add(report, timing);
      metrics?.fanoutFinished(report, (timing.finishedAt.getTime() - timing.startedAt.getTime()) / 1000, timing.finishedAt);
    },
  });
  // SQLite: the in-process scheduler; PostgreSQL: pg-boss jobs and a per-platform lock across instances.
  const coordination = createCoordination({ config, fanout, deliverer, lock, store, library, logger, health, metrics });
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
  const search = new ReportSearch(library, { logger, cacheFile: searchCache });
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
  const telegramBudget = config.databaseUrl && config.env.telegramToken ? sharedTelegramBudget(config.databaseUrl, config.env.telegramToken, config, logger) : null;
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
  // PostgreSQL: a server restart or a network cut never leaves the bot up but idle. The pool
  // reconnects by itself; the watch says so (readiness, one error line), catches up what was due
  // meanwhile once the server answers, and ends the process when the outage outlasts the limit.
  const connectionWatch = sqlite
    ? null
    : new ConnectionWatch({
        ping: () => store.ping(),
        logger,
        outageLimitMs: config.databaseOutageExitSeconds * 1000,
        onRestored: () => {
          // Outcomes held meanwhile are written now: their unrecorded-send slots hold up the sends.
          void deliverer.ledger.flush();
          if (stopping) return;
          const started = platforms.filter((platform) => health.get(platform.name)?.ready).map((platform) => platform.name);
          logger.info({ event: 'store.catch_up', platforms: started }, 'catching up on what fell due while the database was unreachable');
          for (const name of started) coordination.catchUp(name);
        },
      });
  // Asked at each readiness probe: a closed or broken database shows at once, not at the next write.
  const probes = {
    store: () => {
      const outage = connectionWatch?.problem;
      if (outage) throw new Error(outage);
      return store.ping();
    },
  };
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
      // PostgreSQL: `sending` while this instance holds the platform's fan-out lock.
      roles: () =>
        platformRoles({
          configured: platforms.map((platform) => platform.name),
          ...(lock instanceof PostgresFanoutLock ? { holds: (name: PlatformName) => lock.holds(name) } : {}),
        }),
      ...(config.databaseUrl ? { peers: peersOf(config.databaseUrl, config) } : {}),
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
    connectionWatch?.start();
  }

  const ended = await Promise.race([
    shutdown.requested.then(() => ({ kind: 'signal' as const })),
    starter.fatal.catch((error: PlatformStartError) => ({ kind: 'refused' as const, error })),
    ...(databaseGuard ? [databaseGuard.lost.then((loss) => ({ kind: 'lost' as const, loss }))] : []),
    ...(instanceLock ? [instanceLock.lost.then((owner) => ({ kind: 'displaced' as const, owner }))] : []),
    ...(connectionWatch ? [connectionWatch.lost.then((outage) => ({ kind: 'unreachable' as const, outage }))] : []),
    // Another instance may be sending this one's platform now: stop at once, non-zero (restarted).
    ...(coordination.lost ? [coordination.lost.then((reason) => ({ kind: 'lock-lost' as const, reason }))] : []),
  ]);
  stopping = true;
  databaseGuard?.stop();
  connectionWatch?.stop();
  // The database gone for too long, or this instance's fan-out lock gone with its connection
  // (another instance may be sending its platform now): stop sending at once and exit non-zero
  // with one line, for the supervisor to restart the bot.
  const unreachable =
    ended.kind === 'unreachable'
      ? `database ${location} unreachable for longer than ${config.databaseOutageExitSeconds} s (${ended.outage.problem}); exiting so the supervisor restarts the bot`
      : ended.kind === 'lock-lost'
        ? `${ended.reason}; exiting so the supervisor restarts the bot (another instance resumes the fan-out)`
        : null;
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
  const loss = ended.kind === 'lost' ? ended.loss : null;
  const owners = new ChatOwnerNotifier({ ownerChat: config.ownerChat, platforms: platformTable, logger });
  if (loss) {
    health.set('store', false, loss.problem);
    await owners.alert(
      `digest bot stopped: ${loss.problem}. ${loss.rescuedTo ? `Its data was saved to ${loss.rescuedTo}: move it back to ${config.databasePath} and start the bot again.` : 'Its data could not be saved; restore a backup.'}`,
    );
  }
  // The owners hear of it from the bot, not only from a supervisor's restart log (bounded by the
  // forced exit above: the platforms answer or not within the stop timeout).
  if (unreachable) await owners.alert(`digest bot stopped: ${unreachable}.`);
  // Stop taking requests at once; those in flight get a few seconds (they may read the store).
  health.set('shutdown', false, 'shutting down');
  const httpClosed = http?.close(3000) ?? Promise.resolve();
  stopWarming();
  stopWarmingRecent();
  stopCorrections();
  await search.stop();
  await coordination.stop();
  // Sending has ended: held outcomes are written once more, and what is still refused is journaled.
  if (loss || unreachable) deliverer.ledger.journalHeld();
  else await deliverer.ledger.finish();
  await images.close();
  await starter.stop();
  await telegramBudget?.close();
  await httpClosed;
  // After a loss the connection is left open: closing would delete `<path>-wal` by name, which may
  // by now belong to a new database at that path. The process exits right after.
  // An unreachable server's pool is dropped with the process: closing it would wait for it.
  if (!loss && !unreachable) await store.close();
  instanceLock?.release();
  if (unreachable) throw new DigestError(unreachable);
  if (ended.kind === 'displaced') {
    const { pid, host } = ended.owner;
    throw new DigestError(`the instance lock of ${config.databasePath} was taken over by pid ${pid} on host ${host} (this process looked dead); stopped so the schedule is not doubled`);
  }
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

/** The status page's list of live instances on the shared database (the fan-out lock's namespace). */
function peersOf(databaseUrl: string, config: Config): () => Promise<readonly PeerInstance[]> {
  return () =>
    listPostgresPeers({
      connectionString: databaseUrl,
      namespace: config.coordinationSchema ?? 'pgboss',
      timeouts: postgresTimeoutsOf(config.database),
    });
}

/** The Telegram token's budget on the shared database: TELEGRAM_LIMITS' broadcast rate for all instances together. */
function sharedTelegramBudget(databaseUrl: string, token: string, config: Config, logger: Logger): PostgresRateBudget {
  return new PostgresRateBudget({
    connectionString: databaseUrl,
    token,
    capacity: TELEGRAM_LIMITS.broadcastPerSecond,
    windowMs: 1000,
    timeouts: postgresTimeoutsOf(config.database),
    logger,
  });
}

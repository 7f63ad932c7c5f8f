import { createHash, randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { RepostOutcome, RepostRequest, Reposter } from '../../commands/types.ts';
import { DigestError } from '../../errors.ts';
import { taggedApplicationName } from '../../instance-tag.ts';
import { silentLogger, type Logger } from '../../log.ts';
import type { PlatformName } from '../../words.ts';
import type { ServiceHealth } from '../../service-health.ts';
import { postgresPoolOptions, type PostgresTimeouts } from './postgres-pool-options.ts';
import { redactDatabaseUrl } from './postgres-store.ts';
import type { Store } from '../../store/store.ts';
import { previousDue } from '../../schedule/due-times.ts';
import type { DeliveryLibrary, Fanout } from '../../delivery/fanout.ts';
import { retryReason, runFanoutJob, wantedSchedules, type FanoutJob } from '../../delivery/fanout-jobs.ts';
import { ensureQueue } from './pgboss-queues.ts';
import type { PostgresFanoutLock } from './postgres-fanout-lock.ts';

export type { FanoutJob };

/**
 * The pg-boss and failover settings. Failover after an instance dies takes at most
 * `watchMs` + the time left of `orphanGraceSeconds` since the job started (the lock is free the
 * moment the dead instance's connection ends): 5 s, 8 s at worst, with the defaults.
 */
export interface CoordinatorTiming {
  /** How often each instance asks pg-boss for a fan-out job of a platform it runs (pg-boss fetch). */
  pollMs: number;
  /** How often each instance looks for active jobs whose instance died (their platform lock is free). */
  watchMs: number;
  /** A job active for less than this is never taken over: its worker may be about to take the lock (a moment after fetching it). */
  orphanGraceSeconds: number;
  /**
   * pg-boss expiry of an active fan-out job: only a backstop (failover is the watcher's, through
   * the lock), so longer than the longest fan-out; a live fan-out is never expired from under it.
   */
  expireInSeconds: number;
  /** A fan-out that could not run (ledger unwritable, report unreadable): pg-boss retries with backoff. */
  retryLimit: number;
  retryDelaySeconds: number;
  /** pg-boss maintenance (expiry, archiving) and cron checks. */
  maintenanceIntervalSeconds: number;
  cronMonitorIntervalSeconds: number;
  cronWorkerIntervalSeconds: number;
  /** How often `/repost` looks whether its jobs are done. */
  repostPollMs: number;
}

export const DEFAULT_COORDINATOR_TIMING: CoordinatorTiming = {
  pollMs: 2000,
  watchMs: 5000,
  orphanGraceSeconds: 3,
  expireInSeconds: 4 * 3600,
  retryLimit: 16,
  retryDelaySeconds: 30,
  maintenanceIntervalSeconds: 60,
  cronMonitorIntervalSeconds: 10,
  cronWorkerIntervalSeconds: 2,
  repostPollMs: 500,
};

/** Due times found this long after they passed are still sent by the minute tick. */
const TICK_WINDOW_MS = 5 * 60_000;
const TICK_QUEUE = 'digest-tick';

/** The pg-boss queue of one platform's fan-outs. */
export function queueOf(platform: PlatformName): string {
  return `digest-fanout-${platform}`;
}

/** A UUID derived from `text`: the same due time enqueued by two ticks is one job (pg-boss inserts ON CONFLICT DO NOTHING). */
export function jobIdOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface CoordinatorDeps {
  /** DATABASE_URL: pg-boss lives in the same database as the ledger. */
  connectionString: string;
  /** How long the server may take to answer (config `database`); the defaults otherwise. */
  timeouts?: PostgresTimeouts;
  /** pg-boss's schema; default `pgboss`. */
  schema?: string;
  fanout: Fanout;
  store: Store;
  library: Pick<DeliveryLibrary, 'entries'>;
  /** config.schedule and config.timezone. */
  config: { schedule: string; timezone: string };
  /** The platforms this bot is configured for (every instance has the same configuration). */
  platforms: readonly PlatformName[];
  /** The Deliverer's lock: exclusivity per platform, whatever pg-boss does. */
  lock: PostgresFanoutLock;
  logger?: Logger;
  /** `fanout.<platform>` entries say what this instance is doing (always ready). */
  health?: ServiceHealth;
  metrics?: { fanoutActive(platform: PlatformName, active: boolean): void } | null;
  timing?: Partial<CoordinatorTiming>;
  now?: () => Date;
  /** Whether the Deliverer was stopped (a fan-out that ended then is unfinished, not done). */
  isStopping?: () => boolean;
}

/** A fan-out cut short by this instance's stop: left active so another instance takes it over. */
class LeftForTakeover extends Error {}

/**
 * Coordinates the fan-outs of several instances on one PostgreSQL database with pg-boss:
 *
 * - a pg-boss cron job (`digest-tick`, every minute; pg-boss fires it once however many instances
 *   run) looks which schedules (the global one and each subscription's time of day) had a due
 *   time, with the same `previousDue` the SQLite scheduler and the catch-up use, and enqueues one
 *   `due` job per platform and due time (a job id derived from both, so two ticks never enqueue
 *   it twice);
 * - each platform's fan-outs (due, the start-up catch-up, `/repost`) are jobs on its own queue,
 *   fetched by the instances where that platform has started, one at a time;
 * - the Deliverer takes the platform's advisory lock (PostgresFanoutLock) for the sending itself,
 *   so one instance sends a platform at a time, however pg-boss hands out jobs;
 * - an instance that dies mid-fan-out leaves its job `active` and its lock free: the others notice
 *   within `watchMs`, take the lock and run the job again, which resumes from the ledger (what was
 *   delivered is skipped, a row left `sending` resumes at its first unrecorded part).
 */
export class FanoutCoordinator implements Reposter {
  private boss: PgBoss | null = null;
  private readonly timing: CoordinatorTiming;
  private readonly logger: Logger;
  private readonly schema: string;
  private readonly started = new Set<PlatformName>();
  private readonly loops: Promise<void>[] = [];
  /** Jobs this instance is running now (never taken over by its own watcher). */
  private readonly local = new Set<string>();
  private readonly watching = new Set<PlatformName>();
  /** What each platform's current job is about, for readiness. */
  private readonly doing = new Map<PlatformName, string>();
  private watchTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly wakers = new Set<() => void>();
  /** Platforms that started before pg-boss did: taken up at the end of start(). */
  private readonly early = new Set<PlatformName>();

  constructor(private readonly deps: CoordinatorDeps) {
    this.timing = { ...DEFAULT_COORDINATOR_TIMING, ...deps.timing };
    this.logger = deps.logger ?? silentLogger();
    this.schema = deps.schema ?? 'pgboss';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema)) throw new Error(`pg-boss schema: not a schema name: "${this.schema}"`);
    for (const platform of deps.platforms) {
      deps.health?.set(`fanout.${platform}`, true, 'idle');
      deps.metrics?.fanoutActive(platform, false);
    }
    deps.lock.onChange((scope, held) => {
      const platform = scope as PlatformName;
      deps.metrics?.fanoutActive(platform, held);
      this.describe(platform);
    });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private describe(platform: PlatformName): void {
    const doing = this.doing.get(platform);
    const detail = this.deps.lock.holds(platform)
      ? `sending ${doing ?? ''}`.trim()
      : doing
        ? `waiting: another instance is sending ${platform} (${doing})`
        : 'idle'; // nothing to send here (a platform still starting says so in its own component)
    this.deps.health?.set(`fanout.${platform}`, true, detail);
  }

  /**
   * Starts pg-boss (installing its schema on first use), the queues, the minute tick and the
   * watcher. Rejects with a one-line DigestError when pg-boss cannot start.
   */
  async start(): Promise<void> {
    try {
      await this.startBoss();
    } catch (error) {
      await this.boss?.stop({ graceful: false, close: true }).catch(() => undefined);
      this.boss = null;
      const reason = error instanceof Error ? error.message : String(error);
      throw new DigestError(`pg-boss (schema ${this.schema}) could not start on ${redactDatabaseUrl(this.deps.connectionString)}: ${reason}`, { cause: error });
    }
  }

  private async startBoss(): Promise<void> {
    const t = this.timing;
    const boss = new PgBoss({
      // pg-boss hands these to its own pg pool: its queries are bounded like the store's.
      ...(postgresPoolOptions({
        connectionString: this.deps.connectionString,
        applicationName: taggedApplicationName('ai-digest-bot pg-boss'),
        ...(this.deps.timeouts ? { timeouts: this.deps.timeouts } : {}),
      }) as PgBoss.DatabaseOptions),
      schema: this.schema,
      max: 4,
      maintenanceIntervalSeconds: t.maintenanceIntervalSeconds,
      cronMonitorIntervalSeconds: t.cronMonitorIntervalSeconds,
      cronWorkerIntervalSeconds: t.cronWorkerIntervalSeconds,
    });
    boss.on('error', (error) => this.logger.error({ err: error, event: 'coordination.error' }, 'pg-boss error'));
    await boss.start();
    this.boss = boss;
    const queues = [TICK_QUEUE, ...this.deps.platforms.map(queueOf)];
    for (const name of queues) {
      const options =
        name === TICK_QUEUE
          ? { name, expireInSeconds: 120, retryLimit: 2, retryDelay: 5 }
          : { name, expireInSeconds: t.expireInSeconds, retryLimit: t.retryLimit, retryDelay: t.retryDelaySeconds, retryBackoff: true };
      // Several instances starting at once race to create the queues: see ensureQueue.
      await ensureQueue(boss, options);
    }
    await boss.schedule(TICK_QUEUE, '* * * * *', {}, { tz: 'UTC' });
    await boss.work(TICK_QUEUE, { pollingIntervalSeconds: Math.max(1, t.pollMs / 1000) }, async () => {
      await this.tick();
    });
    this.watchTimer = setInterval(() => {
      for (const platform of this.started) void this.watch(platform);
    }, t.watchMs);
    this.watchTimer.unref();
    for (const platform of this.early) this.platformStarted(platform);
    this.early.clear();
    this.logger.info(
      // The same event as the SQLite scheduler's: "the schedule runs" whichever engine runs it.
      { event: 'scheduler.started', coordination: 'pg-boss', schema: this.schema, schedule: this.deps.config.schedule, timezone: this.deps.config.timezone, platforms: this.deps.platforms, ...t },
      'scheduler running: fan-outs coordinated through PostgreSQL (pg-boss)',
    );
  }

  /**
   * A platform has started on this instance: it takes that platform's jobs from now on, and a
   * catch-up job is enqueued (one per start: see enqueueCatchUp).
   */
  platformStarted(platform: PlatformName): void {
    if (this.stopping || this.started.has(platform)) return;
    if (!this.boss) {
      this.early.add(platform);
      return;
    }
    this.started.add(platform);
    this.describe(platform);
    this.enqueueCatchUp(this.boss, platform, 'catch-up');
    this.loops.push(this.loop(platform));
  }

  /**
   * The database is back after an outage: a catch-up job for each platform this instance sends,
   * so what fell due meanwhile goes out (the minute tick only looks at the last minutes).
   */
  catchUp(platform: PlatformName): void {
    if (this.stopping || !this.boss || !this.started.has(platform)) return;
    this.enqueueCatchUp(this.boss, platform, 'restore');
  }

  /**
   * A start (or a restore) always catches up: a catch-up job with a fresh id, unless one for the
   * platform is still waiting (it plans from the ledger when it runs). At a start, one running
   * counts too (a start changes nothing that is due, and one left running by a dead instance is
   * run again by the takeover); after an outage it does not, since it may have planned before a
   * due time the outage hid. A job id derived from the minute made a second start in the same
   * minute find its catch-up already done. Instances starting at the same moment may each enqueue
   * one; they run one after another under the platform lock, the later ones sending nothing.
   */
  private enqueueCatchUp(boss: PgBoss, platform: PlatformName, reason: 'catch-up' | 'restore'): void {
    const queue = queueOf(platform);
    const states = reason === 'catch-up' ? ['created', 'retry', 'active'] : ['created', 'retry'];
    void (async () => {
      const { rows } = await boss
        .getDb()
        .executeSql(`SELECT id FROM ${this.schema}.job WHERE name = $1 AND state::text = ANY($2) AND data->>'kind' = 'catch-up' LIMIT 1`, [queue, states]);
      const pending = (rows as Array<{ id: string }>)[0]?.id;
      if (pending !== undefined) {
        this.logger.info({ event: 'coordination.catch_up', platform, reason, job: pending, outcome: 'pending' }, 'a catch-up is already waiting or running');
        return;
      }
      const job = await boss.send(queue, { kind: 'catch-up' } satisfies FanoutJob, { id: randomUUID() });
      this.logger.info({ event: 'coordination.catch_up', platform, reason, job, outcome: 'enqueued' }, 'catch-up enqueued');
    })().catch((error: unknown) => this.logger.error({ err: error, platform }, 'could not enqueue the catch-up'));
  }

  /** Enqueues the due fan-outs of the schedules that had a due time lately. */
  async tick(): Promise<void> {
    const boss = this.requireBoss();
    const now = this.now();
    for (const [key, schedule] of await wantedSchedules(this.deps.store, this.deps.config)) {
      const due = previousDue(schedule, now);
      if (due === null || now.getTime() - due.getTime() > TICK_WINDOW_MS) continue;
      const dueAt = due.toISOString();
      for (const platform of this.deps.platforms) {
        const id = await boss.send(queueOf(platform), { kind: 'due', schedule, dueAt } satisfies FanoutJob, { id: jobIdOf(`due|${platform}|${key}|${dueAt}`) });
        if (id !== null) this.logger.info({ event: 'coordination.due', platform, schedule: key, dueAt, job: id }, 'due time: fan-out enqueued');
      }
    }
  }

  /** Fetches and runs this platform's jobs one at a time until stopped. */
  private async loop(platform: PlatformName): Promise<void> {
    const boss = this.requireBoss();
    const queue = queueOf(platform);
    while (!this.stopping) {
      let job: PgBoss.JobWithMetadata<FanoutJob> | undefined;
      try {
        [job] = await boss.fetch<FanoutJob>(queue, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        this.logger.error({ err: error, platform }, 'could not fetch a fan-out job');
      }
      if (job) await this.execute(platform, job, 'worker');
      else await this.pause(this.timing.pollMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /** Looks for a job of `platform` whose instance died: active for a while, and nobody holds the lock. */
  private async watch(platform: PlatformName): Promise<void> {
    const boss = this.boss;
    if (!boss || this.stopping || this.watching.has(platform) || this.deps.lock.holds(platform)) return;
    this.watching.add(platform);
    try {
      const { rows } = await boss
        .getDb()
        .executeSql(
          `SELECT id FROM ${this.schema}.job WHERE name = $1 AND state = 'active' AND started_on < now() - make_interval(secs => $2) ORDER BY started_on`,
          [queueOf(platform), this.timing.orphanGraceSeconds],
        );
      const orphans = (rows as Array<{ id: string }>).filter((r) => !this.local.has(r.id));
      if (orphans.length === 0) return;
      // A live worker holds the lock for its whole job: getting it means that worker is gone.
      const release = await this.deps.lock.tryAcquire(platform);
      if (!release) return;
      try {
        for (const { id } of orphans) {
          const job = await boss.getJobById<FanoutJob>(queueOf(platform), id);
          if (!job || job.state !== 'active' || this.stopping) continue;
          this.logger.warn(
            { event: 'fanout.takeover', platform, job: id, kind: job.data.kind, startedOn: job.startedOn },
            `taking over a ${platform} fan-out whose instance stopped; resuming from the ledger`,
          );
          await this.execute(platform, job, 'takeover');
        }
      } finally {
        release();
      }
    } catch (error) {
      this.logger.error({ err: error, platform }, 'fan-out watch failed');
    } finally {
      this.watching.delete(platform);
    }
  }

  /** Runs one job and settles it in pg-boss (complete, or fail for its retry), unless cut short by a stop. */
  private async execute(platform: PlatformName, job: PgBoss.JobWithMetadata<FanoutJob>, how: 'worker' | 'takeover'): Promise<void> {
    const boss = this.requireBoss();
    const queue = queueOf(platform);
    this.local.add(job.id);
    this.doing.set(platform, this.labelOf(job.data));
    this.describe(platform);
    let release: (() => void) | null = null;
    try {
      // The platform's lock for the whole job, planning included (the Deliverer takes it again,
      // re-entrantly): an active job whose platform lock is free has lost its instance.
      release = await this.deps.lock.acquire(platform);
      this.logger.info({ event: 'fanout.job_started', platform, job: job.id, kind: job.data.kind, how }, `${platform} fan-out job started`);
      const output = await this.run(platform, job.data);
      await boss.complete(queue, job.id, output);
      this.logger.info({ event: 'fanout.job_done', platform, job: job.id, kind: job.data.kind }, `${platform} fan-out job done`);
    } catch (error) {
      if (error instanceof LeftForTakeover || this.cutShort()) {
        this.logger.info({ event: 'fanout.job_left', platform, job: job.id }, 'stopping: fan-out left for another instance to resume');
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ event: 'fanout.job_failed', platform, job: job.id, kind: job.data.kind, reason: message }, `${platform} fan-out could not run; pg-boss retries it`);
      await boss.fail(queue, job.id, { message }).catch(() => undefined);
    } finally {
      release?.();
      this.local.delete(job.id);
      this.doing.delete(platform);
      this.describe(platform);
    }
  }

  private cutShort(): boolean {
    return this.stopping || (this.deps.isStopping?.() ?? false);
  }

  private labelOf(job: FanoutJob): string {
    const newest = this.deps.library.entries()[0]?.slug ?? 'nothing';
    if (job.kind === 'repost') return `${job.slug} (repost)`;
    return job.kind === 'due' ? `${newest} (due ${job.dueAt})` : `${newest} (catch-up)`;
  }

  /** The fan-out a job stands for: the same job code as the SQLite scheduler's (fanout-jobs.ts). */
  private async run(platform: PlatformName, job: FanoutJob): Promise<object> {
    const { fanout, store, library, config } = this.deps;
    const { reports, output } = await runFanoutJob({ fanout, store, library, config, now: () => this.now() }, platform, job);
    if (this.cutShort()) throw new LeftForTakeover();
    const reason = retryReason(reports);
    if (reason !== null) throw new Error(reason);
    return output;
  }

  /**
   * `/repost` from any instance: one job per platform concerned, run by whichever instance sends
   * that platform now (after its current fan-out), and answered when they are done.
   */
  async repost(request: RepostRequest): Promise<RepostOutcome> {
    const boss = this.requireBoss();
    const platforms = request.target === 'all-subscriptions' ? [...this.deps.platforms] : [request.target.platform];
    const askedAt = this.now().toISOString();
    const outcomes = await Promise.all(
      platforms.map(async (platform): Promise<RepostOutcome> => {
        const job: FanoutJob = { kind: 'repost', slug: request.slug, target: request.target, requestedBy: request.requestedBy, askedAt };
        const id = await boss.send(queueOf(platform), job, { id: randomUUID(), retryLimit: 0 });
        if (id === null) throw new Error(`could not enqueue the ${platform} repost`);
        return this.waitFor(platform, id);
      }),
    );
    return outcomes.reduce((a, b) => ({
      delivered: a.delivered + b.delivered,
      failed: a.failed + b.failed,
      deactivated: a.deactivated + b.deactivated,
      errors: [...a.errors, ...b.errors],
    }));
  }

  private async waitFor(platform: PlatformName, id: string): Promise<RepostOutcome> {
    const boss = this.requireBoss();
    for (;;) {
      const job = await boss.getJobById<FanoutJob>(queueOf(platform), id, { includeArchive: true });
      if (job?.state === 'completed') return job.output as RepostOutcome;
      if (job === null || job.state === 'failed' || job.state === 'cancelled') {
        const why = (job?.output as { message?: string } | undefined)?.message ?? job?.state ?? 'job vanished';
        return { delivered: 0, failed: 1, deactivated: 0, errors: [`${platform}: ${why}`] };
      }
      await new Promise((resolve) => setTimeout(resolve, this.timing.repostPollMs));
    }
  }

  private requireBoss(): PgBoss {
    if (!this.boss) throw new Error('coordination not started');
    return this.boss;
  }

  /**
   * Stops taking jobs and waits for the running ones (the Deliverer's stop cuts them short; they
   * are left active for another instance), then stops pg-boss.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.deps.lock.stopWaiting();
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
    for (const wake of [...this.wakers]) wake();
    await Promise.allSettled(this.loops);
    while (this.watching.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.boss?.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
    this.boss = null;
  }
}

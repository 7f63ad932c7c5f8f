import cron from 'node-cron';
import { ReportHeldError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { PlatformName } from '../words.ts';
import type { Store } from '../store/store.ts';
import type { DeliveryReport } from './deliverer.ts';
import { nextDue, scheduleKey, type DueSchedule } from '../schedule/due-times.ts';
import type { DeliveryLibrary, Fanout } from './fanout.ts';
import { deliverCatchUp, deliverDue, retryReason, wantedSchedules, type FanoutJobDeps } from './fanout-jobs.ts';

export interface SchedulerDeps {
  fanout: Fanout;
  store: Store;
  library: Pick<DeliveryLibrary, 'entries'> & {
    /** ReportLibrary.watch: keeps the index fresh between ticks and logs new reports. */
    watch?(onChange: (change: { added: ReadonlyArray<{ slug: string }> }) => void): () => void;
  };
  /** config.schedule and config.timezone. */
  config: { schedule: string; timezone: string };
  logger?: Logger;
  /** The clock (tests pin it). */
  now?: () => Date;
  /** How often subscriptions are re-read to add or drop per-time jobs; also `resync()`. */
  resyncMs?: number;
  /** How a due fan-out that could not run (database unwritable, report unreadable) is tried again. */
  dueRetry?: Partial<DueRetryPolicy>;
}

/** Retries of a due fan-out that failed as a whole: exponential, capped, bounded in number. */
export interface DueRetryPolicy {
  baseMs: number;
  capMs: number;
  /** Retries per due time; the next due time starts over. */
  maxRetries: number;
}

export const DEFAULT_DUE_RETRY: DueRetryPolicy = { baseMs: 30_000, capMs: 15 * 60_000, maxRetries: 16 };

interface Job {
  schedule: DueSchedule;
  /** The due instant the job waits for (ms), or null when the schedule never fires again. */
  nextAt: number | null;
  timer: NodeJS.Timeout | null;
  /** The tick in progress, if any: a due time that comes while it runs is skipped, not stacked. */
  running: Promise<unknown> | null;
}

/**
 * The longest single wait: timers cannot wait longer than ~24.8 days, and waking now and then
 * re-reads the clock, so a system clock that was changed or a machine that slept is noticed.
 */
const MAX_WAIT_MS = 60 * 60_000;

/**
 * Runs the daily posts: one job for the global `schedule` in `timezone` (subscriptions without
 * their own time), plus one per distinct (time of day, timezone) among active subscriptions. Each
 * job waits for the next instant `nextDue` names, the same function family the start-up catch-up
 * uses (`previousDue`), so the live schedule and the catch-up agree on every day, DST days included
 * (node-cron's own timers skip a time in a spring-forward gap and may pick either occurrence of a
 * repeated one). node-cron still validates, parses and matches the cron expression. Each tick
 * delivers the newest report to the subscriptions it covers that have not had it; `start()` first
 * catches up on due times missed while the bot was down.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly logger: Logger;
  private readonly now: () => Date;
  private resyncTimer: NodeJS.Timeout | null = null;
  private stopWatching: (() => void) | null = null;
  private readonly running = new Set<Promise<unknown>>();
  /** A pending retry per schedule key. */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /**
   * Fan-outs whose report was held (incomplete), by schedule key: run again as soon as the
   * content folder changes (the rest of the report written), not on a backoff timer.
   */
  private readonly heldRetries = new Map<string, () => void>();
  private readonly dueRetry: DueRetryPolicy;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.logger = deps.logger ?? silentLogger();
    this.now = deps.now ?? (() => new Date());
    this.dueRetry = { ...DEFAULT_DUE_RETRY, ...deps.dueRetry };
    if (!cron.validate(deps.config.schedule)) throw new Error(`schedule: not a cron expression: "${deps.config.schedule}"`);
  }

  /**
   * Catches up, then starts the jobs, the subscription re-sync and the content-folder watch.
   * `catchUp: false` leaves the catch-up to the caller (the bot runs it per platform, once that
   * platform has started, so a platform still connecting is not posted to in vain).
   */
  async start(options: { catchUp?: boolean } = {}): Promise<DeliveryReport[]> {
    const caught = options.catchUp === false ? [] : await this.catchUpWithRetry();
    await this.resync();
    this.resyncTimer = setInterval(() => {
      // A store that cannot answer now keeps the current jobs; the next re-sync tries again.
      this.resync().catch((error: unknown) => this.logger.error({ err: error }, 'subscription re-sync failed'));
    }, this.deps.resyncMs ?? 60_000);
    this.resyncTimer.unref();
    this.stopWatching =
      this.deps.library.watch?.((change) => {
        for (const entry of change.added) this.logger.info({ slug: entry.slug }, 'new report; it goes out at the next due time');
        this.runHeld();
      }) ?? null;
    return caught;
  }

  /** Start-up catch-up (also callable on its own), for every platform or one. */
  catchUp(filter: { platform?: PlatformName } = {}): Promise<DeliveryReport[]> {
    return this.track(deliverCatchUp(this.jobDeps(), filter.platform));
  }

  /**
   * The start-up catch-up (for every platform or one), tried again with backoff when it could not
   * run (the newest report does not parse, the ledger cannot record): the bot starts anyway and the
   * missed post goes out later.
   */
  catchUpWithRetry(filter: { platform?: PlatformName } = {}, retry = 0): Promise<DeliveryReport[]> {
    const key = `catch-up:${filter.platform ?? 'all'}`;
    const again = (reason: string): void => this.retryLater(key, retry, reason, (next) => void this.catchUpWithRetry(filter, next));
    return this.catchUp(filter).then(
      (reports) => {
        const reason = retryReason(reports);
        if (reason !== null) again(reason);
        return reports;
      },
      (error: unknown) => {
        if (this.waitForChange(key, error, () => void this.catchUpWithRetry(filter, retry))) return [];
        this.logger.error({ err: error, ...filter }, 'catch-up failed');
        again(error instanceof Error ? error.message : String(error));
        return [];
      },
    );
  }

  /** The schedules the jobs run now (keys), for operators and tests. */
  scheduleKeys(): string[] {
    return [...this.jobs.keys()].sort();
  }

  /** Adds a job for every schedule some active subscription needs and drops the unused ones. */
  async resync(): Promise<void> {
    const wanted = await wantedSchedules(this.deps.store, this.deps.config);
    for (const [key, job] of this.jobs) {
      if (!wanted.has(key)) {
        if (job.timer) clearTimeout(job.timer);
        this.jobs.delete(key);
      }
    }
    for (const [key, schedule] of wanted) {
      if (this.jobs.has(key)) continue;
      const job: Job = { schedule, nextAt: nextDue(schedule, this.now())?.getTime() ?? null, timer: null, running: null };
      this.jobs.set(key, job);
      this.arm(job);
      this.logger.debug({ schedule: key, nextDue: job.nextAt === null ? null : new Date(job.nextAt).toISOString() }, 'schedule job added');
    }
  }

  /** Sets the job's timer: at its due instant, or at the longest wait to look at the clock again. */
  private arm(job: Job): void {
    if (job.nextAt === null) {
      this.logger.warn({ schedule: scheduleKey(job.schedule) }, 'schedule has no further due time');
      return;
    }
    const wait = Math.min(Math.max(0, job.nextAt - this.now().getTime()), MAX_WAIT_MS);
    job.timer = setTimeout(() => this.wake(job), wait);
  }

  private wake(job: Job): void {
    job.timer = null;
    if (this.jobs.get(scheduleKey(job.schedule)) !== job) return;
    const now = this.now().getTime();
    if (job.nextAt !== null && now >= job.nextAt) {
      if (job.running) {
        this.logger.warn({ schedule: scheduleKey(job.schedule) }, 'due time skipped: the previous one is still delivering');
      } else {
        const running = this.tick(job.schedule).finally(() => {
          if (job.running === running) job.running = null;
        });
        job.running = running;
      }
      // From the later of the due instant and now: one tick however long the wait overshot.
      job.nextAt = nextDue(job.schedule, new Date(Math.max(now, job.nextAt)))?.getTime() ?? null;
    }
    this.arm(job);
  }

  /**
   * One due time of `schedule`: the newest report to the subscriptions that follow it. When the
   * fan-out could not run (it threw, or the ledger could not record its sends) it is tried again
   * with backoff until it can, so a database that was unwritable at 09:00 still gets the day's
   * post out once it is fixed, without an operator.
   */
  tick(schedule: DueSchedule, retry = 0): Promise<DeliveryReport | null> {
    const key = scheduleKey(schedule);
    const pending = this.retries.get(key);
    if (pending) clearTimeout(pending);
    this.retries.delete(key);
    this.logger.info({ schedule: key, ...(retry > 0 ? { retry } : {}) }, 'due time');
    return this.track(deliverDue(this.deps, schedule))
      .then((report) => {
        const reason = retryReason([report]);
        if (reason !== null) this.retryLater(key, retry, reason, (next) => void this.tick(schedule, next));
        return report;
      })
      .catch((error: unknown) => {
        if (this.waitForChange(key, error, () => void this.tick(schedule, retry))) return null;
        this.logger.error({ err: error, schedule: key }, 'scheduled delivery failed');
        this.retryLater(key, retry, error instanceof Error ? error.message : String(error), (next) => void this.tick(schedule, next));
        return null;
      });
  }

  /**
   * A fan-out whose report is held (incomplete: the fan-out has logged it once) runs again when
   * the content folder next changes, so the whole report goes out as soon as it is written.
   * Returns false for any other error.
   */
  private waitForChange(key: string, error: unknown, again: () => void): boolean {
    if (!(error instanceof ReportHeldError)) return false;
    if (!this.stopped) this.heldRetries.set(key, again);
    return true;
  }

  private runHeld(): void {
    if (this.stopped) return;
    const pending = [...this.heldRetries.values()];
    this.heldRetries.clear();
    for (const again of pending) again();
  }

  /** Runs `again(retry + 1)` after a capped exponential delay, unless stopped or out of retries. */
  private retryLater(key: string, retry: number, reason: string, again: (retry: number) => void): void {
    if (this.stopped) return;
    if (retry >= this.dueRetry.maxRetries) {
      this.logger.error({ event: 'delivery.due_abandoned', schedule: key, retries: retry, reason }, 'due fan-out still failing; left for the next due time');
      return;
    }
    const delayMs = Math.min(this.dueRetry.capMs, this.dueRetry.baseMs * 2 ** retry);
    this.logger.error({ event: 'delivery.due_retry', schedule: key, retry: retry + 1, delayMs, reason }, 'due fan-out could not run; trying again');
    const timer = setTimeout(() => {
      this.retries.delete(key);
      again(retry + 1);
    }, delayMs);
    this.retries.set(key, timer);
  }

  /** Stops the jobs and waits for deliveries in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    this.heldRetries.clear();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = null;
    this.stopWatching?.();
    this.stopWatching = null;
    for (const job of this.jobs.values()) if (job.timer) clearTimeout(job.timer);
    this.jobs.clear();
    await Promise.allSettled([...this.running]);
  }

  private jobDeps(): FanoutJobDeps {
    return { fanout: this.deps.fanout, store: this.deps.store, library: this.deps.library, config: this.deps.config, now: this.now };
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }
}

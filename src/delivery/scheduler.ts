import cron, { type ScheduledTask } from 'node-cron';
import { silentLogger, type Logger } from '../log.ts';
import type { PlatformName } from '../platforms/platform.ts';
import type { Store, Subscription } from '../store/store.ts';
import { catchUp, scheduleOf } from './catch-up.ts';
import type { DeliveryReport } from './deliverer.ts';
import { cronExpressionOf, scheduleKey, type DueSchedule } from './due-times.ts';
import type { DeliveryLibrary, Fanout } from './fanout.ts';

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
}

interface Job {
  schedule: DueSchedule;
  task: ScheduledTask;
}

/**
 * Runs the daily posts: one node-cron job for the global `schedule` in `timezone` (subscriptions
 * without their own time), plus one per distinct (time of day, timezone) among active
 * subscriptions. Each tick delivers the newest report to the subscriptions it covers that have not
 * had it; `start()` first catches up on due times missed while the bot was down.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly global: DueSchedule;
  private resyncTimer: NodeJS.Timeout | null = null;
  private stopWatching: (() => void) | null = null;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: SchedulerDeps) {
    this.logger = deps.logger ?? silentLogger();
    this.now = deps.now ?? (() => new Date());
    this.global = { kind: 'cron', expression: deps.config.schedule, timezone: deps.config.timezone };
    if (!cron.validate(deps.config.schedule)) throw new Error(`schedule: not a cron expression: "${deps.config.schedule}"`);
  }

  /**
   * Catches up, then starts the jobs, the subscription re-sync and the content-folder watch.
   * `catchUp: false` leaves the catch-up to the caller (the bot runs it per platform, once that
   * platform has started, so a platform still connecting is not posted to in vain).
   */
  async start(options: { catchUp?: boolean } = {}): Promise<DeliveryReport[]> {
    const caught = options.catchUp === false ? [] : await this.catchUp();
    this.resync();
    this.resyncTimer = setInterval(() => this.resync(), this.deps.resyncMs ?? 60_000);
    this.resyncTimer.unref();
    this.stopWatching =
      this.deps.library.watch?.((change) => {
        for (const entry of change.added) this.logger.info({ slug: entry.slug }, 'new report; it goes out at the next due time');
      }) ?? null;
    return caught;
  }

  /** Start-up catch-up (also callable on its own), for every platform or one. */
  catchUp(filter: { platform?: PlatformName } = {}): Promise<DeliveryReport[]> {
    return this.track(
      catchUp({
        fanout: this.deps.fanout,
        library: this.deps.library,
        store: this.deps.store,
        global: this.deps.config,
        now: this.now(),
        ...(filter.platform ? { platform: filter.platform } : {}),
      }),
    );
  }

  /** The schedules the jobs run now (keys), for operators and tests. */
  scheduleKeys(): string[] {
    return [...this.jobs.keys()].sort();
  }

  /** Adds a job for every schedule some active subscription needs and drops the unused ones. */
  resync(): void {
    const wanted = new Map<string, DueSchedule>([[scheduleKey(this.global), this.global]]);
    for (const s of this.deps.store.listSubscriptions({ activeOnly: true })) {
      const schedule = this.scheduleFor(s);
      wanted.set(scheduleKey(schedule), schedule);
    }
    for (const [key, job] of this.jobs) {
      if (!wanted.has(key)) {
        void job.task.destroy();
        this.jobs.delete(key);
      }
    }
    for (const [key, schedule] of wanted) {
      if (this.jobs.has(key)) continue;
      const task = cron.schedule(cronExpressionOf(schedule), () => this.tick(schedule), {
        timezone: schedule.timezone,
        name: `digest ${key}`,
        noOverlap: true,
      });
      this.jobs.set(key, { schedule, task });
      this.logger.debug({ schedule: key }, 'schedule job added');
    }
  }

  /** One due time of `schedule`: the newest report to the subscriptions that follow it. */
  tick(schedule: DueSchedule): Promise<DeliveryReport | null> {
    const key = scheduleKey(schedule);
    this.logger.info({ schedule: key }, 'due time');
    return this.track(
      this.deps.fanout.deliverNewest({ where: (s) => scheduleKey(this.scheduleFor(s)) === key }),
    ).catch((error: unknown) => {
      this.logger.error({ err: error, schedule: key }, 'scheduled delivery failed');
      return null;
    });
  }

  /** Stops the jobs and waits for deliveries in progress. */
  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = null;
    this.stopWatching?.();
    this.stopWatching = null;
    for (const job of this.jobs.values()) await job.task.destroy();
    this.jobs.clear();
    await Promise.allSettled([...this.running]);
  }

  private scheduleFor(subscription: Subscription): DueSchedule {
    return scheduleOf(subscription, this.deps.config);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }
}

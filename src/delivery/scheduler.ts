import cron from 'node-cron';
import { silentLogger, type Logger } from '../log.ts';
import type { Store, Subscription } from '../store/store.ts';
import { catchUp, scheduleOf } from './catch-up.ts';
import type { DeliveryReport } from './deliverer.ts';
import { nextDue, scheduleKey, type DueSchedule } from './due-times.ts';
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

  /** Catches up, then starts the jobs, the subscription re-sync and the content-folder watch. */
  async start(): Promise<DeliveryReport[]> {
    const caught = await this.catchUp();
    this.resync();
    this.resyncTimer = setInterval(() => this.resync(), this.deps.resyncMs ?? 60_000);
    this.resyncTimer.unref();
    this.stopWatching =
      this.deps.library.watch?.((change) => {
        for (const entry of change.added) this.logger.info({ slug: entry.slug }, 'new report; it goes out at the next due time');
      }) ?? null;
    return caught;
  }

  /** Start-up catch-up (also callable on its own). */
  catchUp(): Promise<DeliveryReport[]> {
    return this.track(
      catchUp({ fanout: this.deps.fanout, library: this.deps.library, store: this.deps.store, global: this.deps.config, now: this.now() }),
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
    for (const job of this.jobs.values()) if (job.timer) clearTimeout(job.timer);
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

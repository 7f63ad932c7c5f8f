import type { RepostOutcome } from '../commands/types.ts';
import type { Destination, PlatformName } from '../words.ts';
import type { Store } from '../store/store.ts';
import { catchUp } from './catch-up.ts';
import { scheduleOf } from '../schedule/subscription-schedule.ts';
import type { DeliveryReport } from './deliverer.ts';
import { scheduleKey, type DueSchedule } from '../schedule/due-times.ts';
import { repostOutcomeOf, type DeliveryLibrary, type Fanout } from './fanout.ts';

/**
 * The fan-outs the bot runs, written once for whoever decides when they run: the in-process
 * Scheduler (SQLite) and the pg-boss coordinator (PostgreSQL). Which schedules exist, what one due
 * time sends, when a fan-out must be tried again, and a repost that does not repeat itself.
 */

/** One fan-out to do for one platform: what a due time, a start or `/repost` asks (a pg-boss job's data). */
export type FanoutJob =
  | { kind: 'catch-up' }
  | { kind: 'due'; schedule: DueSchedule; dueAt: string }
  | { kind: 'repost'; slug: string; target: Destination | 'all-subscriptions'; requestedBy: string; askedAt: string };

/** config.schedule and config.timezone: the schedule of subscriptions without a time of their own. */
export interface GlobalSchedule {
  schedule: string;
  timezone: string;
}

/** What the fan-out jobs run on. */
export interface FanoutJobDeps {
  fanout: Fanout;
  store: Store;
  library: Pick<DeliveryLibrary, 'entries'>;
  config: GlobalSchedule;
  now: () => Date;
}

/** The global schedule as a DueSchedule. */
export function globalScheduleOf(config: GlobalSchedule): DueSchedule {
  return { kind: 'cron', expression: config.schedule, timezone: config.timezone };
}

/**
 * The schedules that need a job now, by key: the global one (always) and each distinct (time of
 * day, timezone) among the active subscriptions.
 */
export async function wantedSchedules(store: Pick<Store, 'listSubscriptions'>, config: GlobalSchedule): Promise<Map<string, DueSchedule>> {
  const global = globalScheduleOf(config);
  const wanted = new Map<string, DueSchedule>([[scheduleKey(global), global]]);
  for (const s of await store.listSubscriptions({ activeOnly: true })) {
    const schedule = scheduleOf(s, config);
    wanted.set(scheduleKey(schedule), schedule);
  }
  return wanted;
}

/** Why a fan-out must be tried again (the ledger could not record one of its sends), or null. */
export function retryReason(reports: ReadonlyArray<DeliveryReport | null>): string | null {
  for (const report of reports) {
    const reason = report?.results.find((r) => r.ledgerProblem !== null)?.ledgerProblem;
    if (reason) return reason;
  }
  return null;
}

/** One due time of `schedule`: the newest report to the subscriptions that follow it (on one platform, or all). */
export function deliverDue(deps: Pick<FanoutJobDeps, 'fanout' | 'config'>, schedule: DueSchedule, platform?: PlatformName): Promise<DeliveryReport | null> {
  const key = scheduleKey(schedule);
  return deps.fanout.deliverNewest({ ...(platform ? { platform } : {}), where: (s) => scheduleKey(scheduleOf(s, deps.config)) === key });
}

/** The start-up catch-up, for every platform or one. */
export function deliverCatchUp(deps: FanoutJobDeps, platform?: PlatformName): Promise<DeliveryReport[]> {
  return catchUp({ fanout: deps.fanout, library: deps.library, store: deps.store, global: deps.config, now: deps.now(), ...(platform ? { platform } : {}) });
}

/**
 * A `/repost` job for one platform. Run again after its instance died, it skips the destinations
 * the ledger shows delivered as a repost since the request: nothing is posted twice.
 */
export async function deliverRepost(
  deps: Pick<FanoutJobDeps, 'fanout' | 'store'>,
  platform: PlatformName,
  job: Extract<FanoutJob, { kind: 'repost' }>,
): Promise<{ report: DeliveryReport | null; outcome: RepostOutcome }> {
  const { fanout, store } = deps;
  const report = await fanout.reportBySlug(job.slug);
  const asked = job.target === 'all-subscriptions' ? await fanout.audience({ platform }) : [job.target];
  const todo: Destination[] = [];
  let already = 0;
  for (const d of asked) {
    const row = await store.getDelivery(job.slug, d, 'repost');
    if (row?.status === 'delivered' && row.updatedAt >= job.askedAt) already++;
    else todo.push(d);
  }
  const delivered = todo.length > 0 ? await fanout.deliverReport(report, todo, { kind: 'repost', requestedBy: job.requestedBy }) : null;
  const outcome = delivered ? repostOutcomeOf(delivered) : { delivered: 0, failed: 0, deactivated: 0, errors: [] };
  return { report: delivered, outcome: { ...outcome, delivered: outcome.delivered + already } };
}

/**
 * Runs one job for `platform`: the fan-out reports (for retryReason) and what the job answers
 * (pg-boss keeps it as the job's output; `/repost` reads its outcome from there).
 */
export async function runFanoutJob(deps: FanoutJobDeps, platform: PlatformName, job: FanoutJob): Promise<{ reports: Array<DeliveryReport | null>; output: object }> {
  if (job.kind === 'catch-up') {
    const reports = await deliverCatchUp(deps, platform);
    return { reports, output: { fanouts: reports.length } };
  }
  if (job.kind === 'due') {
    const report = await deliverDue(deps, job.schedule, platform);
    return { reports: [report], output: { slug: report?.slug ?? null, ...(report?.byPlatform[platform] ?? {}) } };
  }
  const { report, outcome } = await deliverRepost(deps, platform, job);
  return { reports: [report], output: outcome };
}

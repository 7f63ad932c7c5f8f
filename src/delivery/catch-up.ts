import type { Destination, PlatformName } from '../words.ts';
import { DEFAULT_LOCALE } from '../locale.ts';
import type { Report } from '../report/types.ts';
import type { Store, Subscription } from '../store/store.ts';
import type { DeliveryReport } from './deliverer.ts';
import { previousDue, scheduleKey, type DueSchedule } from '../schedule/due-times.ts';
import { scheduleOf } from '../schedule/subscription-schedule.ts';
import type { DeliveryLibrary, Fanout } from './fanout.ts';
import { describeDestination, missedDatesNote } from './notices.ts';

/** When a report became available: its publish time, else when its file was written. */
export function availableAt(report: Report, entry: { mtimeMs?: number } | undefined): number | null {
  if (report.publishedAt) {
    const ms = Date.parse(report.publishedAt);
    if (!Number.isNaN(ms)) return ms;
  }
  return entry?.mtimeMs ?? null;
}

/** A catch-up decision for one subscription. */
export interface CatchUpPlan {
  subscription: Subscription;
  /** Report dates the destination missed besides the newest, newest first. */
  missedDates: string[];
  /** The due time it missed (its schedule's latest): the report's age is judged against it. */
  due: Date;
}

/**
 * Which active subscriptions missed the newest report while the bot was down: the subscription's
 * latest due time has passed since it subscribed and since the report appeared, and the ledger has
 * no delivery of the report there. Also names the older reports it missed (those newer than the
 * last one it got, or than its subscription), for a one-line note: one message, never a backlog.
 */
export async function planCatchUp(input: {
  newest: Report;
  library: Pick<DeliveryLibrary, 'entries'>;
  store: Store;
  global: { schedule: string; timezone: string };
  now: Date;
  /** Only this platform's subscriptions (a platform catches up once it has started). */
  platform?: PlatformName;
}): Promise<CatchUpPlan[]> {
  const { newest, store, now } = input;
  const entries = input.library.entries();
  const newestEntry = entries.find((e) => e.slug === newest.slug);
  const reportAt = availableAt(newest, newestEntry);
  if (reportAt === null) return [];
  const dueCache = new Map<string, number | null>();
  const dueFor = (schedule: DueSchedule): number | null => {
    const key = scheduleKey(schedule);
    if (!dueCache.has(key)) dueCache.set(key, previousDue(schedule, now)?.getTime() ?? null);
    return dueCache.get(key) ?? null;
  };
  const had = async (d: Destination): Promise<boolean> =>
    (await store.getDelivery(newest.slug, d, 'scheduled'))?.status === 'delivered' ||
    (await store.getDelivery(newest.slug, d, 'repost'))?.status === 'delivered';

  const due: Subscription[] = [];
  const dueAt = new Map<Subscription, number>();
  for (const s of await store.listSubscriptions({ activeOnly: true, ...(input.platform ? { platform: input.platform } : {}) })) {
    const lastDue = dueFor(scheduleOf(s, input.global));
    if (lastDue !== null && lastDue >= reportAt && lastDue > Date.parse(s.subscribedAt) && !(await had(s))) {
      due.push(s);
      dueAt.set(s, lastDue);
    }
  }
  if (due.length === 0) return [];

  // The newest report each destination got, by its last day (the ledger knows slugs; the index dates).
  const dateEndOf = new Map(entries.map((e) => [e.slug, e.dateEnd]));
  const lastGot = new Map<string, string>();
  for (const platform of new Set(due.map((s) => s.platform))) {
    for (const row of await store.listDeliveries({ platform })) {
      const dateEnd = dateEndOf.get(row.slug);
      if (row.status !== 'delivered' || dateEnd === undefined) continue;
      const key = describeDestination(row);
      const prev = lastGot.get(key);
      if (prev === undefined || dateEnd > prev) lastGot.set(key, dateEnd);
    }
  }
  return due.map((subscription) => {
    const subscribedDay = subscription.subscribedAt.slice(0, 10);
    const floor = lastGot.get(describeDestination(subscription));
    const missedDates = entries
      .filter((e) => e.slug !== newest.slug && e.dateEnd < newest.dateEnd)
      .filter((e) => (floor !== undefined ? e.dateEnd > floor : e.dateEnd >= subscribedDay))
      .map((e) => e.dateStart === e.dateEnd ? e.dateEnd : `${e.dateStart}~${e.dateEnd}`);
    return { subscription, missedDates, due: new Date(dueAt.get(subscription) ?? now.getTime()) };
  });
}

/**
 * Start-up catch-up: posts the newest report once to every subscription that missed it, with a
 * note naming the other missed dates (in each subscription's language). Destinations sharing a
 * note share one digest. A report too old for the due time it missed (`delivery.maxReportAgeDays`)
 * goes nowhere; the fan-out says so once in the log.
 */
export async function catchUp(deps: {
  fanout: Fanout;
  library: Pick<DeliveryLibrary, 'entries'>;
  store: Store;
  global: { schedule: string; timezone: string };
  now: Date;
  platform?: PlatformName;
}): Promise<DeliveryReport[]> {
  const newest = await deps.fanout.newestReport();
  if (newest === null) return [];
  const planned = await planCatchUp({ ...deps, newest });
  const plans = planned.filter((plan) => !deps.fanout.tooOld(newest, plan.due, planned.length));
  const byNote = new Map<string, Subscription[]>();
  for (const plan of plans) {
    const note = plan.missedDates.length > 0 ? missedDatesNote(plan.missedDates, plan.subscription.options.language ?? DEFAULT_LOCALE) : '';
    // Appended in place (not copied per subscription: that grew with the square of the audience).
    const group = byNote.get(note);
    if (group) group.push(plan.subscription);
    else byNote.set(note, [plan.subscription]);
  }
  const reports: DeliveryReport[] = [];
  for (const [note, subscriptions] of byNote) {
    reports.push(await deps.fanout.deliverReport(newest, subscriptions, { kind: 'scheduled', requestedBy: null, note: note || null }));
  }
  return reports;
}

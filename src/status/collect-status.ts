import { scheduleOf } from '../schedule/subscription-schedule.ts';
import { localPartsAt, scheduleKey, type DueSchedule } from '../schedule/due-times.ts';
import { nextDue } from '../schedule/due-times.ts';
import { PLATFORM_NAMES, type PlatformName } from '../words.ts';
import type { DeliverySummary, Store, Subscription } from '../store/store.ts';


/** When one subscription (or the global schedule) is next due. */
export interface DueEntry {
  platform: PlatformName;
  chatId: string;
  threadId: string | null;
  title: string | null;
  /** ISO 8601 UTC. */
  at: string;
  /** `YYYY-MM-DD HH:MM` in `timezone`. */
  local: string;
  timezone: string;
  /** `cron:0 9 * * *@Asia/Shanghai` or `daily:08:30@Europe/Berlin`. */
  schedule: string;
}

/** The last fan-out recorded in the ledger (any process: the bot or `digest post`). */
export interface LastFanout {
  slug: string;
  /** ISO 8601 time of the last change of any of its ledger rows. */
  finishedAt: string;
  delivered: number;
  failed: number;
}

/** The facts the status page's first three sections and `digest status` show. */
export interface StatusFacts {
  generatedAt: string;
  subscriptions: Subscription[];
  counts: Record<PlatformName, { active: number; inactive: number }>;
  /** The newest reports in the ledger, newest first. */
  reports: DeliverySummary[];
  lastFanout: LastFanout | null;
  /** The global schedule's next due time (subscriptions without their own time follow it). */
  nextGlobal: { at: string; local: string; timezone: string; schedule: string } | null;
  /** Every active subscription's next due time, soonest first. */
  nextDue: DueEntry[];
}

/** `digest status --json`: a stable subset of StatusFacts. */
export interface StatusJson {
  subscriptions: Record<PlatformName, { active: number; inactive: number }>;
  lastFanout: { slug: string; finishedAt: string; delivered: number; failed: number } | null;
  nextDue: { platform: PlatformName; chatId: string; at: string }[];
}

/** `YYYY-MM-DD HH:MM` of `ms` in `timezone`. */
export function formatLocal(ms: number, timezone: string): string {
  const p = localPartsAt(ms, timezone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

function describeDue(schedule: DueSchedule, now: Date): { at: string; local: string; timezone: string; schedule: string } | null {
  const at = nextDue(schedule, now);
  if (!at) return null;
  return { at: at.toISOString(), local: formatLocal(at.getTime(), schedule.timezone), timezone: schedule.timezone, schedule: scheduleKey(schedule) };
}

/** Reads subscriptions and the ledger (read-only) and works out the next due times. */
export async function collectStatus(input: {
  store: Pick<Store, 'listSubscriptions' | 'summarizeDeliveries'>;
  config: { schedule: string; timezone: string };
  now: Date;
  /** How many of the newest reports to summarise (default 10). */
  reportLimit?: number;
}): Promise<StatusFacts> {
  const { store, config, now } = input;
  const subscriptions = await store.listSubscriptions();
  const counts = Object.fromEntries(PLATFORM_NAMES.map((p) => [p, { active: 0, inactive: 0 }])) as StatusFacts['counts'];
  for (const s of subscriptions) counts[s.platform][s.active ? 'active' : 'inactive'] += 1;
  const reports = await store.summarizeDeliveries(input.reportLimit ?? 10);
  const newest = reports[0];
  const sum = (summary: DeliverySummary, status: 'delivered' | 'failed'): number =>
    PLATFORM_NAMES.reduce((n, p) => n + summary.counts[p][status], 0);
  const lastFanout = newest
    ? { slug: newest.slug, finishedAt: newest.lastAt, delivered: sum(newest, 'delivered'), failed: sum(newest, 'failed') }
    : null;
  // Schedules are shared by many subscriptions: work each one out once.
  const dueBySchedule = new Map<string, ReturnType<typeof describeDue>>();
  const dueOf = (schedule: DueSchedule): ReturnType<typeof describeDue> => {
    const key = scheduleKey(schedule);
    if (!dueBySchedule.has(key)) dueBySchedule.set(key, describeDue(schedule, now));
    return dueBySchedule.get(key) ?? null;
  };
  const nextGlobal = dueOf({ kind: 'cron', expression: config.schedule, timezone: config.timezone });
  const nextDueList: DueEntry[] = [];
  for (const s of subscriptions) {
    if (!s.active) continue;
    const due = dueOf(scheduleOf(s, config));
    if (due) nextDueList.push({ platform: s.platform, chatId: s.chatId, threadId: s.threadId, title: s.title, ...due });
  }
  nextDueList.sort((a, b) => a.at.localeCompare(b.at) || a.platform.localeCompare(b.platform) || a.chatId.localeCompare(b.chatId));
  return { generatedAt: now.toISOString(), subscriptions, counts, reports, lastFanout, nextGlobal, nextDue: nextDueList };
}

/** The stable `--json` shape of `digest status`. */
export function toStatusJson(facts: StatusFacts): StatusJson {
  return {
    subscriptions: facts.counts,
    lastFanout: facts.lastFanout,
    nextDue: facts.nextDue.map(({ platform, chatId, at }) => ({ platform, chatId, at })),
  };
}

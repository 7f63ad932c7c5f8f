import { scheduleOf } from '../delivery/catch-up.ts';
import { nextDue, previousDue, type DueSchedule } from '../delivery/due-times.ts';
import { incompleteness, type Incomplete } from '../report/completeness.ts';
import type { Delivery, Subscription } from '../store/store.ts';
import type { Destination } from '../words.ts';
import type { CommandDeps } from './deps.ts';

/** How many of a destination's ledger rows are read to find its latest digest. */
const ROWS_READ = 20;

/** The newest report when it has not reached the destination yet. */
export interface PendingReport {
  /** Its first day, `YYYY-MM-DD`. */
  date: string;
  /** Held back as incomplete (fewer core points than it announces), or null. */
  held: Incomplete | null;
}

/** Everything `/status` tells about one chat, read from the store, the library and the schedule. */
export interface DeliveryState {
  /** The subscription of this destination (active or stopped), or null when it never had one. */
  subscription: Subscription | null;
  /** The schedule it follows (its own time of day, or the bot's), null when not subscribed. */
  schedule: DueSchedule | null;
  /** Its next due time, null when not subscribed (or no schedule is known). */
  nextDue: Date | null;
  /** Its latest due time up to now, null as nextDue. */
  previousDue: Date | null;
  /** The ledger row that changed last (any kind: scheduled or repost), or null. */
  last: Delivery | null;
  /**
   * When `last` went out, if delivered: its last part's acceptance (a correction in place later
   * changes the row, not this), else the row's last change. Null without a delivered row.
   */
  deliveredAt: string | null;
  /** The newest report, when this destination has no ledger row of it; null otherwise. */
  pending: PendingReport | null;
  /** The zone times are shown in: the subscription's own, else the bot's. */
  timezone: string;
}

/** `2026-01-03` from `twitter_ai_20260103_20260103` (the report's first day), else the slug. */
export function reportDateOf(slug: string): string {
  const match = /(\d{4})(\d{2})(\d{2})(?:_\d{8})?$/.exec(slug);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : slug;
}

/**
 * Reads the delivery state of `destination`. The newest report and the ledger are read as they
 * are now; a library that cannot load its newest report leaves `pending` null rather than failing
 * the whole answer.
 */
export async function readDeliveryState(
  deps: Pick<CommandDeps, 'store' | 'library' | 'timezone' | 'now'> & { schedule?: string },
  destination: Destination,
): Promise<DeliveryState> {
  const now = deps.now();
  const subscription = await deps.store.getSubscription(destination);
  const rows = await deps.store.listDeliveriesTo(destination, ROWS_READ);
  // Rows are listed newest created first; a repost of an old report reuses its row, so the
  // latest activity is the last change.
  const last = rows.reduce<Delivery | null>((latest, row) => (latest === null || row.updatedAt > latest.updatedAt ? row : latest), null);

  let deliveredAt: string | null = null;
  if (last?.status === 'delivered') {
    const parts = await deps.store.listDeliveryParts(last.id);
    deliveredAt = parts.map((part) => part.sentAt).sort().at(-1) ?? last.updatedAt;
  }

  let schedule: DueSchedule | null = null;
  if (subscription?.active) {
    // Its own time of day needs nothing more; the bot's schedule is known only when given.
    const followed = scheduleOf(subscription, { schedule: deps.schedule ?? '', timezone: deps.timezone });
    schedule = followed.kind === 'daily' || deps.schedule !== undefined ? followed : null;
  }
  let pending: PendingReport | null = null;
  if (subscription?.active) {
    const newest = await Promise.resolve()
      .then(() => deps.library.latest())
      .catch(() => null);
    if (newest && !rows.some((row) => row.slug === newest.slug)) {
      pending = { date: newest.dateStart, held: incompleteness(newest) };
    }
  }
  return {
    subscription,
    schedule,
    nextDue: schedule ? nextDue(schedule, now) : null,
    previousDue: schedule ? previousDue(schedule, now) : null,
    last,
    deliveredAt,
    pending,
    timezone: schedule?.timezone ?? subscription?.timezone ?? deps.timezone,
  };
}

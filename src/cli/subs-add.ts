import type { ScheduleChoice } from '../commands/schedule-args.ts';
import type { Destination } from '../words.ts';
import type { Store, Subscription, SubscriptionOptions } from '../store/store.ts';

/** `telegram -100… thread 42`. */
export function describe(destination: Destination): string {
  return `${destination.platform} ${destination.chatId}${destination.threadId ? ` thread ${destination.threadId}` : ''}`;
}

/** What `add` (or one import line) did. */
export type AddOutcome = 'added' | 'reactivated' | 'updated' | 'unchanged';

/** One `add`: the destination with what was given for it. */
export interface AddRequest {
  destination: Destination;
  options: Partial<SubscriptionOptions>;
  optionsGiven: boolean;
  schedule: ScheduleChoice | null;
}

/**
 * Subscribes as /subscribe does: a new or inactive destination is (re)activated with what was
 * given; an active one only changes the time and the options given, the rest kept.
 */
export async function applyAdd(store: Store, request: AddRequest): Promise<{ outcome: AddOutcome; before: Subscription | null; saved: Subscription }> {
  const { destination, options, optionsGiven, schedule } = request;
  const before = await store.getSubscription(destination);
  if (before?.active) {
    if (schedule === null && !optionsGiven) return { outcome: 'unchanged', before, saved: before };
    const saved =
      schedule === null
        ? ((await store.setSubscriptionOptions(destination, options)) ?? before)
        : await store.subscribe({ ...destination, subscribedBy: before.subscribedBy, timeOfDay: schedule.time, timezone: schedule.timezone, ...(optionsGiven ? { options } : {}) });
    return { outcome: 'updated', before, saved };
  }
  const saved = await store.subscribe({
    ...destination,
    subscribedBy: 'cli',
    timeOfDay: schedule?.time ?? null,
    timezone: schedule?.timezone ?? null,
    ...(optionsGiven ? { options } : {}),
  });
  return { outcome: before ? 'reactivated' : 'added', before, saved };
}

/** ` at 08:30 Europe/Berlin` when the subscription has its own time. */
export function describeSchedule(subscription: Subscription): string {
  return subscription.timeOfDay ? ` at ${subscription.timeOfDay} ${subscription.timezone ?? ''}`.trimEnd() : '';
}


import type { Subscription } from '../store/store.ts';
import { cronExpressionOf, type DueSchedule } from './due-times.ts';

/**
 * The schedule a subscription follows: its own time of day, or the global cron schedule (also
 * when its stored time or timezone is unusable, so a bad row never loses its daily post).
 */
export function scheduleOf(subscription: Subscription, global: { schedule: string; timezone: string }): DueSchedule {
  if (subscription.timeOfDay) {
    const daily: DueSchedule = { kind: 'daily', timeOfDay: subscription.timeOfDay, timezone: subscription.timezone ?? global.timezone };
    try {
      cronExpressionOf(daily);
      new Intl.DateTimeFormat('en-US', { timeZone: daily.timezone });
      return daily;
    } catch {
      // Fall through to the global schedule.
    }
  }
  return { kind: 'cron', expression: global.schedule, timezone: global.timezone };
}

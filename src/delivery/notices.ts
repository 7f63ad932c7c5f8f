import { describeDestination } from '../words.ts';
import { messages } from '../i18n/index.ts';
import { DEFAULT_LOCALE, type Locale } from '../locale.ts';
import type { Destination } from '../words.ts';

/**
 * Text delivery writes itself: the catch-up note shown in a digest (the subscription's language,
 * from src/i18n) and the owner notices (operators' language: English, like the logs).
 */

/** How many missed dates a catch-up note names before it just counts the rest. */
export const MISSED_DATES_SHOWN = 7;

/** One line naming the reports a destination missed while the bot was down, in the subscription's language. */
export function missedDatesNote(dates: readonly string[], locale: Locale = DEFAULT_LOCALE): string {
  const m = messages(locale).digest;
  const shown = dates.slice(0, MISSED_DATES_SHOWN).join(m.listSeparator);
  return m.missedDates(shown, dates.length > MISSED_DATES_SHOWN ? dates.length : null);
}


/** What the owners are told about. */
export type OwnerEvent =
  | { kind: 'deactivated'; destination: Destination; reason: string }
  | { kind: 'failed'; destination: Destination; slug: string; reason: string; repeated: boolean };

/** One line per event. */
export function describeOwnerEvent(event: OwnerEvent): string {
  const where = describeDestination(event.destination);
  switch (event.kind) {
    case 'deactivated':
      return `${where}: deactivated (${event.reason}); no more posts there until it subscribes again`;
    case 'failed':
      return `${where}: ${event.slug} ${event.repeated ? 'failed again' : 'failed'} (${event.reason}); retried at the next due time`;
  }
}

export { describeDestination };

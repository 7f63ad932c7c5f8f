import type { Messages } from '../i18n/index.ts';
import { CommandInputError, quotedInput } from './input-error.ts';
import type { CommandArgs } from './types.ts';

/** A subscription's own time of day, in an IANA timezone. */
export interface ScheduleChoice {
  /** `HH:MM`, 00:00–23:59. */
  time: string;
  timezone: string;
}

const TIME = /^(\d{1,2}):(\d{2})$/;

/** `8:30` → `08:30`; null when not a time of day in 00:00–23:59. */
export function normalizeTimeOfDay(input: string): string | null {
  const match = TIME.exec(input.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return null;
  return `${String(hours).padStart(2, '0')}:${match[2]}`;
}

/** The canonical IANA name (`europe/berlin` → `Europe/Berlin`), or null when Intl does not know it. */
export function canonicalTimezone(input: string): string | null {
  const name = input.trim();
  if (name === '') return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * The schedule asked for with `time:` / `tz:`, or null when neither was given. A time without a
 * timezone is in the configured one (recorded explicitly, so the reply and the store agree).
 * Throws CommandInputError with an explanation for a bad time, a bad zone, or a zone alone.
 */
export function readScheduleArgs(args: CommandArgs, defaultTimezone: string, m: Messages): ScheduleChoice | null {
  const timeInput = args.time?.trim() ?? '';
  const tzInput = args.tz?.trim() ?? '';
  if (timeInput === '' && tzInput === '') return null;
  if (timeInput === '') throw new CommandInputError(m.subscribe.timezoneWithoutTime);
  const time = normalizeTimeOfDay(timeInput);
  if (time === null) throw new CommandInputError(m.subscribe.invalidTime(quotedInput(timeInput)));
  const timezone = canonicalTimezone(tzInput === '' ? defaultTimezone : tzInput);
  if (timezone === null) throw new CommandInputError(m.subscribe.invalidTimezone(quotedInput(tzInput)));
  return { time, timezone };
}

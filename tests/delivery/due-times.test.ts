import { describe, expect, it } from 'vitest';
import { cronExpressionOf, nextDue, previousDue, zonedTimeToUtc } from '../../src/schedule/due-times.ts';

const at = (iso: string) => new Date(iso);

describe('previousDue', () => {
  it('puts 08:30 Europe/Berlin at 07:30Z in winter and 06:30Z in summer', () => {
    const berlin = { kind: 'daily', timeOfDay: '08:30', timezone: 'Europe/Berlin' } as const;
    expect(previousDue(berlin, at('2026-01-15T07:45:00Z'))?.toISOString()).toBe('2026-01-15T07:30:00.000Z');
    expect(previousDue(berlin, at('2026-01-15T07:29:59Z'))?.toISOString()).toBe('2026-01-14T07:30:00.000Z');
    expect(previousDue(berlin, at('2026-07-15T06:30:00Z'))?.toISOString()).toBe('2026-07-15T06:30:00.000Z');
  });

  it('follows the global cron expression in its timezone', () => {
    const global = { kind: 'cron', expression: '0 9 * * *', timezone: 'Asia/Shanghai' } as const;
    expect(previousDue(global, at('2026-01-15T00:59:00Z'))?.toISOString()).toBe('2026-01-14T01:00:00.000Z');
    expect(previousDue(global, at('2026-01-15T01:00:00Z'))?.toISOString()).toBe('2026-01-15T01:00:00.000Z');
  });

  it('walks back over days the expression skips (weekly, yearly)', () => {
    // 2026-01-15 is a Thursday; the last Monday 09:00 Shanghai was 2026-01-12.
    const weekly = { kind: 'cron', expression: '0 9 * * 1', timezone: 'Asia/Shanghai' } as const;
    expect(previousDue(weekly, at('2026-01-15T12:00:00Z'))?.toISOString()).toBe('2026-01-12T01:00:00.000Z');
    const yearly = { kind: 'cron', expression: '30 7 1 1 *', timezone: 'UTC' } as const;
    expect(previousDue(yearly, at('2026-01-01T07:29:00Z'))?.toISOString()).toBe('2025-01-01T07:30:00.000Z');
  });

  it('agrees with a per-minute cron in the same minute', () => {
    const everyFive = { kind: 'cron', expression: '*/5 * * * *', timezone: 'America/New_York' } as const;
    expect(previousDue(everyFive, at('2026-03-08T07:04:10Z'))?.toISOString()).toBe('2026-03-08T07:00:00.000Z');
  });
});

describe('zonedTimeToUtc', () => {
  it('handles DST transitions: a time in the spring gap lands at the first instant after it', () => {
    // Berlin skips 02:00–03:00 on 2026-03-29: 02:30 happens at 03:00 CEST (issue 9; it used to be 03:30).
    expect(new Date(zonedTimeToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    // Lord Howe Island moves by half an hour: 02:15 on its spring-forward day happens at 02:30.
    expect(new Date(zonedTimeToUtc({ year: 2026, month: 10, day: 4, hour: 2, minute: 15, second: 0 }, 'Australia/Lord_Howe')).toISOString()).toBe(
      '2026-10-03T15:30:00.000Z',
    );
    // 02:30 happens twice on 2026-10-25: the first (summer time) one.
    expect(new Date(zonedTimeToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
});

describe('nextDue', () => {
  it('is the first due instant strictly after, and the mirror of previousDue', () => {
    const berlin = { kind: 'daily', timeOfDay: '02:30', timezone: 'Europe/Berlin' } as const;
    expect(nextDue(berlin, at('2026-03-28T01:30:00Z'))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(nextDue(berlin, at('2026-03-29T01:00:00Z'))?.toISOString()).toBe('2026-03-30T00:30:00.000Z');
    // Every minute of the gap is one due time at its end (02:00–02:59 → 03:00), then 03:00 itself is the same instant.
    const gapMinutes = { kind: 'cron', expression: '* 2,3 29 3 *', timezone: 'Europe/Berlin' } as const;
    expect(nextDue(gapMinutes, at('2026-03-29T00:59:59Z'))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(nextDue(gapMinutes, at('2026-03-29T01:00:00Z'))?.toISOString()).toBe('2026-03-29T01:01:00.000Z');
    // A weekly schedule skips to the next Monday.
    const weekly = { kind: 'cron', expression: '0 9 * * 1', timezone: 'Asia/Shanghai' } as const;
    expect(nextDue(weekly, at('2026-01-12T01:00:00Z'))?.toISOString()).toBe('2026-01-19T01:00:00.000Z');
  });

  it('around New York’s spring-forward gap, nextDue(previousDue(t)) lies after t: the two see the same due times', () => {
    const everyTen = { kind: 'cron', expression: '*/10 * * * *', timezone: 'America/New_York' } as const;
    for (let ms = Date.parse('2026-03-08T05:00:00Z'); ms < Date.parse('2026-03-08T09:00:00Z'); ms += 7 * 60_000) {
      const previous = previousDue(everyTen, new Date(ms))!;
      const next = nextDue(everyTen, previous)!;
      expect(previous.getTime()).toBeLessThanOrEqual(ms);
      expect(next.getTime()).toBeGreaterThan(ms);
    }
  });
});

describe('cronExpressionOf', () => {
  it('turns a daily time of day into a cron expression and rejects nonsense', () => {
    expect(cronExpressionOf({ kind: 'daily', timeOfDay: '08:30', timezone: 'UTC' })).toBe('30 8 * * *');
    expect(() => cronExpressionOf({ kind: 'daily', timeOfDay: '24:00', timezone: 'UTC' })).toThrow(/HH:MM/);
  });
});

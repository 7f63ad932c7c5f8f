import { describe, expect, it } from 'vitest';
import { cronExpressionOf, previousDue, zonedTimeToUtc } from '../../src/delivery/due-times.ts';

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
  it('handles DST transitions: a time in the spring gap lands after it', () => {
    // Berlin skips 02:00–03:00 on 2026-03-29.
    expect(new Date(zonedTimeToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // 02:30 happens twice on 2026-10-25: the first (summer time) one.
    expect(new Date(zonedTimeToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
});

describe('cronExpressionOf', () => {
  it('turns a daily time of day into a cron expression and rejects nonsense', () => {
    expect(cronExpressionOf({ kind: 'daily', timeOfDay: '08:30', timezone: 'UTC' })).toBe('30 8 * * *');
    expect(() => cronExpressionOf({ kind: 'daily', timeOfDay: '24:00', timezone: 'UTC' })).toThrow(/HH:MM/);
  });
});

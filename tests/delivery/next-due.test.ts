import { describe, expect, it } from 'vitest';
import { nextDue } from '../../src/schedule/due-times.ts';
import { previousDue } from '../../src/schedule/due-times.ts';

describe('nextDue', () => {
  it('a daily time in its own timezone: later today, or tomorrow once passed', () => {
    const schedule = { kind: 'daily', timeOfDay: '08:30', timezone: 'Europe/Berlin' } as const;
    expect(nextDue(schedule, new Date('2026-01-05T06:00:00Z'))?.toISOString()).toBe('2026-01-05T07:30:00.000Z');
    expect(nextDue(schedule, new Date('2026-01-05T07:30:00Z'))?.toISOString()).toBe('2026-01-06T07:30:00.000Z');
  });

  it('across a DST change the local time stays 08:30 (UTC moves by an hour)', () => {
    const schedule = { kind: 'daily', timeOfDay: '08:30', timezone: 'Europe/Berlin' } as const;
    expect(nextDue(schedule, new Date('2026-03-28T08:00:00Z'))?.toISOString()).toBe('2026-03-29T06:30:00.000Z');
  });

  it('cron expressions with node-cron’s matcher, and the inverse of previousDue', () => {
    const weekdays = { kind: 'cron', expression: '0 9 * * 1-5', timezone: 'Asia/Shanghai' } as const;
    // Friday 2026-01-09 10:00 Shanghai → Monday 09:00.
    const next = nextDue(weekdays, new Date('2026-01-09T02:00:00Z'));
    expect(next?.toISOString()).toBe('2026-01-12T01:00:00.000Z');
    expect(previousDue(weekdays, next!)?.toISOString()).toBe(next!.toISOString());
    const yearly = { kind: 'cron', expression: '0 0 1 1 *', timezone: 'UTC' } as const;
    expect(nextDue(yearly, new Date('2026-06-01T00:00:00Z'))?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

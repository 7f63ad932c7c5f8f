import { describe, expect, it } from 'vitest';
import { InvalidDateError } from '../../src/errors.ts';
import { addDays, isCalendarDate, parseUserDate } from '../../src/report/user-date.ts';

const shanghai = { timezone: 'Asia/Shanghai', now: new Date('2026-01-03T12:00:00Z') };

describe('parseUserDate', () => {
  const accepted: Array<[string, string]> = [
    ['2026-01-03', '2026-01-03'],
    ['  2026-01-03  ', '2026-01-03'],
    ['20260103', '2026-01-03'],
    ['2026/1/3', '2026-01-03'],
    ['2026/01/03', '2026-01-03'],
    ['2026.1.3', '2026-01-03'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['2025-12-31', '2025-12-31'],
    ['today', '2026-01-03'],
    ['TODAY', '2026-01-03'],
    [' Yesterday ', '2026-01-02'],
    ['今天', '2026-01-03'],
    ['昨天', '2026-01-02'],
  ];
  for (const [input, expected] of accepted) {
    it(`"${input}" → ${expected}`, () => {
      expect(parseUserDate(input, shanghai)).toBe(expected);
    });
  }

  const rejected = [
    '', 'tomorrow', 'next tuesday', '2026-02-30', '2026-13-01', '2026-00-10', '2026-01-00',
    '2025-02-29', '1900-02-29', '2026-1-3x', '2026/01-03', '202601031', '26-01-03', '2026年1月3日', '03/01/2026',
  ];
  for (const input of rejected) {
    it(`rejects "${input}"`, () => {
      expect(() => parseUserDate(input, shanghai)).toThrow(InvalidDateError);
    });
  }

  it('keeps the input in the error', () => {
    const error = (() => {
      try {
        parseUserDate('2026-02-30', shanghai);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InvalidDateError);
    expect((error as InvalidDateError).input).toBe('2026-02-30');
  });

  describe('today and yesterday follow the configured time zone', () => {
    const cases: Array<[string, string, string, string]> = [
      // now (UTC), timezone, today, yesterday
      ['2026-01-03T17:00:00Z', 'Asia/Shanghai', '2026-01-04', '2026-01-03'],
      ['2026-01-03T15:59:59Z', 'Asia/Shanghai', '2026-01-03', '2026-01-02'],
      ['2026-01-03T17:00:00Z', 'UTC', '2026-01-03', '2026-01-02'],
      ['2026-01-03T03:00:00Z', 'America/New_York', '2026-01-02', '2026-01-01'],
      ['2026-01-01T01:00:00Z', 'America/Los_Angeles', '2025-12-31', '2025-12-30'],
      ['2024-03-01T16:30:00Z', 'Asia/Shanghai', '2024-03-02', '2024-03-01'],
      ['2024-03-01T03:00:00Z', 'UTC', '2024-03-01', '2024-02-29'],
    ];
    for (const [now, timezone, today, yesterday] of cases) {
      it(`${now} in ${timezone}: today ${today}, yesterday ${yesterday}`, () => {
        const options = { timezone, now: new Date(now) };
        expect(parseUserDate('today', options)).toBe(today);
        expect(parseUserDate('yesterday', options)).toBe(yesterday);
        expect(parseUserDate('今天', options)).toBe(today);
        expect(parseUserDate('昨天', options)).toBe(yesterday);
      });
    }
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2026-01-03', true],
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['2026-02-30', false],
    ['2026-13-01', false],
    ['2026-1-3', false],
    ['20260103', false],
    ['2026-01-03T00:00:00Z', false],
  ])('%s → %s', (input, expected) => {
    expect(isCalendarDate(input)).toBe(expected);
  });
});

describe('addDays', () => {
  it.each([
    ['2026-01-01', -1, '2025-12-31'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2026-01-03', 0, '2026-01-03'],
  ])('%s %+d → %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReportParseError } from '../../src/errors.ts';
import { parseReport } from '../../src/report/parse-report.ts';
import { formatCalendarDate, parseUserDate } from '../../src/report/user-date.ts';

const options = { timezone: 'UTC', now: new Date('2026-01-03T00:00:00Z') };

describe('properties', () => {
  it('parseReport returns a report or throws ReportParseError, never anything else', () => {
    const markdownish = fc.array(
      fc.oneof(
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom('---\n', '# ', '### 核心信息\n', '1. **', '**', '：', '\r\n', '\uFEFF', '(2026-01-03 至 2026-01-04)', '- ', '  - ', '![x](wordcloud.jpg)', 'date: 2026-01-03\n'),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(markdownish, fc.constantFrom('/r/twitter_ai_20260103_20260103.md', '/r/notes.md'), (parts, file) => {
        try {
          const report = parseReport(parts.join(''), file);
          expect(report.points.length).toBeGreaterThan(0);
          // A title may be empty (a whitespace-only one is tidied away, with a warning: see
          // parse-variants), a point never is: it has a title or a detail.
          for (const point of report.points) expect(`${point.title}${point.detail}`).not.toBe('');
        } catch (error) {
          expect(error).toBeInstanceOf(ReportParseError);
        }
      }),
      // Always tried too: a bold marker with no title before the colon (once a counterexample).
      { numRuns: 300, examples: [[['### 核心信息\n', '1. **', '：', '![x](wordcloud.jpg)'], '/r/twitter_ai_20260103_20260103.md']] },
    );
  });

  it('every real day parses the same in all accepted spellings', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
        const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
        const iso = formatCalendarDate(y, m, d)!;
        for (const spelling of [iso, iso.replaceAll('-', ''), `${y}/${m}/${d}`, `${y}.${m}.${d}`]) {
          expect(parseUserDate(spelling, options)).toBe(iso);
        }
      }),
    );
  });
});

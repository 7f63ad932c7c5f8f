import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { condenseReport } from '../../src/report/condense.ts';
import type { Report } from '../../src/report/types.ts';
import { renderDiscordMessages } from '../../src/render/discord.ts';
import { renderTelegramCalls } from '../../src/render/telegram.ts';
import { TEST_IMAGE } from './digest-factory.ts';
import { expectDiscordWithinLimits, expectPointsInOrder, expectTelegramValid, squash, unescapeDiscord } from './payload-checks.ts';

/** Text mixing CJK, ASCII, HTML and markdown specials, mentions, emoji (with ZWJ and skin tones) and astral characters. */
const piece = fc.constantFrom(
  '模型', '。', '，', '；', '！', 'GPT-5.2', ' ', '\n', '<', '>', '&', '"', "'", '<think>', '</b>', '&amp;',
  '*', '_', '~', '`', '|', '#', '[', ']', '\\', '- ', '1. ', '@everyone', '@here', '<@123>',
  '😀', '👨‍👩‍👧‍👦', '👍🏽', '🇨🇳', '𠀋', '𝔘', 'é', 'e\u0301', '. ', 'a',
);
const text = (maxLength: number): fc.Arbitrary<string> => fc.array(piece, { maxLength }).map((parts) => parts.join(''));
const longText = fc.oneof(text(30), text(400), fc.tuple(text(20), fc.integer({ min: 1, max: 600 })).map(([t, n]) => t.repeat(n)));

function report(points: { title: string; detail: string }[], headline: string): Report {
  return {
    slug: 'twitter_ai_20260103_20260103',
    file: '/c/x.md',
    dateStart: '2026-01-03',
    dateEnd: '2026-01-03',
    publishedAt: '2026-01-03T14:34:15+08:00',
    headline,
    overview: '',
    points,
    image: null,
    warnings: [],
    contentHash: 'h',
  };
}

describe('rendered payloads for arbitrary report text', () => {
  it('always pass the strict Telegram parser and every Discord limit, keeping every point', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ title: text(40), detail: longText }), { minLength: 1, maxLength: 30 }),
        text(60),
        fc.option(text(40), { nil: null }),
        fc.boolean(),
        fc.integer({ min: 10, max: 1000 }),
        fc.boolean(),
        (points, headline, note, withImage, detailMaxChars, compact) => {
          const digest = condenseReport(
            report(points, headline),
            { detailMaxChars, reportUrlTemplate: 'https://x.test/{slug}?a=1&b="2"', titlePrefix: 'Twitter AI 报告' },
            withImage ? TEST_IMAGE : null,
            note,
          );
          expectPointsInOrder(unescapeDiscord(expectDiscordWithinLimits(renderDiscordMessages(digest, { color: 1 }))), digest.points);
          // Folded details and the report link's preview change no character Telegram counts.
          const telegram = expectTelegramValid(renderTelegramCalls(digest, { collapseDetails: compact, previewReportLink: compact }));
          expectPointsInOrder(telegram, digest.points);
          expect(telegram).toBe(expectTelegramValid(renderTelegramCalls(digest)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('split unshortened overlong points without breaking a tag, an escape or a surrogate pair', () => {
    const huge = fc.tuple(text(30), fc.integer({ min: 100, max: 700 })).map(([t, n]) => t.repeat(n));
    fc.assert(
      fc.property(fc.array(fc.record({ title: text(300), detail: huge }), { minLength: 1, maxLength: 4 }), fc.boolean(), (points, compact) => {
        const digest = { ...condenseReport(report([], '标题'), OPTIONS, TEST_IMAGE), points };
        const discord = squash(unescapeDiscord(expectDiscordWithinLimits(renderDiscordMessages(digest, { color: 1 }))));
        const telegram = squash(expectTelegramValid(renderTelegramCalls(digest, { collapseDetails: compact })));
        for (const point of points) {
          expect(discord).toContain(squash(point.detail).slice(0, 200));
          expect(telegram).toContain(squash(point.detail).slice(-200));
        }
      }),
      { numRuns: 30 },
    );
  });
});

const OPTIONS = { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' };

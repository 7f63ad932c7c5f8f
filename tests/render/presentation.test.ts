import { describe, expect, it } from 'vitest';
import { DiscordDigestRenderings } from '../../src/platforms/discord/digest-renderings.ts';
import { DEFAULT_PRESENTATION } from '../../src/platforms/platform.ts';
import { renderDiscordMessages } from '../../src/render/discord.ts';
import { IS_COMPONENTS_V2 } from '../../src/render/payload-types.ts';
import { renderTelegramCalls } from '../../src/render/telegram.ts';
import { sampleDigest } from '../helpers/fake-telegram-harness.ts';

/** A weekly digest with navigation and a full-report link: every label of ours shows. */
function weekly() {
  return {
    ...sampleDigest({ imageBytes: 100 }),
    dateStart: '2026-01-05',
    dateEnd: '2026-01-11',
    title: 'Twitter AI 报告 · 2026-01-05 至 2026-01-11',
    navigation: { previous: '2026-01-03', next: null },
  };
}

describe('the digest’s own labels follow the locale; the report’s text does not', () => {
  it('Telegram: title range, published, full report link and button', () => {
    const digest = weekly();
    const zh = renderTelegramCalls(digest);
    const en = renderTelegramCalls(digest, { locale: 'en' });
    expect(zh[0]!.params).toMatchObject({ caption: expect.stringContaining('2026-01-05 至 2026-01-11') });
    expect(en[0]!.params).toMatchObject({ caption: expect.stringContaining('Twitter AI 报告 · 2026-01-05 to 2026-01-11') });
    expect(JSON.stringify(en)).toContain('Published 2026-01-03 14:34');
    expect(JSON.stringify(en)).toContain('>Full report</a>');
    expect(JSON.stringify(en)).not.toMatch(/完整报告|发布于| 至 /);
    // Same calls otherwise: swapping the labels back gives the Chinese rendering exactly.
    const back = JSON.stringify(en).replaceAll('Full report', '完整报告').replace('Published', '发布于').replaceAll('2026-01-05 to 2026-01-11', '2026-01-05 至 2026-01-11');
    expect(back).toBe(JSON.stringify(zh));
  });

  it('Discord: title range and the full-report button', () => {
    const digest = weekly();
    const en = renderDiscordMessages(digest, { color: 1, locale: 'en' });
    expect(en[0]!.body.embeds[0]!.title).toBe('Twitter AI 报告 · 2026-01-05 to 2026-01-11');
    expect(JSON.stringify(en[0]!.body.components)).toContain('"label":"Full report"');
    expect(renderDiscordMessages(digest, { color: 1 })[0]!.body.embeds[0]!.title).toBe(digest.title);
  });

  it('Discord: a role id that is not a snowflake is never put in the content', () => {
    const [first] = renderDiscordMessages(weekly(), { color: 1, mentionRoleId: '@everyone' });
    expect(first!.body.content).toBeUndefined();
    expect(first!.body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('DiscordDigestRenderings', () => {
  it('renders once per digest and distinct presentation, however many channels', () => {
    const renderings = new DiscordDigestRenderings(1, 'embeds');
    const digest = weekly();
    const withRole = { ...DEFAULT_PRESENTATION, mentionRoleId: '42' };
    for (let channel = 0; channel < 100; channel += 1) {
      renderings.messagesFor(digest, channel % 2 === 0 ? DEFAULT_PRESENTATION : { ...withRole });
    }
    expect(renderings.renderCount).toBe(2);
    expect(renderings.messagesFor(digest, withRole)[0]!.body).toMatchObject({ content: '<@&42>' });
    expect(renderings.messagesFor(digest, DEFAULT_PRESENTATION)[0]!.body).not.toHaveProperty('content');
    renderings.messagesFor({ ...digest }, DEFAULT_PRESENTATION);
    expect(renderings.renderCount).toBe(3);
  });

  it('a subscription’s layout wins over the configured one; null means the configured one', () => {
    const digest = weekly();
    const configuredV2 = new DiscordDigestRenderings(1, 'components');
    const configuredEmbeds = new DiscordDigestRenderings(1, 'embeds');
    const flagsOf = (renderings: DiscordDigestRenderings, layout: 'components' | 'embeds' | null) =>
      renderings.messagesFor(digest, { ...DEFAULT_PRESENTATION, layout }).map((m) => m.body.flags ?? 0);
    expect(flagsOf(configuredV2, null)).toEqual([IS_COMPONENTS_V2]);
    expect(flagsOf(configuredV2, 'embeds')).toEqual([0]);
    expect(flagsOf(configuredEmbeds, null)).toEqual([0]);
    expect(flagsOf(configuredEmbeds, 'components')).toEqual([IS_COMPONENTS_V2]);
    // Default and explicit layout share a rendering, distinct layouts do not.
    configuredV2.messagesFor(digest, { ...DEFAULT_PRESENTATION, layout: 'components' });
    expect(configuredV2.renderCount).toBe(2);
  });
});

describe('the catch-up note follows the subscription language', () => {
  it('names the missed dates in zh (as before) and en', async () => {
    const { missedDatesNote } = await import('../../src/delivery/notices.ts');
    const dates = ['2026-01-01', '2026-01-02'];
    expect(missedDatesNote(dates)).toBe('错过的日报：2026-01-01、2026-01-02');
    expect(missedDatesNote(dates, 'en')).toBe('Missed reports: 2026-01-01, 2026-01-02');
    const many = Array.from({ length: 9 }, (_, i) => `2026-01-0${i + 1}`);
    expect(missedDatesNote(many)).toMatch(/ 等 9 期$/);
    expect(missedDatesNote(many, 'en')).toMatch(/\(9 in all\)$/);
  });
});

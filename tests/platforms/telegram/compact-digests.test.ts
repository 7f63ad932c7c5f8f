import { afterEach, describe, expect, it } from 'vitest';
import type { Destination, DigestPresentation, SentPart } from '../../../src/platforms/platform.ts';
import { sampleDigest, startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';

/**
 * Compact digests through the real adapter (grammY) to the fake Bot API: the details folded in
 * expandable blockquotes by default, as a subscription or the configuration chooses, and link
 * previews only ever of the full-report link.
 */

const GROUP = -1008008;
const to: Destination = { platform: 'telegram', chatId: String(GROUP), threadId: null };
const base: DigestPresentation = { mentionRoleId: null, silent: false, withImage: false, locale: 'zh' };

let h: TelegramHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function harness(options: { collapseDetails?: boolean; previewReportLink?: boolean } = {}): Promise<TelegramHarness> {
  h = await startTelegramHarness(options);
  h.fake.addChat({ id: GROUP, type: 'supergroup', title: 'g' });
  return h;
}

/** The HTML of the text messages the fake accepted. */
const texts = (t: TelegramHarness): string[] => t.fake.sent.filter((m) => m.method === 'sendMessage').map((m) => m.text ?? '');

describe('Telegram compact digests', () => {
  it('by default every point\'s detail arrives in an expandable blockquote under its bold title; previews are off', async () => {
    const t = await harness();
    await t.platform.sendDigest(to, sampleDigest(), 'c-1', { presentation: base });
    const html = texts(t).join('\n');
    for (let i = 1; i <= 10; i++) expect(html).toContain(`<b>${i}. 要点 ${i} &lt;b&gt;</b>\n<blockquote expandable>细节 ${i} &amp; &quot;引用&quot;</blockquote>`);
    expect(t.fake.sent.filter((m) => m.method === 'sendMessage').every((m) => JSON.stringify(m.linkPreview) === JSON.stringify({ is_disabled: true }))).toBe(true);
  });

  it('a subscription that chose full details gets them unfolded; one that chose folded gets them folded whatever the configuration says', async () => {
    const t = await harness({ collapseDetails: false });
    await t.platform.sendDigest(to, sampleDigest(), 'c-2', { presentation: base });
    expect(texts(t).join('')).not.toContain('blockquote');
    const unfolded = t.fake.sent.map((m) => m.plainText);
    t.fake.resetRecordings();
    await t.platform.sendDigest(to, sampleDigest(), 'c-3', { presentation: { ...base, collapseDetails: true } });
    expect(texts(t).join('').split('<blockquote expandable>')).toHaveLength(11);
    // Folding changes how the text looks, not the text: the same characters, the same messages.
    expect(t.fake.sent.map((m) => m.plainText)).toEqual(unfolded);
    t.fake.resetRecordings();
    await t.platform.sendDigest(to, sampleDigest(), 'c-4', { presentation: { ...base, collapseDetails: null } });
    expect(texts(t).join('')).not.toContain('blockquote');
  });

  it('a correction edits a folded digest into the corrected one, still folded', async () => {
    const t = await harness();
    const parts: SentPart[] = [];
    await t.platform.sendDigest(to, sampleDigest(), 'c-7', { presentation: base, sentParts: [], onPartAccepted: (p) => void parts.push(p) });
    const corrected = { ...sampleDigest(), points: sampleDigest().points.map((p, i) => (i === 0 ? { ...p, detail: '更正后的细节' } : p)) };
    expect(await t.platform.editDigest!(to, corrected, parts, base)).toMatchObject({ status: 'edited' });
    const text = t.fake.message(GROUP, Number(parts[0]!.messageId))?.text ?? '';
    expect(text).toContain('<blockquote expandable>更正后的细节</blockquote>');
    expect(text.split('<blockquote expandable>')).toHaveLength(11);
  });

  it('telegram.previewReportLink: the message with the full-report link previews that link, large; a point\'s link never', async () => {
    const t = await harness({ previewReportLink: true });
    const digest = { ...sampleDigest({ imageBytes: 2048 }), points: Array.from({ length: 10 }, (_, i) => ({ title: `要点 ${i + 1} https://x.test/p${i}`, detail: `细节 ${i + 1} `.repeat(200) })) };
    await t.platform.sendDigest(to, digest, 'c-5', { presentation: { ...base, withImage: true } });
    const messages = t.fake.sent.filter((m) => m.method === 'sendMessage');
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.at(-1)!.linkPreview).toEqual({ url: 'https://example.com/r?a=1&b=2', prefer_large_media: true });
    expect(messages.at(-1)!.text).toContain('<a href="https://example.com/r?a=1&amp;b=2">完整报告</a>');
    expect(messages.slice(0, -1).every((m) => JSON.stringify(m.linkPreview) === JSON.stringify({ is_disabled: true }))).toBe(true);
    // Without a report link there is nothing to preview.
    t.fake.resetRecordings();
    await t.platform.sendDigest(to, { ...digest, url: null }, 'c-6', { presentation: base });
    expect(t.fake.sent.every((m) => JSON.stringify(m.linkPreview) === JSON.stringify({ is_disabled: true }))).toBe(true);
  });
});

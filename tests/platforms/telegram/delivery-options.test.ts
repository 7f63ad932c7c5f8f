import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Destination, DigestPresentation, SentPart } from '../../../src/platforms/platform.ts';
import { sampleDigest, startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';

const GROUP = -1005005;
const to: Destination = { platform: 'telegram', chatId: String(GROUP), threadId: null };
const quiet: DigestPresentation = { mentionRoleId: null, silent: true, withImage: false, locale: 'en' };

/** A digest with a picture and long points: several text messages. */
function longDigest() {
  const base = sampleDigest({ imageBytes: 2048, slug: 'twitter_ai_20260104_20260104' });
  return { ...base, points: Array.from({ length: 10 }, (_, i) => ({ title: `要点 ${i + 1}`, detail: `细节 ${i + 1} `.repeat(180) })) };
}

describe('Telegram delivery options and the part ledger', () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness();
    h.fake.addChat({ id: GROUP, type: 'supergroup', title: 'g' });
  });
  afterAll(() => h.close());
  afterEach(() => h.fake.resetRecordings());

  it('word cloud off: text-only parts from index 0, all silent; a resume continues that rendering and stays silent', async () => {
    const digest = longDigest();
    const parts: SentPart[] = [];
    const first = await h.platform.sendDigest(to, digest, 'k-b', { presentation: quiet, sentParts: [], onPartAccepted: (p) => void parts.push(p) });
    const whole = h.fake.sent.length;
    expect(whole).toBeGreaterThan(1);
    expect(h.fake.sent.every((m) => m.method === 'sendMessage' && m.silent)).toBe(true);
    expect(parts.map((p) => [p.index, p.plan])).toEqual(first.messageIds.map((_, i) => [i, 'text-only']));
    h.fake.resetRecordings();

    // A crash after the first two parts: the resume sends only the rest, same rendering, still silent.
    const resumed = await h.platform.sendDigest(to, digest, 'k-b', { presentation: quiet, sentParts: parts.slice(0, 2) });
    expect(h.fake.sent).toHaveLength(whole - 2);
    expect(h.fake.sent.every((m) => m.silent)).toBe(true);
    expect(resumed.messageIds.slice(0, 2)).toEqual(first.messageIds.slice(0, 2));
  });

  it('with the word cloud on (default), the photo goes first and nothing is silent', async () => {
    await h.platform.sendDigest(to, longDigest(), 'k-c');
    expect(h.fake.sent[0]!.method).toBe('sendPhoto');
    expect(h.fake.sent.some((m) => m.silent)).toBe(false);
  });

  it('parts of the picture rendering are not matched by index after the word cloud was turned off: the digest goes again whole', async () => {
    const digest = longDigest();
    const parts: SentPart[] = [];
    await h.platform.sendDigest(to, digest, 'k-d', { sentParts: [], onPartAccepted: (p) => void parts.push(p) });
    h.fake.resetRecordings();
    await h.platform.sendDigest(to, digest, 'k-d', { presentation: quiet, sentParts: parts.slice(0, 2) });
    const resent = h.fake.sent.map((m) => m.method);
    h.fake.resetRecordings();
    await h.platform.sendDigest(to, digest, 'k-e', { presentation: quiet, sentParts: [] });
    // The whole text-only digest, not the tail of the picture rendering.
    expect(resent).toEqual(h.fake.sent.map((m) => m.method));
    expect(resent.every((m) => m === 'sendMessage')).toBe(true);
  });
});

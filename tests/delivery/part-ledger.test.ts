import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Deliverer, STOPPED_REASON } from '../../src/delivery/deliverer.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { sampleDigest, startTelegramHarness, type TelegramHarness } from '../helpers/fake-telegram-harness.ts';
import { ScriptedPlatform, testDigest } from './scripted-platform.ts';

/**
 * The per-part ledger through the real Telegram adapter (grammY against the fake Bot API): each
 * accepted photo and text chunk is recorded at once, and a row left `sending` resumes at its first
 * unrecorded part.
 */

const SLUG = 'twitter_ai_20260103_20260103';
const CHAT = 4201;
const to = (chatId: number): Destination => ({ platform: 'telegram', chatId: String(chatId), threadId: null });

let h: TelegramHarness;
let store: SqliteStore;

function deliverer(maxAttempts = 3): Deliverer {
  return new Deliverer({
    store,
    platforms: { telegram: h.platform },
    policy: { maxAttempts, backoffBaseMs: 1, backoffCapMs: 2 },
    sleep: async () => undefined,
  });
}

beforeAll(async () => {
  h = await startTelegramHarness({ retry: { maxAttempts: 1 } });
  h.fake.addChat({ id: CHAT, type: 'private' });
});
afterAll(() => h.close());
beforeEach(async () => {
  h.fake.resetRecordings();
  store = await SqliteStore.open(':memory:');
  await store.subscribe({ ...to(CHAT), subscribedBy: 'cli' });
});

describe('the ledger per digest part (Telegram)', () => {
  it('records the photo and each text chunk as Telegram accepts them, and keeps every id when delivered', async () => {
    const digest = sampleDigest({ imageBytes: 100 });
    const report = await deliverer().deliver({ slug: SLUG, digest, destinations: [to(CHAT)], kind: 'scheduled' });
    expect(report.results[0]!.outcome).toBe('delivered');
    const row = (await store.getDelivery(SLUG, to(CHAT), 'scheduled'))!;
    const sentIds = h.fake.sent.map((m) => String(m.messageId));
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect((await store.listDeliveryParts(row.id)).map((p) => ({ index: p.index, messageId: p.messageId }))).toEqual(
      sentIds.map((messageId, index) => ({ index, messageId })),
    );
    expect(row.messageIds).toEqual(sentIds);
  });

  it('a row a crashed process left `sending` after its photo resumes at the text: the photo is not sent again', async () => {
    const digest = sampleDigest({ imageBytes: 100 });
    // What the crashed process left: the row claimed, its photo accepted (message 555) and recorded.
    const { delivery } = await store.claimDelivery({ slug: SLUG, destination: to(CHAT), kind: 'scheduled' });
    await store.recordDeliveryPart(delivery.id, { index: 0, messageId: '555', plan: '' });

    const report = await deliverer().deliver({ slug: SLUG, digest, destinations: [to(CHAT)], kind: 'scheduled' });
    expect(report.results[0]!.outcome).toBe('delivered');
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendMessage']);
    expect((await store.getDelivery(SLUG, to(CHAT), 'scheduled'))!.messageIds).toEqual(['555', String(h.fake.sent[0]!.messageId)]);
  });

  it('a failed row tried again at the next due time sends only what did not go out', async () => {
    const digest = sampleDigest({ imageBytes: 100 });
    h.fake.failNext('sendMessage', { chatId: CHAT, status: 500, times: 1 });
    const first = await deliverer(1).deliver({ slug: SLUG, digest, destinations: [to(CHAT)], kind: 'scheduled' });
    expect(first.results[0]!.outcome).toBe('failed');
    const row = (await store.getDelivery(SLUG, to(CHAT), 'scheduled'))!;
    expect((await store.listDeliveryParts(row.id)).map((p) => p.index)).toEqual([0]);

    // A new process (nothing in memory) at the next due time.
    const second = await deliverer().deliver({ slug: SLUG, digest, destinations: [to(CHAT)], kind: 'scheduled' });
    expect(second.results[0]!.outcome).toBe('delivered');
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
  });

  it('a resumed row whose picture had been dropped continues its text-only rendering', async () => {
    const digest = sampleDigest({ imageBytes: 100 });
    const { delivery } = await store.claimDelivery({ slug: SLUG, destination: to(CHAT), kind: 'scheduled' });
    // The earlier run dropped the picture and got the (only) text-only message out.
    await store.recordDeliveryPart(delivery.id, { index: 0, messageId: '777', plan: 'text-only' });
    const report = await deliverer().deliver({ slug: SLUG, digest, destinations: [to(CHAT)], kind: 'scheduled' });
    expect(report.results[0]).toMatchObject({ outcome: 'delivered', imageDropped: true, messageIds: ['777'] });
    expect(h.fake.sent).toEqual([]);
  });

  it('parts of a rendering that no longer applies (the picture is gone now) are not matched by index: the digest goes whole', async () => {
    const { delivery } = await store.claimDelivery({ slug: SLUG, destination: to(CHAT), kind: 'scheduled' });
    // The crashed run had the picture (plan '') and got the photo out; this run has no picture.
    await store.recordDeliveryPart(delivery.id, { index: 0, messageId: '888', plan: '' });
    const report = await deliverer().deliver({ slug: SLUG, digest: sampleDigest(), destinations: [to(CHAT)], kind: 'scheduled' });
    expect(report.results[0]!.outcome).toBe('delivered');
    // The text-only rendering's first message carries the points: it is sent, not skipped.
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendMessage']);
    expect(h.fake.sent[0]!.plainText).toContain('要点 1');
  });

  it('a part whose ledger write failed is held: no retry goes out meanwhile, and it is never sent again', async () => {
    const digest = sampleDigest({ imageBytes: 100 });
    const failing = Object.create(store) as SqliteStore;
    let refuse = true;
    failing.recordDeliveryPart = (...args) => {
      if (refuse) throw new Error('disk I/O error');
      return store.recordDeliveryPart(...args);
    };
    h.fake.failNext('sendMessage', { chatId: CHAT, status: 500, times: 1 });
    const d = new Deliverer({ store: failing, platforms: { telegram: h.platform }, policy: { maxAttempts: 3, backoffBaseMs: 1, backoffCapMs: 2 }, sleep: async () => undefined });
    const request = { slug: SLUG, digest, destinations: [to(CHAT)], kind: 'scheduled' as const };
    const first = await d.deliver(request);
    // The photo's record is held: the text's retry waits rather than go out unrecorded too.
    expect(first.results[0]).toMatchObject({ outcome: 'failed', ledgerProblem: expect.stringContaining('disk I/O error') });
    expect(d.ledger.heldCount).toBe(1);
    refuse = false;
    const second = await d.deliver(request);
    expect(second.results[0]!.outcome).toBe('delivered');
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
  });

  it('a repost of a delivered report starts a fresh set of parts', async () => {
    const digest = sampleDigest({ imageBytes: 100 });
    const request = { slug: SLUG, digest, destinations: [to(CHAT)], kind: 'repost' as const, requestedBy: 'cli' };
    await deliverer().deliver(request);
    await deliverer().deliver(request);
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage', 'sendPhoto', 'sendMessage']);
    const row = (await store.getDelivery(SLUG, to(CHAT), 'repost'))!;
    expect((await store.listDeliveryParts(row.id)).map((p) => p.messageId)).toEqual(h.fake.sent.slice(2).map((m) => String(m.messageId)));
  });
});

describe('Deliverer.stop()', () => {
  it('starts no new destination or retry; the send in flight finishes and unfinished rows stay resumable', async () => {
    const platform = new ScriptedPlatform('telegram');
    let release = (): void => undefined;
    const hang = new Promise<void>((resolve) => (release = resolve));
    platform.script('1', { hang }).script('2', { fail: 'transient' });
    const d = new Deliverer({
      store,
      platforms: { telegram: platform },
      policy: { maxAttempts: 5, backoffBaseMs: 60_000, backoffCapMs: 60_000 },
      concurrency: { telegram: 2 },
    });
    const destinations = ['1', '2', '3'].map((id): Destination => ({ platform: 'telegram', chatId: id, threadId: null }));
    const running = d.deliver({ slug: SLUG, digest: testDigest(), destinations, kind: 'scheduled' });
    // Chat 1 hangs in flight; chat 2 failed once and waits a minute for its retry.
    await new Promise((resolve) => setTimeout(resolve, 20));
    d.stop();
    release();
    const report = await running;
    expect(report.results.map((r) => [r.destination.chatId, r.outcome, r.reason])).toEqual([
      ['1', 'delivered', null],
      ['2', 'failed', STOPPED_REASON],
      ['3', 'failed', STOPPED_REASON],
    ]);
    // Chat 2 is left `sending` for the next start (not marked failed); chat 3 was never claimed.
    expect((await store.getDelivery(SLUG, destinations[1]!, 'scheduled'))?.status).toBe('sending');
    expect(await store.getDelivery(SLUG, destinations[2]!, 'scheduled')).toBeNull();
    expect(platform.attempts.map((a) => a.destination.chatId)).toEqual(['1', '2']);
  });
});

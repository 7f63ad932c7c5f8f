import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { applyOutcomeJournal, OutcomeJournal } from '../../src/delivery/outcome-journal.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { sampleDigest, startTelegramHarness, type TelegramHarness } from '../helpers/fake-telegram-harness.ts';
import type { SentMessage } from '../helpers/fake-telegram.ts';
import { until } from '../helpers/until.ts';
import { FaultyStore } from './faulty-store.ts';

/**
 * Issue 16 §6: the disk fills up mid-fan-out, so delivered outcomes are held in memory; then the
 * bot is stopped (SIGTERM) and started again. At the stop the held outcomes are written once more
 * (the operator freed space first) or, still refused, kept in `<database>.journal`, which the next
 * start applies before sending: the restart repeats nothing. Real Telegram adapter, fake Bot API,
 * the disk-full error injected as SqliteStore raises it.
 */

const SLUG = 'twitter_ai_20260103_20260103';
const CHATS = Array.from({ length: 40 }, (_, i) => -1009500 - i);
const to = (chatId: number): Destination => ({ platform: 'telegram', chatId: String(chatId), threadId: null });
const WRITES: Array<keyof Store> = ['claimDelivery', 'recordAttempt', 'recordDeliveryPart', 'markDelivered', 'markFailed', 'restartDelivery'];

let h: TelegramHarness;
let dir: string;
let sqlite: SqliteStore;

beforeEach(async () => {
  h = await startTelegramHarness({ retry: { maxAttempts: 1 } });
  for (const id of CHATS) h.fake.addChat({ id, type: 'supergroup', title: `g${id}` });
  dir = mkdtempSync(path.join(tmpdir(), 'outcome-journal-'));
  sqlite = await SqliteStore.open(path.join(dir, 'digest.db'));
  for (const id of CHATS) await sqlite.subscribe({ ...to(id), subscribedBy: 'cli' });
});
afterEach(async () => {
  await h.close();
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

function deliverer(store: Store, journal: OutcomeJournal | null): Deliverer {
  return new Deliverer({
    store,
    platforms: { telegram: h.platform },
    policy: { maxAttempts: 2, backoffBaseMs: 1, backoffCapMs: 2 },
    ledgerRetry: { attempts: 2, delayMs: 1, flushEveryMs: 60_000 },
    sleep: async () => undefined,
    journal,
  });
}

function repeats(sent: readonly SentMessage[]): number {
  return sent.length - new Set(sent.map((m) => `${m.chatId}|${m.method}|${m.text ?? ''}`)).size;
}

/**
 * A fan-out during which the disk fills up after 15 accepted messages, stopped (SIGTERM) once the
 * sends that could go out have: the others wait for the held outcomes to be written.
 */
async function fanOutIntoFullDisk(faulty: FaultyStore, journal: OutcomeJournal | null): Promise<Deliverer> {
  const d = deliverer(faulty.store, journal);
  h.fake.afterAccept = () => {
    if (h.fake.sent.length >= 15) faulty.fail(...WRITES);
  };
  const running = d.deliver({ slug: SLUG, digest: sampleDigest({ imageBytes: 100 }), destinations: CHATS.map(to), kind: 'scheduled' });
  await until('outcomes held', () => d.ledger.heldCount > 0 || null);
  let last = -1;
  await until('the sends to stop', async () => {
    const now = h.fake.sent.length;
    const quiet = now === last;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 200));
    return quiet || null;
  });
  h.fake.afterAccept = null;
  d.stop();
  await running;
  return d;
}

/** The next start: journal applied first, then the same fan-out on the healthy database. */
async function restart(journal: OutcomeJournal): Promise<void> {
  await applyOutcomeJournal(sqlite, journal);
  const report = await deliverer(sqlite, journal).deliver({ slug: SLUG, digest: sampleDigest({ imageBytes: 100 }), destinations: CHATS.map(to), kind: 'scheduled' });
  expect(report.results.filter((r) => r.outcome === 'failed')).toEqual([]);
}

describe('outcomes held on a full disk, then a stop and a restart', () => {
  it('still full at the stop: they go to the journal, the next start records them first, nothing repeats', async () => {
    const faulty = new FaultyStore(sqlite);
    const journal = new OutcomeJournal(path.join(dir, 'digest.db.journal'));
    const d = await fanOutIntoFullDisk(faulty, journal);
    const held = d.ledger.heldCount;
    expect(await d.ledger.finish()).toBe(held);
    expect(journal.read()).toHaveLength(held);

    faulty.heal();
    await restart(journal);
    expect(existsSync(journal.file)).toBe(false);
    expect(new Set(h.fake.sent.map((m) => m.chatId)).size).toBe(CHATS.length);
    expect(repeats(h.fake.sent)).toBe(0);
  });

  it('space freed before the stop: they are written at the stop, no journal, nothing repeats', async () => {
    const faulty = new FaultyStore(sqlite);
    const journal = new OutcomeJournal(path.join(dir, 'digest.db.journal'));
    const d = await fanOutIntoFullDisk(faulty, journal);
    faulty.heal();
    expect(await d.ledger.finish()).toBe(0);
    expect(existsSync(journal.file)).toBe(false);
    await restart(journal);
    expect(repeats(h.fake.sent)).toBe(0);
  });

  it('a journal whose last line was cut short by a crash is applied without it', async () => {
    const journal = new OutcomeJournal(path.join(dir, 'digest.db.journal'));
    const { delivery } = await sqlite.claimDelivery({ slug: SLUG, destination: to(CHATS[0]!), kind: 'scheduled' });
    journal.append([{ type: 'part', deliveryId: delivery.id, part: { index: 0, messageId: '71', plan: '' } }]);
    writeFileSync(journal.file, '{"type":"delivered","deliv', { flag: 'a' });
    expect(await applyOutcomeJournal(sqlite, journal)).toBe(1);
    expect((await sqlite.listDeliveryParts(delivery.id)).map((p) => p.messageId)).toEqual(['71']);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import type { DigestBuilder } from '../../src/digest-builder.ts';
import { createDelivery, DISCORD_UNRECORDED_SENDS, PAID_BROADCAST_UNRECORDED_SENDS } from '../../src/delivery/create-delivery.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import type { FanoutLock } from '../../src/delivery/fanout-lock.ts';
import type { DeliveryLibrary } from '../../src/delivery/fanout.ts';
import { silentLogger } from '../../src/log.ts';
import { UnrecordedSends } from '../../src/delivery/unrecorded-sends.ts';
import type { Destination, SendDigestOptions, SendResult, SentPart } from '../../src/platforms/platform.ts';
import type { Digest } from '../../src/report/digest-types.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { sampleDigest, startTelegramHarness, type TelegramHarness } from '../helpers/fake-telegram-harness.ts';
import type { SentMessage } from '../helpers/fake-telegram.ts';
import { ROOT_DIR } from '../helpers/node-process.ts';
import { until } from '../helpers/until.ts';
import { ScriptedPlatform, testDigest } from './scripted-platform.ts';

/**
 * A database that stops answering in the middle of a fan-out (its calls neither succeed nor fail:
 * a PostgreSQL server behind a network that drops packets) must not let sends pile up unrecorded:
 * at most `maxUnrecordedSends` (2) messages go out whose part is not in the ledger, so a restart
 * then repeats at most that many, and once the database answers again nothing repeats at all.
 * Through the real Telegram adapter against the fake Bot API.
 */

const SLUG = 'twitter_ai_20260103_20260103';
const CHATS = Array.from({ length: 60 }, (_, i) => -1009000 - i);
const to = (chatId: number): Destination => ({ platform: 'telegram', chatId: String(chatId), threadId: null });

/** A store whose every call, once `silence()`d, waits until `answer()` (forever if never called). */
function silentStore(inner: Store): { store: Store; silence(): void; answer(): void } {
  let silent = false;
  let wake: () => void = () => undefined;
  let woken = new Promise<void>((resolve) => (wake = resolve));
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const call = () => (value as (...a: unknown[]) => unknown).apply(target, args);
        return silent ? woken.then(call) : call();
      };
    },
  });
  return {
    store,
    silence: () => {
      silent = true;
      woken = new Promise<void>((resolve) => (wake = resolve));
    },
    answer: () => {
      silent = false;
      wake();
    },
  };
}

/** Messages beyond the first of each identical (chat, method, text): what readers saw twice. */
function repeats(sent: readonly SentMessage[]): number {
  return sent.length - new Set(sent.map((m) => `${m.chatId}|${m.method}|${m.text ?? ''}`)).size;
}

let h: TelegramHarness;
let inner: SqliteStore;

beforeEach(async () => {
  h = await startTelegramHarness({ retry: { maxAttempts: 1 } });
  for (const id of CHATS) h.fake.addChat({ id, type: 'supergroup', title: `g${id}` });
  inner = await SqliteStore.open(':memory:');
  for (const id of CHATS) await inner.subscribe({ ...to(id), subscribedBy: 'cli' });
});
afterEach(async () => {
  await h.close();
});

function deliverer(store: Store): Deliverer {
  return new Deliverer({
    store,
    platforms: { telegram: h.platform },
    policy: { maxAttempts: 3, backoffBaseMs: 1, backoffCapMs: 2 },
    ledgerRetry: { attempts: 1, delayMs: 1, flushEveryMs: 50 },
  });
}

/** Parts the platform accepted that the ledger has no record of. */
async function unrecordedParts(): Promise<number> {
  let recorded = 0;
  for (const row of await inner.listDeliveries({ slug: SLUG })) recorded += (await inner.listDeliveryParts(row.id)).length;
  return h.fake.sent.length - recorded;
}

/** Waits until no message has gone out for a while (the sends that could go out have). */
async function untilQuiet(): Promise<void> {
  let last = -1;
  await until('the sends to stop', async () => {
    const now = h.fake.sent.length;
    const quiet = now === last;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 300));
    return quiet || null;
  }, 30_000);
}

describe('a database that stops answering mid-fan-out', () => {
  it('lets at most 2 messages go out unrecorded; after a restart at most 2 repeat', async () => {
    const db = silentStore(inner);
    const digest = sampleDigest({ imageBytes: 100 });
    const request = { slug: SLUG, digest, destinations: CHATS.map(to), kind: 'scheduled' as const };
    void deliverer(db.store).deliver(request);
    await until('a few sends', () => h.fake.sent.length >= 12 || null, 30_000);
    db.silence();
    await untilQuiet();
    expect(await unrecordedParts()).toBeLessThanOrEqual(2);

    // The process dies with the database still silent; the next one delivers from the ledger.
    const restarted = await deliverer(inner).deliver(request);
    expect(restarted.results.every((r) => r.outcome === 'delivered' || r.outcome === 'skipped')).toBe(true);
    expect(new Set(h.fake.sent.map((m) => m.chatId)).size).toBe(CHATS.length);
    expect(repeats(h.fake.sent)).toBeLessThanOrEqual(2);
  });

  it('repeats nothing once the database answers again', async () => {
    const db = silentStore(inner);
    const digest = sampleDigest({ imageBytes: 100 });
    const request = { slug: SLUG, digest, destinations: CHATS.map(to), kind: 'scheduled' as const };
    const running = deliverer(db.store).deliver(request);
    await until('a few sends', () => h.fake.sent.length >= 12 || null, 30_000);
    db.silence();
    await untilQuiet();
    db.answer();
    const report = await running;
    expect(report.byPlatform.telegram.delivered).toBe(CHATS.length);
    expect(repeats(h.fake.sent)).toBe(0);
    expect(await unrecordedParts()).toBe(0);
  });
});

describe('UnrecordedSends', () => {
  it('hands out at most `bound` slots per platform, first come first served, and drops a waiter whose signal aborts', async () => {
    const sends = new UnrecordedSends(2);
    const a = await sends.acquire('telegram');
    const b = await sends.acquire('telegram');
    // Another platform has its own slots.
    const discord = await sends.acquire('discord');
    const order: string[] = [];
    const stop = new AbortController();
    const c = sends.acquire('telegram').then((slot) => (order.push('c'), slot));
    const dropped = sends.acquire('telegram', stop.signal).then(
      () => order.push('dropped'),
      () => order.push('aborted'),
    );
    const d = sends.acquire('telegram').then((slot) => (order.push('d'), slot));
    expect(sends.outstanding('telegram')).toBe(2);
    stop.abort();
    await dropped;
    a.release();
    a.release(); // idempotent: frees one slot, not two
    const third = await c;
    expect(sends.outstanding('telegram')).toBe(2);
    b.release();
    await d;
    expect(order).toEqual(['aborted', 'c', 'd']);
    third.release();
    discord.release();
    expect(sends.outstanding('discord')).toBe(0);
  });

  it('gives a platform named in `byPlatform` its own bound; the others keep the common one', async () => {
    const sends = new UnrecordedSends(2, { telegram: 5 });
    expect([sends.boundOf('telegram'), sends.boundOf('discord')]).toEqual([5, 2]);
    for (let i = 0; i < 5; i++) await sends.acquire('telegram');
    await sends.acquire('discord');
    await sends.acquire('discord');
    let sixth = false;
    let thirdDiscord = false;
    void sends.acquire('telegram').then(() => (sixth = true));
    void sends.acquire('discord').then(() => (thirdDiscord = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect([sixth, thirdDiscord, sends.outstanding('telegram'), sends.outstanding('discord')]).toEqual([false, false, 5, 2]);
    expect(() => new UnrecordedSends(2, { telegram: 0 })).toThrow(RangeError);
  });
});

/** A scripted platform that asks for its unrecorded-send slot before each send, as the adapters do. */
class BoundedScriptedPlatform extends ScriptedPlatform {
  override async sendDigest(destination: Destination, digest: Digest, idempotencyKey: string, options?: SendDigestOptions): Promise<SendResult> {
    await options?.beforeSend?.();
    const result = await super.sendDigest(destination, digest, idempotencyKey);
    for (const [index, messageId] of result.messageIds.entries()) await options?.onPartAccepted?.({ index, messageId, plan: '' } satisfies SentPart);
    return result;
  }
}

describe('the bound the bot is wired with (createDelivery)', () => {
  /**
   * Sends that start at once when none comes back: a platform whose every send hangs until the
   * end of the case, so each started send stays unrecorded, and the count of sends started stops
   * at the bound the Deliverer was given for that platform (more destinations than any bound).
   */
  const sendsStartedAtOnce = async (config: { paidBroadcast: boolean; maxUnrecordedSends?: number }, expected: [number, number]) => {
    let release: () => void = () => undefined;
    const hang = new Promise<void>((resolve) => (release = resolve));
    const telegram = new BoundedScriptedPlatform('telegram');
    const discord = new BoundedScriptedPlatform('discord');
    const destinations: Destination[] = [];
    for (let i = 0; i < 260; i++) {
      telegram.script(String(-100 - i), { hang });
      destinations.push({ platform: 'telegram', chatId: String(-100 - i), threadId: null });
    }
    for (let i = 0; i < 40; i++) {
      discord.script(String(9000 + i), { hang });
      destinations.push({ platform: 'discord', chatId: String(9000 + i), threadId: null });
    }
    const { deliverer } = createDelivery({
      config: {
        ownerChat: { discord: null, telegram: null },
        databasePath: ':memory:',
        telegram: { paidBroadcast: config.paidBroadcast } as Config['telegram'],
        delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 10, reportSettleMs: 0, ...(config.maxUnrecordedSends !== undefined ? { maxUnrecordedSends: config.maxUnrecordedSends } : {}) },
      },
      // A ledger of its own: each case delivers the same digest from scratch.
      store: await SqliteStore.open(':memory:'),
      lock: { acquire: async () => () => undefined, close: async () => undefined } as unknown as FanoutLock,
      library: {} as DeliveryLibrary,
      digests: {} as DigestBuilder,
      platforms: { telegram, discord },
      logger: silentLogger(),
    });
    const running = deliverer.deliver({ slug: SLUG, digest: testDigest(SLUG), destinations, kind: 'scheduled' });
    // Sends start up to the bound (a bound too low times this out), then no further one starts
    // while none comes back (a bound too high, or none, shows as more started).
    await until(`${expected.join(' + ')} sends started`, () => (telegram.attempts.length >= expected[0] && discord.attempts.length >= expected[1]) || null, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = [telegram.attempts.length, discord.attempts.length];
    release();
    const report = await running;
    expect(report.byPlatform.telegram.delivered + report.byPlatform.discord.delivered).toBe(destinations.length);
    return started;
  };

  it('is 2 on Telegram and 16 on Discord by default; with paid broadcast Telegram gets room for its rate; a configured bound holds everywhere', async () => {
    expect(await sendsStartedAtOnce({ paidBroadcast: false }, [2, DISCORD_UNRECORDED_SENDS])).toEqual([2, DISCORD_UNRECORDED_SENDS]);
    expect(await sendsStartedAtOnce({ paidBroadcast: true }, [PAID_BROADCAST_UNRECORDED_SENDS, DISCORD_UNRECORDED_SENDS])).toEqual([
      PAID_BROADCAST_UNRECORDED_SENDS,
      DISCORD_UNRECORDED_SENDS,
    ]);
    expect(await sendsStartedAtOnce({ paidBroadcast: true, maxUnrecordedSends: 7 }, [7, 7])).toEqual([7, 7]);
  });

  it('is left to each platform by the shipped config/default.json (its null is unset, not a bound for all)', async () => {
    // The file once said 2, which as a configured bound held paid broadcast's Telegram to 2 too.
    const shipped = loadConfig({ rootDir: ROOT_DIR, env: {} }).delivery.maxUnrecordedSends;
    expect(shipped).toBeUndefined();
    expect(await sendsStartedAtOnce({ paidBroadcast: true, ...(shipped === undefined ? {} : { maxUnrecordedSends: shipped }) }, [PAID_BROADCAST_UNRECORDED_SENDS, DISCORD_UNRECORDED_SENDS])).toEqual([
      PAID_BROADCAST_UNRECORDED_SENDS,
      DISCORD_UNRECORDED_SENDS,
    ]);
  });
});

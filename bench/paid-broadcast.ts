/**
 * Paid-broadcast benchmark (`telegram.paidBroadcast`): one digest (photo + text) to enough chats
 * for 20,000 messages, through the real Telegram adapter (grammY, pacer, retries) with the flag
 * on, against the fake Telegram enforcing 1,000 messages a second for paid sends, on a worker
 * thread. Destinations are sent with the Deliverer's pool at the width delivery uses with paid
 * broadcast on (PAID_BROADCAST_CONCURRENCY). Prints the rate achieved as a fraction of the paid
 * ceiling (target ≥ 0.9, no 429), and the projected time and Stars for 100,000 chats at the free
 * and the paid ceiling.
 *
 * `--deliverer` sends through the Deliverer instead (the SQLite ledger on disk: claim, attempt,
 * parts and outcome recorded per chat, as a fan-out does), with `delivery.maxUnrecordedSends` at
 * `--unrecorded=N` (default: what the bot uses with paid broadcast on).
 *
 *   node --import tsx bench/paid-broadcast.ts [messages] [--deliverer [--unrecorded=N]]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { PAID_BROADCAST_CONCURRENCY, PAID_BROADCAST_UNRECORDED_SENDS } from '../src/delivery/create-delivery.ts';
import { Deliverer } from '../src/delivery/deliverer.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { runPool } from '../src/run-pool.ts';
import { silentLogger } from '../src/log.ts';
import type { Destination } from '../src/platforms/platform.ts';
import { TelegramPlatform } from '../src/platforms/telegram/telegram-platform.ts';
import { TELEGRAM_LIMITS } from '../src/render/limits.ts';
import { renderTelegramCalls } from '../src/render/telegram.ts';
import { sampleDigest, scriptedRouter } from '../tests/helpers/fake-telegram-harness.ts';
import type { TelegramWorkerEndpoint, TelegramWorkerFigures, TelegramWorkerRequest } from './fake-telegram-worker.ts';
import { workerBootstrapCode } from '../src/worker-bootstrap.ts';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const targetMessages = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 20_000);
const throughDeliverer = flags.includes('--deliverer');
const unrecorded = Number(flags.find((f) => f.startsWith('--unrecorded='))?.slice('--unrecorded='.length) ?? PAID_BROADCAST_UNRECORDED_SENDS);
const AUDIENCE = 100_000;

function ask<T>(worker: Worker, request: TelegramWorkerRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(request);
  });
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

const digest = sampleDigest({ imageBytes: 50_000 });
const perChat = renderTelegramCalls(digest).length;
const chatCount = Math.ceil(targetMessages / perChat);

const workerUrl = new URL('./fake-telegram-worker.ts', import.meta.url);
const fake = new Worker(
  workerBootstrapCode(workerUrl),
  { eval: true },
);
try {
  const endpoint = await ask<TelegramWorkerEndpoint>(fake, { type: 'start', count: chatCount });
  const platform = new TelegramPlatform({
    token: endpoint.token,
    apiRoot: endpoint.apiRoot,
    botInfo: endpoint.botInfo,
    router: scriptedRouter(),
    logger: silentLogger(),
    owners: [],
    paidBroadcast: true,
  });
  const destinations = endpoint.chats.map((chatId): Destination => ({ platform: 'telegram', chatId, threadId: null }));
  let failed = 0;
  let started = performance.now();
  if (throughDeliverer) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-paid-'));
    const store = await SqliteStore.open(join(dir, 'bench.db'));
    try {
      for (const d of destinations) await store.subscribe({ ...d, subscribedBy: 'bench' });
      const deliverer = new Deliverer({
        store,
        platforms: { telegram: platform },
        policy: { maxAttempts: 5, backoffBaseMs: 1000, backoffCapMs: 60_000 },
        logger: silentLogger(),
        concurrency: { telegram: PAID_BROADCAST_CONCURRENCY },
        maxUnrecordedSends: unrecorded,
      });
      started = performance.now();
      const report = await deliverer.deliver({ slug: digest.slug, digest, destinations, kind: 'scheduled' });
      failed = report.byPlatform.telegram.failed;
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  } else {
    await runPool(destinations, PAID_BROADCAST_CONCURRENCY, (destination) =>
      platform.sendDigest(destination, digest, `bench-${destination.chatId}`).then(
        () => undefined,
        () => void (failed += 1),
      ),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await platform.stop();
  const figures = await ask<TelegramWorkerFigures>(fake, { type: 'figures' });

  const ceiling = TELEGRAM_LIMITS.paidBroadcastPerSecond;
  const rate = figures.messages / seconds;
  console.log(
    `paid broadcast${throughDeliverer ? ` through the Deliverer (SQLite ledger, maxUnrecordedSends ${unrecorded})` : ''}: ${figures.messages} messages (${chatCount} chats × ${perChat}) in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} msg/s = ${(rate / ceiling).toFixed(2)} of ${ceiling}/s (target ≥ 0.90); ` +
      `between the first and the last message accepted ${(figures.messages / ((figures.lastAt - figures.firstAt) / 1000)).toFixed(0)} msg/s; ` +
      `busiest second ${figures.busiestSecond}; 429s ${figures.rateLimited}; failed ${failed}; duplicates ${figures.duplicates}; with allow_paid_broadcast ${figures.paidMessages}`,
  );
  const messages = AUDIENCE * perChat;
  const free = messages / TELEGRAM_LIMITS.broadcastPerSecond;
  const paidIdeal = messages / ceiling;
  const paidMeasured = messages / rate;
  // Telegram charges for each message over the free 30 a second.
  const stars = Math.max(0, messages - TELEGRAM_LIMITS.broadcastPerSecond * paidMeasured) * TELEGRAM_LIMITS.paidBroadcastStarsPerMessage;
  console.log(
    `  ${AUDIENCE} chats × ${perChat} messages: ${duration(free)} at the free ${TELEGRAM_LIMITS.broadcastPerSecond}/s; ` +
      `${duration(paidIdeal)} at the paid ${ceiling}/s (${duration(paidMeasured)} at the rate measured), about ${Math.round(stars).toLocaleString('en-US')} Stars`,
  );
} finally {
  await fake.terminate();
}

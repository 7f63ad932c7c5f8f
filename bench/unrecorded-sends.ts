/**
 * What `delivery.maxUnrecordedSends` costs: one digest (photo + text) fanned out to Telegram
 * through the real adapter, Deliverer and a SQLite ledger, against the fake Telegram enforcing the
 * limits (on a worker thread), at the free ceiling (30/s) and with paid broadcast (1,000/s), with
 * the bound at its default 2 and out of the way (10,000), on loopback and with `latency` ms added
 * to every request's round trip (a delaying HTTP forwarder: real Telegram answers in tens to
 * hundreds of ms). A send holds its place from the moment it leaves until its part is recorded,
 * so the bound caps the rate near bound ÷ (round trip + ledger write).
 *
 *   node --import tsx bench/unrecorded-sends.ts [latencyMs=60] [free|paid|both]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { PAID_BROADCAST_CONCURRENCY } from '../src/delivery/create-delivery.ts';
import { Deliverer } from '../src/delivery/deliverer.ts';
import { silentLogger } from '../src/log.ts';
import type { Destination } from '../src/platforms/platform.ts';
import { TelegramPlatform } from '../src/platforms/telegram/telegram-platform.ts';
import { renderTelegramCalls } from '../src/render/telegram.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { sampleDigest, scriptedRouter } from '../tests/helpers/fake-telegram-harness.ts';
import type { TelegramWorkerEndpoint, TelegramWorkerFigures, TelegramWorkerRequest } from './fake-telegram-worker.ts';
import { workerBootstrapCode } from '../src/worker-bootstrap.ts';
import { delayingForwarder } from './delaying-forwarder.ts';

const latencyMs = Number(process.argv[2] ?? 60);
const modes = process.argv[3] ?? 'both';
const digest = sampleDigest({ imageBytes: 50_000 });
const perChat = renderTelegramCalls(digest).length;

function ask<T>(worker: Worker, request: TelegramWorkerRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(request);
  });
}

async function run(options: { paid: boolean; bound: number; latency: number; chats: number }): Promise<string> {
  const workerUrl = new URL('./fake-telegram-worker.ts', import.meta.url);
  const fake = new Worker(workerBootstrapCode(workerUrl), { eval: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-unrecorded-'));
  const store = await SqliteStore.open(path.join(dir, 'digest.db'));
  try {
    const endpoint = await ask<TelegramWorkerEndpoint>(fake, { type: 'start', count: options.chats });
    const forwarder = options.latency > 0 ? await delayingForwarder(endpoint.apiRoot, options.latency) : null;
    const platform = new TelegramPlatform({
      token: endpoint.token,
      apiRoot: forwarder?.url ?? endpoint.apiRoot,
      botInfo: endpoint.botInfo,
      router: scriptedRouter(),
      logger: silentLogger(),
      owners: [],
      paidBroadcast: options.paid,
    });
    const destinations = endpoint.chats.map((chatId): Destination => ({ platform: 'telegram', chatId, threadId: null }));
    const deliverer = new Deliverer({
      store,
      platforms: { telegram: platform },
      policy: { maxAttempts: 3, backoffBaseMs: 100, backoffCapMs: 1000 },
      maxUnrecordedSends: options.bound,
      ...(options.paid ? { concurrency: { telegram: PAID_BROADCAST_CONCURRENCY } } : {}),
    });
    const started = performance.now();
    const report = await deliverer.deliver({ slug: 'twitter_ai_20260103_20260103', digest, destinations, kind: 'scheduled' });
    const seconds = (performance.now() - started) / 1000;
    await platform.stop();
    await forwarder?.close();
    const figures = await ask<TelegramWorkerFigures>(fake, { type: 'figures' });
    const rate = figures.messages / seconds;
    return (
      `${options.paid ? 'paid 1,000/s' : 'free   30/s '} bound ${String(options.bound).padStart(5)} latency ${String(options.latency).padStart(3)} ms: ` +
      `${figures.messages} messages in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} msg/s; 429s ${figures.rateLimited}; failed ${report.byPlatform.telegram.failed}`
    );
  } finally {
    await store.close();
    await fake.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`maxUnrecordedSends: ${perChat} messages per chat, SQLite ledger`);
for (const paid of [false, true].filter((p) => modes === 'both' || modes === (p ? 'paid' : 'free'))) {
  const chats = paid ? 2500 : 200;
  for (const latency of [0, latencyMs]) {
    for (const bound of [2, 10_000]) console.log(`  ${await run({ paid, bound, latency, chats })}`);
  }
}

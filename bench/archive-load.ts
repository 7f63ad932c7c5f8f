/**
 * Archive under load: does a crowd of readers slow the bot's own work? One digest fans out to
 * N Telegram chats and N Discord channels on the fake platforms (limits enforced, real adapters,
 * Deliverer and SQLite ledger) while `/report` answers are timed: alone, then with 200
 * concurrent readers requesting archive pages (`/`, `/reports/<date>`, `/feed.xml`) from the
 * bot's HTTP server without pause (a 503 asked again at once), alternating for [rounds] rounds.
 * Prints per phase the fan-out rates, `/report` p50/p90/p99, the bot's event-loop use and what
 * the readers got (answers per second, 200 / 304 / 503, latency), then the median ratios.
 *
 * The fakes and the readers run on worker threads, as platforms and browsers run elsewhere.
 *
 *   node --import tsx bench/archive-load.ts [chatsPerPlatform=300] [readers=200] [archive.maxConcurrent=64]
 *     [maxConcurrentPerClient=8] [maxLoopShare=0.25] [rounds=1] [renderWorker=1]
 *   (renderWorker 0 renders the pages on the bot's thread, as before the render worker)
 *
 * Measured 2026-12-07 on the shared 2-core machine (load average 13–30 from other sessions),
 * 200 + 200 destinations, 3 rounds, with readers / alone (median, range):
 *   before (main, maxConcurrent 64, 503 at once): telegram 0.20× (0.15–0.20), discord 0.12× (0.04–0.15),
 *     /report p50 47× (35–131), p90 10× (7.6–34); with readers p50 1.0–1.2 s.
 *   after, maxLoopShare 0.5:  telegram 0.74× (0.74–0.87), discord 0.80× (0.43–0.83), /report p50 2.6×, p90 3.2×.
 *   after, maxLoopShare 0.25 (the default; 2 rounds): telegram 0.75–0.84×, discord 0.65–0.79×,
 *     /report p50 1.1–1.8×, p90 0.55–1.7×; the readers got 215–787 pages and ~3,000–4,000 503s a phase.
 * Render worker (renderWorker 1 vs 0, 5 alternating runs, load average 6–12): telegram 0.96× vs 0.87×,
 *   discord 0.92× vs 0.92×, /report p50 1.33× vs 1.06×, p90 2.02× vs 2.10× (medians; within the noise).
 * Not yet "unchanged" (≥ 0.9× the rate): see docs/benchmarks.md for what is left to try.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createArchiveRoutes } from '../src/archive/create-archive.ts';
import { createCommandRouter } from '../src/commands/router.ts';
import type { CommandContext, Reposter } from '../src/commands/types.ts';
import { createDigestBuilder } from '../src/digest-builder.ts';
import { createHttpApp, startHttpServer } from '../src/http/http-server.ts';
import { silentLogger } from '../src/log.ts';
import { DiscordPlatform } from '../src/platforms/discord/discord-platform.ts';
import type { Destination } from '../src/platforms/platform.ts';
import { TelegramPlatform } from '../src/platforms/telegram/telegram-platform.ts';
import { ReportLibrary } from '../src/report/library.ts';
import { ServiceHealth } from '../src/service-health.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { WordcloudService } from '../src/wordcloud/wordcloud-service.ts';
import type { FakeEndpoints, FakeFigures, WorkerRequest } from './fake-platforms-worker.ts';
import { buildReportFolder } from './fixtures.ts';
import { workerBootstrapCode } from '../src/worker-bootstrap.ts';
import { benchDeliverer } from './bench-deliverer.ts';

const count = Number(process.argv[2] ?? 300);
const readers = Number(process.argv[3] ?? 200);
const maxConcurrent = Number(process.argv[4] ?? 64);
const maxConcurrentPerClient = Number(process.argv[5] ?? 8);
const maxLoopShare = Number(process.argv[6] ?? 0.25);
const rounds = Number(process.argv[7] ?? 1);
const renderWorker = (process.argv[8] ?? '1') !== '0';
const REPORTS = 3650;
const logger = silentLogger();
const noRouter = { definitions: [], handle: async () => ({ kind: 'text' as const, text: '' }), autocompleteDates: () => [] };

/** One phase's rates (messages or requests a second) and `/report` latencies (ms). */
interface PhaseFigures {
  telegram: number;
  discord: number;
  p50: number;
  p90: number;
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

function ask<T>(worker: Worker, request: WorkerRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(request);
  });
}

const tsWorker = (file: string): Worker =>
  new Worker(workerBootstrapCode(new URL(file, import.meta.url)), { eval: true });

/** The readers: `readers` loops fetching archive pages back to back until told to stop. */
const READERS_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, readers, dates } = workerData;
let stop = false;
const statuses = {};
const latencies = [];
parentPort.on('message', () => { stop = true; });
const paths = (i) => (i % 10 === 0 ? '/' : i % 10 === 1 ? '/feed.xml' : '/reports/' + dates[(i * 7919) % dates.length]);
(async () => {
  const started = performance.now();
  await Promise.all(Array.from({ length: readers }, async (_, r) => {
    for (let i = r; !stop; i += readers) {
      const t0 = performance.now();
      try {
        const res = await fetch(url + paths(i));
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      } catch (e) { const k = 'error ' + (e?.cause?.code ?? e?.name); statuses[k] = (statuses[k] ?? 0) + 1; }
      latencies.push(performance.now() - t0);
    }
  }));
  parentPort.postMessage({ statuses, latencies, seconds: (performance.now() - started) / 1000 });
})();
`;

const dir = await mkdtemp(join(tmpdir(), 'bench-archive-'));
try {
  const contentDir = join(dir, 'content');
  await buildReportFolder(contentDir, REPORTS);
  const library = await ReportLibrary.open(contentDir, { logger });
  const images = new WordcloudService({ enabled: true, width: 1200, height: 675, cacheDir: join(dir, 'wordclouds'), imagesDir: null }, logger);
  const config = {
    archive: { enabled: true, pageSize: 30, maxConcurrent, maxConcurrentPerClient, maxWaiting: 256, maxWaitMs: 1000, maxLoopShare, renderWorker },
    digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' },
    wordcloud: { enabled: false },
    timezone: 'Asia/Shanghai',
    http: { publicUrl: null, mcpToken: null },
  };
  const digests = createDigestBuilder(config, images, library);
  const report = await library.latest();
  if (!report) throw new Error('no report generated');
  const digest = await digests.forReport(report, { waitForImage: true });
  const http = await startHttpServer(
    createHttpApp({ health: new ServiceHealth(), archive: createArchiveRoutes(config, { library, digests, images, search: null }) }),
    { port: 0, host: '127.0.0.1', logger },
  );
  const dates = library.dates();
  const context: CommandContext = {
    platform: 'telegram',
    destination: { platform: 'telegram', chatId: '1', threadId: null },
    chatTitle: null,
    guildId: null,
    userId: '1',
    locale: 'zh',
    isPrivateChat: true,
    isOwner: false,
    canManage: async () => false,
  };

  /** One fan-out on fresh fakes and a fresh ledger, `/report` timed meanwhile; readers optional. */
  const phase = async (label: string, withReaders: boolean): Promise<PhaseFigures> => {
    const fakes = tsWorker('./fake-platforms-worker.ts');
    const { telegram, discord, telegramChats, discordChannels } = await ask<FakeEndpoints>(fakes, { type: 'start', count });
    const store = await SqliteStore.open(join(dir, `${label}.db`));
    const platforms = {
      telegram: new TelegramPlatform({ token: telegram.token, apiRoot: telegram.apiRoot, router: noRouter, logger, owners: [], botInfo: telegram.botInfo }),
      discord: new DiscordPlatform({ token: discord.token, apiBase: discord.apiBase, router: noRouter, logger, owners: [], mode: 'rest-only' }),
    };
    const deliverer = benchDeliverer({ store, platforms, logger });
    const reposter: Reposter = { repost: async () => ({ delivered: 0, failed: 0, deactivated: 0, errors: [] }) };
    const router = createCommandRouter({ library, digests, store, reposter, timezone: 'Asia/Shanghai', now: () => new Date(), logger });
    const load = withReaders ? new Worker(READERS_SOURCE, { eval: true, workerData: { url: http.url, readers, dates } }) : null;
    const loadResult = load ? new Promise<{ statuses: Record<string, number>; latencies: number[]; seconds: number }>((resolve) => load.once('message', resolve)) : null;
    if (load) await new Promise((r) => setTimeout(r, 1000)); // the readers are at full pace before the fan-out starts

    const latencies: number[] = [];
    let done = false;
    const probe = (async () => {
      let i = 0;
      while (!done || latencies.length < 200) {
        const date = dates[(i++ * 7919) % dates.length] as string;
        const t0 = performance.now();
        await router.handle('report', { date }, context);
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const timed = async (platform: 'telegram' | 'discord') => {
      const t0 = performance.now();
      const destinations: Destination[] =
        platform === 'telegram'
          ? telegramChats.map((chatId) => ({ platform, chatId, threadId: null }))
          : discordChannels.map((chatId) => ({ platform, chatId, threadId: null }));
      const result = await deliverer.deliver({ slug: digest.slug, digest, destinations, kind: 'scheduled' });
      return { counts: result.byPlatform[platform], seconds: (performance.now() - t0) / 1000 };
    };
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const [tg, dc] = await Promise.all([timed('telegram'), timed('discord')]);
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const cpu = process.cpuUsage(cpu0);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
    done = true;
    await probe;
    load?.postMessage('stop');
    const readersOut = await loadResult;
    await load?.terminate();
    await Promise.all([platforms.telegram.stop(), platforms.discord.stop()]);
    await store.close();
    const figures = await ask<FakeFigures>(fakes, { type: 'figures' });
    await fakes.terminate();

    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`${label} (archive.maxConcurrent ${maxConcurrent}, perClient ${maxConcurrentPerClient}, maxLoopShare ${maxLoopShare}, renderWorker ${renderWorker}):`);
    console.log(`  telegram: ${(figures.telegram.messages / tg.seconds).toFixed(1)} msg/s (${figures.telegram.messages} in ${tg.seconds.toFixed(1)} s, delivered ${tg.counts.delivered}, failed ${tg.counts.failed}, 429s ${figures.telegram.rateLimited})`);
    console.log(`  discord:  ${(figures.discord.requests / dc.seconds).toFixed(1)} req/s (${figures.discord.requests} in ${dc.seconds.toFixed(1)} s, delivered ${dc.counts.delivered}, failed ${dc.counts.failed}, 429s ${figures.discord.rateLimited})`);
    console.log(`  bot event loop busy ${(elu * 100).toFixed(0)}% of the fan-out; the process (all threads) used ${cpuShare.toFixed(2)} cores`);
    console.log(`  /report (${REPORTS} reports): p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p90 ${percentile(sorted, 0.9).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms (${sorted.length} samples)`);
    if (readersOut) {
      const l = [...readersOut.latencies].sort((a, b) => a - b);
      const total = l.length;
      console.log(
        `  archive readers (${readers} concurrent): ${(total / readersOut.seconds).toFixed(0)} answers/s; statuses ${JSON.stringify(readersOut.statuses)}; latency p50 ${percentile(l, 0.5).toFixed(1)} ms, p99 ${percentile(l, 0.99).toFixed(1)} ms`,
      );
    }
    return {
      telegram: figures.telegram.messages / tg.seconds,
      discord: figures.discord.requests / dc.seconds,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
    };
  };

  // Alone and with readers alternate, so a burst of other work on the machine hits both alike.
  const ratios: PhaseFigures[] = [];
  for (let round = 1; round <= rounds; round++) {
    const alone = await phase(`round ${round}: fan-out alone`, false);
    const loaded = await phase(`round ${round}: fan-out with ${readers} concurrent archive readers`, true);
    ratios.push({ telegram: loaded.telegram / alone.telegram, discord: loaded.discord / alone.discord, p50: loaded.p50 / alone.p50, p90: loaded.p90 / alone.p90 });
  }
  const median = (pick: (r: PhaseFigures) => number): string => {
    const values = ratios.map(pick).sort((a, b) => a - b);
    return `${(values[Math.floor((values.length - 1) / 2)] ?? Number.NaN).toFixed(2)}× (${values.map((v) => v.toFixed(2)).join(', ')})`;
  };
  console.log(`with readers / alone, median of ${rounds} rounds: telegram rate ${median((r) => r.telegram)}, discord rate ${median((r) => r.discord)}, /report p50 ${median((r) => r.p50)}, p90 ${median((r) => r.p90)}`);
  await http.close(100);
  await images.close();
} finally {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

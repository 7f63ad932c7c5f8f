/**
 * Fan-out benchmark: one digest to 1,000 Telegram chats and 1,000 Discord channels on the fake
 * servers with the platforms' limits enforced, through the real adapters, Deliverer and SQLite
 * ledger. Prints per platform: achieved messages per second as a fraction of the ceiling, 429s
 * provoked, failures and duplicates; then the p50/p99 time to answer `/report` (through the
 * command router, with a 3,650-report content folder) while the fan-out runs.
 *
 * The fakes run on a worker thread (bench/fake-platforms-worker.ts), as the platforms run on
 * machines of their own. Messages per second is what the platform received over the wall-clock
 * time of the platform's deliver(), start-up and the last answers included.
 *
 * Discord runs REST-only by default (the `digest post` CLI's way): a first fan-out then looks each
 * channel up (`GET /channels/{id}`), and those count against the same global 50/s. `--gateway`
 * connects discord.js to the fake's gateway first, as the bot does, so the channels come from its
 * cache. `--unrecorded=N` sets the Deliverer's bound of sends out unrecorded on every platform
 * (`delivery.maxUnrecordedSends`; unset, the bot's: Telegram 2, Discord DISCORD_UNRECORDED_SENDS). `--discord-latency=MS` adds that round trip to every
 * Discord REST request (a delaying forwarder on the fakes' thread; real Discord's upload of a
 * digest takes a few hundred ms, the fake's one or two on loopback).
 *
 *   node --import tsx bench/fanout.ts [chatsPerPlatform] [--gateway] [--unrecorded=N] [--discord-latency=MS]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createCommandRouter } from '../src/commands/router.ts';
import type { CommandContext, Reposter } from '../src/commands/types.ts';
import { createDigestBuilder } from '../src/digest-builder.ts';
import { silentLogger } from '../src/log.ts';
import { DiscordPlatform } from '../src/platforms/discord/discord-platform.ts';
import type { Destination } from '../src/platforms/platform.ts';
import { TelegramPlatform } from '../src/platforms/telegram/telegram-platform.ts';
import { DISCORD_LIMITS, TELEGRAM_LIMITS } from '../src/render/limits.ts';
import { ReportLibrary } from '../src/report/library.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { WordcloudService } from '../src/wordcloud/wordcloud-service.ts';
import type { FakeEndpoints, FakeFigures, WorkerRequest } from './fake-platforms-worker.ts';
import { buildReportFolder } from './fixtures.ts';
import { workerBootstrapCode } from '../src/worker-bootstrap.ts';
import { benchDeliverer } from './bench-deliverer.ts';

const args = process.argv.slice(2);
const count = Number(args.find((a) => !a.startsWith('--')) ?? 1000);
const gateway = args.includes('--gateway');
const unrecordedArg = args.find((a) => a.startsWith('--unrecorded='));
const latencyArg = args.find((a) => a.startsWith('--discord-latency='));
const discordLatencyMs = latencyArg === undefined ? 0 : Number(latencyArg.slice('--discord-latency='.length));
const maxUnrecordedSends = unrecordedArg === undefined ? undefined : Number(unrecordedArg.slice('--unrecorded='.length));
const REPORTS = 3650;
const logger = silentLogger();
const noRouter = { definitions: [], handle: async () => ({ kind: 'text' as const, text: '' }), autocompleteDates: () => [] };

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Sends `request` to the fakes' worker and resolves with its one answer. */
function ask<T>(worker: Worker, request: WorkerRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(request);
  });
}

const dir = await mkdtemp(join(tmpdir(), 'bench-fanout-'));
// A worker does not inherit the tsx loader (nor load a .ts entry with `--import tsx` on Node 20):
// it registers tsx itself, then imports the TypeScript module (workerBootstrapCode).
const workerUrl = new URL('./fake-platforms-worker.ts', import.meta.url);
const fakes = new Worker(
  workerBootstrapCode(workerUrl),
  { eval: true },
);
try {
  const { telegram, discord, telegramChats, discordChannels } = await ask<FakeEndpoints>(fakes, { type: 'start', count, discordLatencyMs });
  const contentDir = join(dir, 'content');
  await buildReportFolder(contentDir, REPORTS);
  const library = await ReportLibrary.open(contentDir, { logger });
  const images = new WordcloudService(
    { enabled: true, width: 1200, height: 675, cacheDir: join(dir, 'wordclouds'), imagesDir: null },
    logger,
  );
  const digests = createDigestBuilder({ digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' } }, images);
  const report = await library.latest();
  if (!report) throw new Error('no report generated');
  const digest = await digests.forReport(report, { waitForImage: true });

  const destinations: Destination[] = [
    ...discordChannels.map((chatId): Destination => ({ platform: 'discord', chatId, threadId: null })),
    ...telegramChats.map((chatId): Destination => ({ platform: 'telegram', chatId, threadId: null })),
  ];

  const store = await SqliteStore.open(join(dir, 'bench.db'));
  const platforms = {
    telegram: new TelegramPlatform({ token: telegram.token, apiRoot: telegram.apiRoot, router: noRouter, logger, owners: [], botInfo: telegram.botInfo }),
    discord: new DiscordPlatform({ token: discord.token, apiBase: discord.apiBase, router: noRouter, logger, owners: [], mode: gateway ? 'gateway' : 'rest-only' }),
  };
  // Gateway mode: READY and every guild's channels in discord.js's cache before the clock starts.
  await platforms.discord.start();
  const deliverer = benchDeliverer({ store, platforms, logger, ...(maxUnrecordedSends === undefined ? {} : { maxUnrecordedSends }) });

  // /report latency while the fan-out runs: the command path a user hits.
  const reposter: Reposter = { repost: async () => ({ delivered: 0, failed: 0, deactivated: 0, errors: [] }) };
  const router = createCommandRouter({ library, digests, store, reposter, timezone: 'Asia/Shanghai', now: () => new Date(), logger });
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
  const dates = library.dates();
  const latencies: number[] = [];
  let fanoutDone = false;
  const probe = (async () => {
    let i = 0;
    while (!fanoutDone || latencies.length < 200) {
      const date = dates[(i++ * 7919) % dates.length] as string;
      const start = performance.now();
      await router.handle('report', { date }, context);
      latencies.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const started = performance.now();
  // One deliver per platform, side by side (as one deliver() runs them), so each gets its own clock.
  const timed = async (platform: 'telegram' | 'discord') => {
    const t0 = performance.now();
    const report = await deliverer.deliver({ slug: digest.slug, digest, destinations: destinations.filter((d) => d.platform === platform), kind: 'scheduled' });
    return { counts: report.byPlatform[platform], seconds: (performance.now() - t0) / 1000 };
  };
  const [tgResult, dcResult] = await Promise.all([timed('telegram'), timed('discord')]);
  const elapsedS = (performance.now() - started) / 1000;
  fanoutDone = true;
  await probe;

  await Promise.all([platforms.telegram.stop(), platforms.discord.stop()]);
  await store.close();
  const figures = await ask<FakeFigures>(fakes, { type: 'figures' });
  const tgMessages = figures.telegram.messages;
  const dcRequests = figures.discord.requests;
  const tgRate = tgMessages / tgResult.seconds;
  const dcRate = dcRequests / dcResult.seconds;
  console.log(
    `fan-out of one digest to ${count} Telegram chats + ${count} Discord channels (Discord ${gateway ? 'through the gateway' : 'REST-only'}, ` +
      `${discordLatencyMs} ms added to its round trip, unrecorded sends bound ${maxUnrecordedSends ?? 'the bot\'s'}): ${elapsedS.toFixed(1)} s`,
  );
  console.log(
    `  telegram: ${tgMessages} messages in ${tgResult.seconds.toFixed(1)} s, ${tgRate.toFixed(1)} msg/s = ${((tgRate / TELEGRAM_LIMITS.broadcastPerSecond) * 100).toFixed(0)}% of ${TELEGRAM_LIMITS.broadcastPerSecond}/s; ` +
      `429s ${figures.telegram.rateLimited}, delivered ${tgResult.counts.delivered}, failed ${tgResult.counts.failed}, duplicates ${figures.telegram.duplicates}; ` +
      `photos uploaded ${figures.telegram.photoUploads}, sent by file_id ${figures.telegram.photoFileIds}`,
  );
  console.log(
    `  discord:  ${dcRequests} requests in ${dcResult.seconds.toFixed(1)} s, ${dcRate.toFixed(1)} req/s = ${((dcRate / DISCORD_LIMITS.globalRequestsPerSecond) * 100).toFixed(0)}% of ${DISCORD_LIMITS.globalRequestsPerSecond}/s; ` +
      `429s ${figures.discord.rateLimited}, delivered ${dcResult.counts.delivered}, failed ${dcResult.counts.failed}, duplicates ${figures.discord.duplicates}; ` +
      `channel look-ups ${figures.discord.channelLookups}`,
  );
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `  /report with ${REPORTS} reports, during the fan-out: p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms (${sorted.length} samples)`,
  );
} finally {
  await fakes.terminate();
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

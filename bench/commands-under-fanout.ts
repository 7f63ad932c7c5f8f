/**
 * Commands ahead of the fan-out (issue 19 §1): a reader's `/report`, `/search` and button press
 * (a digest's previous-day button: the message is edited in place) answered end to end — the update queued at the fake
 * Telegram → the first message of the answer accepted there, timed on the fakes' own thread —
 * first with the bot idle, then during a fan-out of one digest to 1,000 Telegram chats and 1,000
 * Discord channels (the real adapters, Deliverer and SQLite ledger, the fakes enforcing the
 * platforms' limits, each platform on a worker thread of its own; Discord through the fake's gateway,
 * with the bot's bounds of sends out unrecorded). Same commands, same cadence (one every 600 ms, each reader chat reused
 * only after 60 others), side by side in one run: the ratio busy ÷ idle at p90 and p99 is the
 * figure (goal ≤ 2). Also the bot's event-loop delay in both phases (perf_hooks
 * monitorEventLoopDelay; goal: no stall over 20 ms), and the fan-out's rate and 429s.
 *
 *   node --import tsx bench/commands-under-fanout.ts [chatsPerPlatform=1000] [reports=730] [--fanouts=N]
 *
 * One fan-out gives about 40 samples per command, so its p99 is its slowest answer: `--fanouts=N`
 * runs N fan-outs one after the other (the N newest reports, each to every destination) and as
 * many idle samples per fan-out, so p99 is a percentile again (N = 3: about 120 per command).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createCommandRouter } from '../src/commands/router.ts';
import type { Reposter } from '../src/commands/types.ts';
import { createDigestBuilder } from '../src/digest-builder.ts';
import { silentLogger } from '../src/log.ts';
import { DiscordPlatform } from '../src/platforms/discord/discord-platform.ts';
import type { Destination } from '../src/platforms/platform.ts';
import { TelegramPlatform } from '../src/platforms/telegram/telegram-platform.ts';
import { ReportLibrary } from '../src/report/library.ts';
import { ReportSearch } from '../src/search/report-search.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { WordcloudService } from '../src/wordcloud/wordcloud-service.ts';
import type { CommandTiming, FakeEndpoints, FakeFigures, FakeLoop, WorkerRequest } from './fake-platforms-worker.ts';
import { buildReportFolder } from './fixtures.ts';
import { workerBootstrapCode } from '../src/worker-bootstrap.ts';
import { benchDeliverer } from './bench-deliverer.ts';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const count = Number(positional[0] ?? 1000);
const REPORTS = Number(positional[1] ?? 730);
const FANOUTS = Math.max(1, Number(process.argv.find((a) => a.startsWith('--fanouts='))?.slice('--fanouts='.length) ?? 1));
const READERS = 60;
const EVERY_MS = 600;
const IDLE_SAMPLES = 90;
const logger = silentLogger();
const noRouter = { definitions: [], handle: async () => ({ kind: 'text' as const, text: '' }), autocompleteDates: () => [] };

type Kind = 'report' | 'search' | 'press';
const KINDS: readonly Kind[] = ['report', 'search', 'press'];
const QUERIES = ['模型', 'Claude Code', '智能体 推理', '开源 模型 发布', 'RLM'];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Sends `request` to the fakes' worker and resolves with its one answer (one request at a time). */
function ask<T>(worker: Worker, request: WorkerRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (answer: T) => {
      worker.off('error', reject);
      resolve(answer);
    });
    worker.once('error', reject);
    worker.postMessage(request);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const dir = await mkdtemp(join(tmpdir(), 'bench-commands-'));
const workerUrl = new URL('./fake-platforms-worker.ts', import.meta.url);
const startFakes = (): Worker =>
  new Worker(workerBootstrapCode(workerUrl), { eval: true });
// Each platform on a thread of its own (the bot uses the fake Telegram of one, the fake Discord of
// the other): parsing a thousand 300 KB Discord uploads then never delays the turn of the loop on
// which the fake Telegram sees a command's answer, as two platforms never share a machine.
const fakes = startFakes();
const discordFakes = startFakes();
try {
  const [{ telegram, telegramChats, readerChats }, { discord, discordChannels }] = await Promise.all([
    ask<FakeEndpoints>(fakes, { type: 'start', count, readers: READERS }),
    ask<FakeEndpoints>(discordFakes, { type: 'start', count }),
  ]);
  const contentDir = join(dir, 'content');
  await buildReportFolder(contentDir, REPORTS);
  const library = await ReportLibrary.open(contentDir, { logger });
  const search = new ReportSearch(library, { logger });
  await search.start();
  const images = new WordcloudService({ enabled: true, width: 1200, height: 675, cacheDir: join(dir, 'wordclouds'), imagesDir: null }, logger);
  const digests = createDigestBuilder({ digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' } }, images, library);
  const store = await SqliteStore.open(join(dir, 'bench.db'));
  const reposter: Reposter = { repost: async () => ({ delivered: 0, failed: 0, deactivated: 0, errors: [] }) };
  const router = createCommandRouter({ library, digests, store, reposter, search, timezone: 'Asia/Shanghai', now: () => new Date(), logger });
  const platforms = {
    telegram: new TelegramPlatform({ token: telegram.token, apiRoot: telegram.apiRoot, router, logger, owners: [], botInfo: telegram.botInfo }),
    // Connected to the fake's gateway as the bot is: its channels come from the gateway's cache.
    discord: new DiscordPlatform({ token: discord.token, apiBase: discord.apiBase, router: noRouter, logger, owners: [], mode: 'gateway' }),
  };
  await Promise.all([platforms.telegram.start(), platforms.discord.start()]);
  const deliverer = benchDeliverer({ store, platforms, logger });
  // The reports fanned out, newest first: one per fan-out, each a full fan-out of its own.
  const fannedDigests = [];
  for (const date of library.dates().slice(-FANOUTS).reverse()) {
    fannedDigests.push(await digests.forReport(await library.findByDate(date), { waitForImage: true }));
  }

  // A handful of dates, their word clouds drawn during the warm-up, as a day's readers would ask.
  const dates = library.dates().slice(-8);
  let turn = 0;
  const command = async (kind: Kind): Promise<number | null> => {
    const i = turn++;
    const chatId = readerChats[i % readerChats.length]!;
    const date = dates[i % dates.length]!;
    const request: WorkerRequest =
      kind === 'report'
        ? { type: 'command', chatId, text: `/report ${date}` }
        : kind === 'search'
          ? { type: 'command', chatId, text: `/search ${QUERIES[i % QUERIES.length]!}` }
          : { type: 'command', chatId, press: true };
    return (await ask<CommandTiming>(fakes, request)).ms;
  };

  // Warm-up: every reader chat gets a digest (buttons to press), every date its word cloud.
  for (let r = 0; r < READERS; r++) await command('report');
  await sleep(3000);

  /** Every answer during the fan-outs, with when in its fan-out it was asked (the slowest are printed). */
  const slowest: Array<{ kind: Kind; ms: number; atS: number }> = [];
  let fanoutStarted = 0;
  /** Commands in turn, one every EVERY_MS, until `more()` says stop; with the loop's delay meanwhile. */
  const probe = async (more: (n: number) => boolean, during = false) => {
    const times: Record<Kind, number[]> = { report: [], search: [], press: [] };
    let lost = 0;
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    for (let n = 0; more(n); n++) {
      const kind = KINDS[n % KINDS.length]!;
      const askedAt = performance.now();
      const ms = await command(kind);
      if (ms === null) lost++;
      else times[kind].push(ms);
      if (during && ms !== null) slowest.push({ kind, ms, atS: (askedAt - fanoutStarted) / 1000 });
      await sleep(EVERY_MS);
    }
    loop.disable();
    return { times, lost, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6 };
  };

  const fakeLoops = async (): Promise<{ telegram: FakeLoop; discord: FakeLoop }> => {
    const [telegramLoop, discordLoop] = await Promise.all([ask<FakeLoop>(fakes, { type: 'loop' }), ask<FakeLoop>(discordFakes, { type: 'loop' })]);
    return { telegram: telegramLoop, discord: discordLoop };
  };
  await fakeLoops();
  const idle = await probe((n) => n < IDLE_SAMPLES * FANOUTS);
  const fakeIdle = await fakeLoops();

  const destinations: Destination[] = [
    ...discordChannels.map((chatId): Destination => ({ platform: 'discord', chatId, threadId: null })),
    ...telegramChats.map((chatId): Destination => ({ platform: 'telegram', chatId, threadId: null })),
  ];
  const busy: Awaited<ReturnType<typeof probe>> = { times: { report: [], search: [], press: [] }, lost: 0, loopP99: 0, loopMax: 0 };
  const report = { byPlatform: { telegram: { delivered: 0, failed: 0 }, discord: { delivered: 0, failed: 0 } } };
  const started = performance.now();
  for (const digest of fannedDigests) {
    let fanoutDone = false;
    fanoutStarted = performance.now();
    const fanout = deliverer.deliver({ slug: digest.slug, digest, destinations, kind: 'scheduled' }).finally(() => (fanoutDone = true));
    const during = await probe(() => !fanoutDone, true);
    for (const kind of KINDS) busy.times[kind].push(...during.times[kind]);
    busy.lost += during.lost;
    // The worst fan-out's loop figures.
    busy.loopP99 = Math.max(busy.loopP99, during.loopP99);
    busy.loopMax = Math.max(busy.loopMax, during.loopMax);
    const one = await fanout;
    for (const platform of ['telegram', 'discord'] as const) {
      report.byPlatform[platform].delivered += one.byPlatform[platform].delivered;
      report.byPlatform[platform].failed += one.byPlatform[platform].failed;
    }
  }
  const fanoutS = (performance.now() - started) / 1000 / FANOUTS;
  const fakeBusy = await fakeLoops();

  await Promise.all([platforms.telegram.stop(), platforms.discord.stop()]);
  await search.stop();
  await store.close();
  const [{ telegram: telegramFigures }, { discord: discordFigures }] = await Promise.all([
    ask<FakeFigures>(fakes, { type: 'figures' }),
    ask<FakeFigures>(discordFakes, { type: 'figures' }),
  ]);
  const figures: FakeFigures = { telegram: telegramFigures, discord: discordFigures };

  const row = (label: string, idleMs: number[], busyMs: number[]): string => {
    const a = [...idleMs].sort((x, y) => x - y);
    const b = [...busyMs].sort((x, y) => x - y);
    const f = (n: number) => n.toFixed(1);
    return (
      `  ${label.padEnd(8)} idle p50 ${f(percentile(a, 0.5))} p90 ${f(percentile(a, 0.9))} p99 ${f(percentile(a, 0.99))} ms (${a.length}); ` +
      `fan-out p50 ${f(percentile(b, 0.5))} p90 ${f(percentile(b, 0.9))} p99 ${f(percentile(b, 0.99))} ms (${b.length}); ` +
      `busy ÷ idle p90 ${(percentile(b, 0.9) / percentile(a, 0.9)).toFixed(2)}, p99 ${(percentile(b, 0.99) / percentile(a, 0.99)).toFixed(2)}`
    );
  };
  console.log(`commands end to end (update in → first message accepted by the fake Telegram), ${REPORTS} reports, one every ${EVERY_MS} ms, idle then during the fan-out:`);
  for (const kind of KINDS) console.log(row(kind === 'press' ? 'button' : `/${kind}`, idle.times[kind], busy.times[kind]));
  console.log(row('all', KINDS.flatMap((k) => idle.times[k]), KINDS.flatMap((k) => busy.times[k])));
  slowest.sort((a, b) => b.ms - a.ms);
  console.log(
    `  the slowest answers during the fan-outs (seconds into their fan-out): ${slowest
      .slice(0, 6)
      .map((a) => `${a.kind === 'press' ? 'button' : `/${a.kind}`} ${a.ms.toFixed(1)} ms at ${a.atS.toFixed(1)} s`)
      .join(', ')}`,
  );
  if (idle.lost + busy.lost > 0) console.log(`  unanswered within 30 s: idle ${idle.lost}, fan-out ${busy.lost}`);
  console.log(
    `  bot event-loop delay: idle p99 ${idle.loopP99.toFixed(1)} ms, max ${idle.loopMax.toFixed(1)} ms; ` +
      `during the fan-out p99 ${busy.loopP99.toFixed(1)} ms, max ${busy.loopMax.toFixed(1)} ms`,
  );
  // The fakes answer on their own threads, on the same two cores: a turn of the fake Telegram's loop
  // late is a command seen late, whatever the bot did.
  for (const platform of ['telegram', 'discord'] as const) {
    const note = platform === 'telegram' ? " (the answers are timed on it)" : " (parsing the digests' uploads)";
    console.log(
      `  the fake ${platform === 'telegram' ? 'Telegram' : 'Discord'}'s event-loop delay${note}: idle p99 ${fakeIdle[platform].p99.toFixed(1)} ms, max ${fakeIdle[platform].max.toFixed(1)} ms; ` +
        `during the fan-out p99 ${fakeBusy[platform].p99.toFixed(1)} ms, max ${fakeBusy[platform].max.toFixed(1)} ms`,
    );
  }
  console.log(
    `  fan-out of one digest to ${count} Telegram chats + ${count} Discord channels${FANOUTS > 1 ? ` (${FANOUTS} fan-outs one after the other, counts summed, loop delay of the worst)` : ''}: ${fanoutS.toFixed(1)} s each; ` +
      `telegram ${figures.telegram.messages} messages (readers' answers included), 429s ${figures.telegram.rateLimited}, delivered ${report.byPlatform.telegram.delivered}, failed ${report.byPlatform.telegram.failed}; ` +
      `discord ${figures.discord.requests} requests, 429s ${figures.discord.rateLimited}, delivered ${report.byPlatform.discord.delivered}, failed ${report.byPlatform.discord.failed}`,
  );
} finally {
  await Promise.all([fakes.terminate(), discordFakes.terminate()]);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Search benchmark: ten years of daily reports (3,650 files), every figure side by side in one run
 * so the machine's load colours both sides of each ratio alike (issue 19 §3):
 * - the floor: jieba segmenting the Chinese text of every report (what any index of it must do);
 *   with `--only=index` also the same segmenting shared out to the index's worker threads (the
 *   parallel floor: what the cores give);
 * - the first index (read, strip, segment, count, post every report), on worker threads (the
 *   default) and on the bot's thread in 15 ms slices, each as a multiple of the floor, with how long
 *   the event loop was held meanwhile, the CPU time (every thread), the peak RSS and the workers'
 *   jieba dictionary loads;
 * - a peer: MiniSearch given the same jieba tokens, its build and its query time next to ours;
 * - the restart from the cache file, query latency (median / p90 / p99 over a mix of Chinese,
 *   English, multi-word, no-match and 2,000-character queries, snippets included; and again with
 *   no report texts kept for snippets, every hit's file read) and memory;
 * - `/search` against `/dates` end to end (update in → reply accepted by the fake Telegram,
 *   through the real grammY adapter and the real command router) at p50 / p90 / p99, and the CPU
 *   time each takes (bot and fake together), which a loaded machine stretches far less.
 *
 *   node --import tsx bench/search.ts [count] [--only=commands] [--rounds=N]
 *
 * `--only=index` measures the floor and the first index alone (threaded and in-thread), alternately,
 * `--rounds` times (5 by default), and prints each round's ratios and the medians: for profiling the first index with
 * `node --cpu-prof --import tsx bench/search.ts 3650 --only=index --rounds=1`.
 *
 * `--threads=N` sets the worker threads of the threaded first index (default: `search.indexThreads`'s
 * default, one per core, at most 4).
 *
 * `--dist-worker` starts the index workers from `dist/` (run `npm run build` first), as `npm start`
 * does: under tsx each worker also loads tsx and transforms its modules (a few hundred ms of CPU).
 *
 * `--only=commands` skips the floor, the first index and the peer (index from the cache only) and
 * measures the commands alone, `--rounds` times each (200 by default): for profiling the /search
 * path with `node --cpu-prof --import tsx bench/search.ts 3650 --only=commands`.
 */
import { once } from 'node:events';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import MiniSearch from 'minisearch';
import { createCommandRouter } from '../src/commands/router.ts';
import { createDigestBuilder } from '../src/digest-builder.ts';
import { silentLogger } from '../src/log.ts';
import { ReportLibrary } from '../src/report/library.ts';
import { defaultIndexThreads, type IndexThreadsStats } from '../src/search/index-threads.ts';
import { ReportSearch } from '../src/search/report-search.ts';
import { reportIndexText } from '../src/search/report-text.ts';
import { foldText, indexTerms, queryTerms } from '../src/search/tokenize.ts';
import { SearchIndex } from '../src/search/search-index.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { cutChinese } from '../src/text/chinese-words.ts';
import { startTelegramHarness } from '../tests/helpers/fake-telegram-harness.ts';
import { buildReportFolder } from './fixtures.ts';
import { workerBootstrapCode } from '../src/worker-bootstrap.ts';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const count = Number(positional[0] ?? 3650);
const onlyCommands = flags.includes('--only=commands');
const onlyIndex = flags.includes('--only=index');
const roundsFlag = flags.find((f) => f.startsWith('--rounds='))?.slice('--rounds='.length);
const commandRounds = Number(roundsFlag ?? 200);
const indexRounds = Number(roundsFlag ?? 5);
const rounds = 25;
// The workers' code as `npm start` runs it (compiled, no tsx loader in each worker): needs `npm run build` first.
const threadsFlag = flags.find((f) => f.startsWith('--threads='))?.slice('--threads='.length);
const distWorker = flags.includes('--dist-worker') ? new URL('../dist/search/index-worker.js', import.meta.url) : undefined;
const ms = (n: number): string => `${n.toFixed(2)} ms`;
const s = (n: number): string => `${(n / 1000).toFixed(2)} s`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function spread(times: number[]): string {
  times.sort((a, b) => a - b);
  return `median ${ms(percentile(times, 0.5))}, p90 ${ms(percentile(times, 0.9))}, p99 ${ms(percentile(times, 0.99))}`;
}

const QUERIES = ['模型', 'Claude Code', '智能体 推理', 'ＧＰＴ', 'RLM', '开源 模型 发布', 'Cluade', '<script>alert(1)</script>', '量子计算', 'x'.repeat(2000), '模'.repeat(2000)];
const HAN_RUN = /\p{Script=Han}+/gu;

/** Each report's Chinese text as the index hands it to jieba (runs joined by line breaks). */
function chineseTexts(texts: readonly string[]): string[] {
  return texts.map((text) => Array.from(foldText(reportIndexText(text)).matchAll(HAN_RUN), (m) => m[0]).join('\n'));
}

/** The floor: jieba over each report's Chinese text, as the index hands it to jieba. */
function segmentAll(texts: readonly string[]): number {
  const chinese = chineseTexts(texts);
  const start = performance.now();
  for (const text of chinese) cutChinese(text, true);
  return performance.now() - start;
}

/**
 * The parallel floor: the same segmenting shared out to `threads` worker threads whose dictionaries
 * are loaded before the clock starts, so nothing but jieba runs on them. What two threads of pure
 * segmenting take on this machine is the best any threaded index could reach here; the ratio to
 * the floor says how much the cores give (two cores sharing caches and memory bandwidth, or one
 * machine's neighbours, give less than half).
 */
class ParallelFloor {
  readonly #workers: Worker[];
  readonly #ready: Promise<unknown>;

  constructor(threads: number) {
    const url = new URL('./segment-worker.ts', import.meta.url);
    this.#workers = Array.from(
      { length: threads },
      () => new Worker(workerBootstrapCode(url), { eval: true }),
    );
    this.#ready = Promise.all(this.#workers.map((worker) => once(worker, 'message')));
  }

  /** Wall time from handing out the shares to the last one segmented. */
  async measure(texts: readonly string[]): Promise<number> {
    await this.#ready;
    const chinese = chineseTexts(texts);
    const share = Math.ceil(chinese.length / this.#workers.length);
    const start = performance.now();
    await Promise.all(
      this.#workers.map((worker, i) => {
        const answered = once(worker, 'message');
        worker.postMessage(chinese.slice(i * share, (i + 1) * share));
        return answered;
      }),
    );
    return performance.now() - start;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

/** One first index: wall time, the event loop's delay meanwhile, the RSS sampled throughout, the worker threads' figures. */
interface FirstIndex {
  ms: number;
  loopP99: number;
  loopMax: number;
  size: number;
  peakRss: number;
  /** How long the bot's event loop was busy (not waiting for events) during the index. */
  loopBusyMs: number;
  threads: IndexThreadsStats | null;
}

/**
 * The first index as the bot builds it at start-up (no cache file): on worker threads by default
 * (`search.indexThreads`), or on the bot's thread in 15 ms slices with `indexThreads: 0`.
 */
async function firstIndex(library: ReportLibrary, indexThreads?: number): Promise<FirstIndex> {
  const search = new ReportSearch(library, { cacheFile: null, ...(indexThreads === undefined ? {} : { indexThreads }), ...(distWorker ? { threadEntry: distWorker } : {}) });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  loop.enable();
  const utilization = performance.eventLoopUtilization();
  const start = performance.now();
  await search.start();
  const took = performance.now() - start;
  const loopBusyMs = performance.eventLoopUtilization(utilization).active;
  loop.disable();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  await search.stop();
  return { ms: took, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, size: search.size, peakRss, loopBusyMs, threads: search.lastThreadStats };
}

/** MiniSearch with the same tokens (our jieba terms in, no further processing): its build and queries. */
function peer(texts: ReadonlyArray<{ id: string; text: string }>): { buildMs: number; mini: MiniSearch } {
  const mini = new MiniSearch({
    fields: ['text'],
    storeFields: [],
    tokenize: (text) => indexTerms(reportIndexText(text)),
    processTerm: (term) => term,
    searchOptions: { tokenize: (query) => queryTerms(query), processTerm: (term) => term },
  });
  const start = performance.now();
  mini.addAll(texts);
  return { buildMs: performance.now() - start, mini };
}

/**
 * `/search` and `/dates` answered end to end, alternately, through the Telegram adapter and the
 * fake: wall time per command, and the process's CPU time per command (bot and fake together),
 * which a loaded machine stretches far less than the wall time.
 */
async function commandLatency(
  library: ReportLibrary,
  search: ReportSearch,
): Promise<{ search: number[]; dates: number[]; cpu: { search: number; dates: number } }> {
  const store = await SqliteStore.open(':memory:');
  const digests = createDigestBuilder(
    { digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' } },
    { imageFor: async () => null, cachedImageFor: () => null },
    library,
  );
  const router = createCommandRouter({
    library,
    digests,
    store,
    reposter: { repost: async () => ({ kind: 'nothing' }) } as never,
    search,
    timezone: 'Asia/Shanghai',
    now: () => new Date(),
    logger: silentLogger(),
  });
  const h = await startTelegramHarness({ router });
  const chatId = 4242;
  h.fake.addChat({ id: chatId, type: 'private' });
  await h.platform.start();
  const times = { search: [] as number[], dates: [] as number[], cpu: { search: 0, dates: 0 } };
  const cpuMs = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  try {
    const ask = (text: string): Promise<number> =>
      new Promise((resolve) => {
        const before = h.fake.sent.length;
        const start = performance.now();
        h.fake.afterAccept = (message) => {
          if (message.chatId !== chatId || h.fake.sent.length <= before) return;
          h.fake.afterAccept = null;
          resolve(performance.now() - start);
        };
        h.fake.sendText(text, { chatId });
      });
    const searches = ['/search 模型', '/search Claude Code', '/search 智能体 推理', '/search 开源 模型 发布', '/search RLM'];
    for (let i = 0; i < 5; i++) await ask('/dates'); // warm-up: adapter, router, first replies
    for (let i = 0; i < commandRounds; i++) {
      let cpu = process.cpuUsage();
      times.dates.push(await ask('/dates'));
      times.cpu.dates += cpuMs(cpu);
      cpu = process.cpuUsage();
      times.search.push(await ask(searches[i % searches.length]!));
      times.cpu.search += cpuMs(cpu);
    }
  } finally {
    await h.close();
    await store.close();
  }
  return times;
}

/** The floor, our first index and the peer's build, side by side; then query times, ours against the peer's. */
async function compareWithFloorAndPeer(library: ReportLibrary, texts: ReadonlyArray<{ id: string; text: string }>, search: ReportSearch, cacheFile: string): Promise<void> {
  // Alternately, twice, keeping each one's best: the ratio is of two runs under the same load.
  let floorMs = Infinity;
  let first: FirstIndex = { ms: Infinity, loopP99: 0, loopMax: 0, size: 0, peakRss: 0, loopBusyMs: 0, threads: null };
  const before = process.memoryUsage();
  for (let round = 0; round < 2; round++) {
    floorMs = Math.min(floorMs, segmentAll(texts.map((t) => t.text)));
    const built = await firstIndex(library);
    if (built.ms < first.ms) first = built;
  }
  // Once: it holds the event loop (and the machine) for many seconds.
  const { buildMs: peerBuildMs, mini } = peer(texts);
  console.log(`floor: jieba segmenting the Chinese text of ${count} reports: ${s(floorMs)} (${(floorMs / count).toFixed(3)} ms each)`);
  console.log(
    `index, first start (reads, strips, segments, counts, posts every report; ${defaultIndexThreads()} worker threads): ${first.size} reports in ${s(first.ms)} ` +
      `= ${(first.ms / floorMs).toFixed(2)} × the floor; event loop delay p99 ${ms(first.loopP99)}, max ${ms(first.loopMax)}`,
  );
  console.log(`peer: MiniSearch 7 with the same jieba tokens, one addAll: ${s(peerBuildMs)} = ${(peerBuildMs / floorMs).toFixed(2)} × the floor (event loop held throughout)`);
  const after = process.memoryUsage();
  console.log(`memory after the builds: heap +${mb(after.heapUsed - before.heapUsed)}, RSS ${mb(after.rss)}`);

  // Query time, index only (no snippets), ours against the peer's, then ours with snippets.
  const index = new SearchIndex();
  for (const { id, text } of texts) {
    const terms = new Map<string, number>();
    for (const term of indexTerms(reportIndexText(text))) terms.set(term, (terms.get(term) ?? 0) + 1);
    index.add({ slug: id, dateStart: id, dateEnd: id }, terms);
  }
  // The same search reading every hit's file again (no texts kept): what a report shown for the first time costs.
  const uncached = new ReportSearch(library, { cacheFile, snippetCacheSize: 0 });
  await uncached.start();
  const ours: number[] = [];
  const theirs: number[] = [];
  const withSnippets: number[] = [];
  const withSnippetsUncached: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const query of QUERIES) {
      let t = performance.now();
      index.search(queryTerms(query), 10);
      ours.push(performance.now() - t);
      t = performance.now();
      mini.search(query).slice(0, 10);
      theirs.push(performance.now() - t);
      t = performance.now();
      await search.search(query);
      withSnippets.push(performance.now() - t);
      t = performance.now();
      await uncached.search(query);
      withSnippetsUncached.push(performance.now() - t);
    }
  }
  console.log(`query, index only (${ours.length} queries): ours ${spread(ours)}; MiniSearch ${spread(theirs)}`);
  console.log(`search with snippets (what /search calls): ${spread(withSnippets)}`);
  console.log(`  the same, every hit's file read again (no report texts kept): ${spread(withSnippetsUncached)}`);
  await uncached.stop();
}

/**
 * The floor and the first index alone, round after round: the floor, the first index on worker
 * threads (the default) and on the bot's thread (`search.indexThreads` 0), alternately, so the
 * machine's load colours all three alike. Each round's figures, then the medians.
 */
async function floorAndFirstIndex(library: ReportLibrary, texts: readonly string[]): Promise<void> {
  // CPU time too (process.cpuUsage counts every thread): a loaded machine stretches wall time by
  // whatever else runs, CPU time far less.
  const cpuMs = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  const threads = threadsFlag === undefined ? defaultIndexThreads() : Number(threadsFlag);
  console.log(`index workers loaded from ${distWorker ? 'dist/ (compiled)' : 'src/ through tsx'}`);
  const ways = [
    { name: `${threads} worker thread${threads === 1 ? '' : 's'}`, indexThreads: threads },
    { name: 'in-thread slices', indexThreads: 0 },
  ];
  const floors: number[] = [];
  const parallelFloors: number[] = [];
  const parallelFloor = new ParallelFloor(threads);
  const figures = ways.map(() => ({ ms: [] as number[], ratio: [] as number[], cpuRatio: [] as number[], loopMax: [] as number[], loopBusy: [] as number[], peakRss: [] as number[], dictMs: [] as number[] }));
  for (let round = 0; round < indexRounds; round++) {
    let cpu = process.cpuUsage();
    const floorMs = segmentAll(texts);
    const floorCpu = cpuMs(cpu);
    floors.push(floorMs);
    const parallelMs = await parallelFloor.measure(texts);
    parallelFloors.push(parallelMs);
    console.log(`round ${round + 1}: floor ${s(floorMs)} (CPU ${s(floorCpu)}); the same segmenting on ${threads} threads ${s(parallelMs)} = ${(parallelMs / floorMs).toFixed(2)} × the floor`);
    for (const [i, way] of ways.entries()) {
      cpu = process.cpuUsage();
      const built = await firstIndex(library, way.indexThreads);
      const builtCpu = cpuMs(cpu);
      const f = figures[i]!;
      f.ms.push(built.ms);
      f.ratio.push(built.ms / floorMs);
      f.cpuRatio.push(builtCpu / floorCpu);
      f.loopMax.push(built.loopMax);
      f.loopBusy.push(built.loopBusyMs);
      f.peakRss.push(built.peakRss);
      const dict = built.threads?.dictionaryMs ?? [];
      f.dictMs.push(...dict);
      const threadNote = built.threads
        ? `; jieba dictionary load per worker ${dict.map((d) => ms(d)).join(', ')}; batches ${built.threads.workerBatches} on workers, ${built.threads.inThreadBatches} in-thread`
        : '';
      console.log(
        `  ${way.name}: first index ${built.size} reports in ${s(built.ms)} = ${(built.ms / floorMs).toFixed(2)} × the floor ` +
          `(CPU ${s(builtCpu)} ÷ ${s(floorCpu)} = ${(builtCpu / floorCpu).toFixed(2)}); event loop busy ${s(built.loopBusyMs)}, delay p99 ${ms(built.loopP99)}, max ${ms(built.loopMax)}; ` +
          `peak RSS ${mb(built.peakRss)}${threadNote}`,
      );
    }
  }
  await parallelFloor.close();
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  console.log(
    `median of ${indexRounds} rounds: floor ${s(median(floors))}; the same segmenting on ${threads} threads ${s(median(parallelFloors))} ` +
      `(${median(parallelFloors.map((p, i) => p / floors[i]!)).toFixed(2)} × the floor: what ${threads} threads of pure jieba give here)`,
  );
  for (const [i, way] of ways.entries()) {
    const f = figures[i]!;
    console.log(
      `  ${way.name}: first index ${s(median(f.ms))}, ratio ${median(f.ratio).toFixed(2)} × the floor, CPU time ratio ${median(f.cpuRatio).toFixed(2)}; ` +
        `event loop busy ${s(median(f.loopBusy))}, delay max ${ms(median(f.loopMax))}; peak RSS ${mb(Math.max(...f.peakRss))}` +
        (f.dictMs.length > 0 ? `; jieba dictionary load per worker, median ${ms(median(f.dictMs))} (part of the wall time above)` : ''),
    );
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-search-'));
  try {
    const generated = await buildReportFolder(dir, count);
    const library = await ReportLibrary.open(dir);
    const texts = await Promise.all(generated.map(async ({ file, date }) => ({ id: date, text: await readFile(file, 'utf8') })));
    let start = performance.now();
    queryTerms('加载词典');
    console.log(`jieba dictionary load: ${ms(performance.now() - start)}`);
    if (onlyIndex) {
      await floorAndFirstIndex(library, texts.map((t) => t.text));
      return;
    }

    const cacheFile = join(dir, 'cache', 'search-index.bin');
    {
      // The cache file the restart (and --only=commands) reads.
      const cold = new ReportSearch(library, { cacheFile });
      await cold.start();
      await cold.stop();
    }
    const search = new ReportSearch(library, { cacheFile });
    start = performance.now();
    await search.start();
    console.log(`index, restart (terms from the cache file): ${search.size} reports in ${ms(performance.now() - start)}`);
    if (!onlyCommands) await compareWithFloorAndPeer(library, texts, search, cacheFile);

    const latency = await commandLatency(library, search);
    const p90 = (times: number[]): number => percentile([...times].sort((a, b) => a - b), 0.9);
    console.log(`end to end through the Telegram adapter (${latency.dates.length} each, alternately): /dates ${spread(latency.dates)}`);
    console.log(`  /search ${spread(latency.search)}; p90 ratio /search : /dates = ${(p90(latency.search) / p90(latency.dates)).toFixed(2)}`);
    const cpuSearch = latency.cpu.search / latency.search.length;
    const cpuDates = latency.cpu.dates / latency.dates.length;
    console.log(`  CPU time per command (bot and fake Telegram together): /dates ${ms(cpuDates)}, /search ${ms(cpuSearch)} = ${(cpuSearch / cpuDates).toFixed(2)} × /dates`);
    await search.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

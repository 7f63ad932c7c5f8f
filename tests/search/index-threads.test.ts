import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deserialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildReportFolder } from '../../bench/fixtures.ts';
import { createLogger } from '../../src/log.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { IndexThreads } from '../../src/search/index-threads.ts';
import { ReportSearch, type ReportSearchOptions } from '../../src/search/report-search.ts';
import { visitReportTerms } from '../../src/search/report-terms.ts';
import { SearchIndex } from '../../src/search/search-index.ts';

const CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');
const CRASHING_WORKER = new URL('./fixtures/crashing-index-worker.ts', import.meta.url);
const SILENT_WORKER = new URL('./fixtures/silent-index-worker.ts', import.meta.url);
const GENERATED = 300;
const QUERIES = ['模型', 'RLM', '具身智能', 'Claude Code', 'cursor', 'ＧＰＴ', '智能体 推理', '开源 模型 发布', 'Cluade', '量子纠缠', '额外词7', 'token3', '批次', '模型 token5', 'x'.repeat(200)];

/** A logger whose events the test can read. */
function recordingLogger(): { logger: ReturnType<typeof createLogger>; events: Array<Record<string, unknown>> } {
  const events: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => events.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, events };
}

/** Every query's outcome, and the cache file the search wrote on stop (its index state and file versions). */
async function buildAndRead(library: ReportLibrary, cacheFile: string, options: ReportSearchOptions): Promise<{ outcomes: unknown[]; cache: unknown; size: number }> {
  const search = new ReportSearch(library, { cacheFile, ...options });
  await search.start();
  const outcomes = [];
  for (const query of QUERIES) outcomes.push(await search.search(query, 50));
  const size = search.size;
  await search.stop();
  const data = deserialize(readFileSync(cacheFile)) as { index: { docs: unknown[]; postings: Map<string, ArrayLike<number>> }; files: unknown[] };
  rmSync(cacheFile);
  // Postings in the map's order, as plain lists: the same content in the same order.
  const cache = { docs: data.index.docs, postings: [...data.index.postings].map(([term, list]) => [term, Array.from(list)]), files: data.files };
  return { outcomes, cache, size };
}

describe('first index on worker threads', () => {
  let dir: string;
  let library: ReportLibrary;
  let expected: Awaited<ReturnType<typeof buildAndRead>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'search-threads-'));
    for (const name of readdirSync(CONTENT_DIR)) copyFileSync(path.join(CONTENT_DIR, name), path.join(dir, name));
    // Generated reports (the seed's text, dated back from 2025-12-01), each with a few words of its
    // own so batches hold different terms; identical texts leave the order among equals to the dates.
    const generated = await buildReportFolder(dir, GENERATED, { lastDate: '2025-12-01' });
    generated.forEach(({ file }, i) => {
      if (i % 3 !== 0) writeFileSync(file, `${readFileSync(file, 'utf8')}\n\n额外词${i % 11} token${i % 7} 批次${i}\n`);
    });
    library = await ReportLibrary.open(dir);
    // A report that is gone between the scan and the index: skipped (and logged) both ways.
    rmSync(generated[10]!.file);
    expected = await buildAndRead(library, path.join(dir, 'in-thread.bin'), { indexThreads: 0 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the same index as the single-thread path: same results for every query, same cache content', async () => {
    const { logger, events } = recordingLogger();
    const threaded = await buildAndRead(library, path.join(dir, 'threaded.bin'), { indexThreads: 2, threadBatchSize: 16, logger });
    expect(expected.size).toBe(GENERATED + 5 - 1);
    expect(threaded.size).toBe(expected.size);
    expect(threaded.outcomes).toEqual(expected.outcomes);
    expect(threaded.cache).toEqual(expected.cache);
    expect(events.filter((e) => e.event === 'search.unreadable').map((e) => e.file)).toHaveLength(1);
    const done = events.find((e) => e.event === 'search.index_threads_done');
    expect(done).toMatchObject({ inThreadBatches: 0, failures: 0 });
    expect(done!.workerBatches).toBe(Math.ceil(library.entries().length / 16));
  });

  it('a worker that crashes mid-index: logged, its batches and the rest indexed in-thread, the index complete and the same', async () => {
    const { logger, events } = recordingLogger();
    const crashed = await buildAndRead(library, path.join(dir, 'crashed.bin'), { indexThreads: 1, threadBatchSize: 16, threadEntry: CRASHING_WORKER, logger });
    expect(events.filter((e) => e.event === 'search.index_threads_failed')).toHaveLength(1);
    const done = events.find((e) => e.event === 'search.index_threads_done') as { workerBatches: number; inThreadBatches: number; failures: number };
    expect(done.failures).toBe(1);
    expect(done.workerBatches).toBeGreaterThanOrEqual(1);
    expect(done.inThreadBatches).toBeGreaterThanOrEqual(1);
    expect(done.workerBatches + done.inThreadBatches).toBe(Math.ceil(library.entries().length / 16));
    expect(crashed.size).toBe(expected.size);
    expect(crashed.outcomes).toEqual(expected.outcomes);
    expect(crashed.cache).toEqual(expected.cache);
  });

  it('workers that cannot start: logged, everything indexed in-thread', async () => {
    const { logger, events } = recordingLogger();
    const missing = new URL('./fixtures/no-such-worker.ts', import.meta.url);
    const fallback = await buildAndRead(library, path.join(dir, 'missing.bin'), { indexThreads: 2, threadBatchSize: 16, threadEntry: missing, logger });
    expect(events.filter((e) => e.event === 'search.index_threads_failed')).toHaveLength(2);
    expect(fallback.size).toBe(expected.size);
    expect(fallback.cache).toEqual(expected.cache);
  });

  it('stop() during the first index ends it and its workers', async () => {
    const posted = new Set<Worker>();
    const original = Worker.prototype.postMessage;
    // Every worker the search talks to, to see that each has exited once stop() resolves.
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      posted.add(this);
      return original.apply(this, args);
    };
    try {
      // The workers never answer: without stop() ending them, start() would never resolve.
      const search = new ReportSearch(library, { indexThreads: 2, threadBatchSize: 16, threadEntry: SILENT_WORKER });
      const started = search.start();
      await vi.waitFor(() => expect(posted.size).toBe(2), { timeout: 10_000 });
      await search.stop();
      await started;
      expect(search.size).toBe(0);
      for (const worker of posted) expect(worker.threadId).toBe(-1);
    } finally {
      Worker.prototype.postMessage = original;
    }
  });
});

describe('IndexThreads', () => {
  it('a worker that answers nothing for too long is ended, logged, and its batches handed back', async () => {
    const { logger, events } = recordingLogger();
    const entries = Array.from({ length: 5 }, (_, i) => ({ slug: `s${i}`, file: `/nowhere/${i}.md`, dateStart: '2025-01-01', dateEnd: '2025-01-01' }));
    const pool = new IndexThreads(entries, { threads: 1, batchSize: 2, entry: SILENT_WORKER, timeoutMs: 300, logger });
    const outcomes = [];
    for await (const outcome of pool.outcomes()) outcomes.push(outcome.kind);
    await pool.close();
    expect(outcomes).toEqual(['inThread', 'inThread', 'inThread']);
    expect(events.filter((e) => e.event === 'search.index_threads_failed').map((e) => e.reason)).toEqual(['no answer within 300 ms']);
  });
});

describe('SearchIndex.addBatch', () => {
  it('is addEach over the batch: replaces earlier documents of the same slugs, numbers and postings in the same order', () => {
    const texts = readdirSync(CONTENT_DIR).map((name) => readFileSync(path.join(CONTENT_DIR, name), 'utf8'));
    const doc = (i: number) => ({ slug: `s${i}`, dateStart: `2025-01-${String(i + 1).padStart(2, '0')}`, dateEnd: `2025-01-${String(i + 1).padStart(2, '0')}` });
    const textOf = (i: number, round: number) => `${texts[(i + round) % texts.length]!}\n独有词${i}_${round}`;
    const one = new SearchIndex();
    const batched = new SearchIndex();
    for (let i = 0; i < 12; i++) {
      one.addEach(doc(i), (visit) => visitReportTerms(textOf(i, 0), visit));
      batched.addEach(doc(i), (visit) => visitReportTerms(textOf(i, 0), visit));
    }
    // The second round replaces s6…s11 and adds s12…s19.
    const part = new SearchIndex();
    for (let i = 6; i < 20; i++) {
      one.addEach(doc(i), (visit) => visitReportTerms(textOf(i, 1), visit));
      part.addEach(doc(i), (visit) => visitReportTerms(textOf(i, 1), visit));
    }
    batched.addBatch(part.exportBatch());
    for (const terms of [['模型'], ['rlm'], ['独有词7_0'], ['独有词7_1'], ['claude', 'code']]) expect(batched.search(terms, 20)).toEqual(one.search(terms, 20));
    const plain = (index: SearchIndex) => {
      const state = index.exportState();
      return { docs: state.docs, postings: [...state.postings].map(([term, list]) => [term, Array.from(list)]) };
    };
    expect(plain(batched)).toEqual(plain(one));
  });
});

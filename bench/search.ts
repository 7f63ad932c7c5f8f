/**
 * Search benchmark: ten years of daily reports (3,650 files). Prints the time to index them all
 * (what start-up costs, jieba's dictionary load shown apart, and how long the event loop was held
 * meanwhile), the restart from the cache file, query latency (median / p99 over
 * a mix of Chinese, English, multi-word, no-match and 2,000-character queries, snippets
 * included) and memory.
 *
 *   node --import tsx bench/search.ts [count]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ReportLibrary } from '../src/report/library.ts';
import { ReportSearch } from '../src/search/report-search.ts';
import { queryTerms } from '../src/search/tokenize.ts';
import { buildReportFolder } from './fixtures.ts';

const count = Number(process.argv[2] ?? 3650);
const rounds = 25;
const ms = (n: number): string => `${n.toFixed(2)} ms`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

const QUERIES = ['模型', 'Claude Code', '智能体 推理', 'ＧＰＴ', 'RLM', '开源 模型 发布', 'Cluade', '<script>alert(1)</script>', '量子计算', 'x'.repeat(2000), '模'.repeat(2000)];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-search-'));
  try {
    await buildReportFolder(dir, count);
    const library = await ReportLibrary.open(dir);
    let start = performance.now();
    queryTerms('加载词典');
    console.log(`jieba dictionary load: ${ms(performance.now() - start)}`);
    // The first build (in 15 ms slices), with how long the event loop (commands, pacing) was held meanwhile.
    const cacheFile = join(dir, 'cache', 'search-index.bin');
    {
      const before = process.memoryUsage();
      const cold = new ReportSearch(library, { cacheFile });
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      start = performance.now();
      await cold.start();
      const buildMs = performance.now() - start;
      loop.disable();
      const after = process.memoryUsage();
      console.log(
        `index, first start (segments every report): ${cold.size} reports in ${ms(buildMs)} (${(buildMs / cold.size).toFixed(3)} ms each), ` +
          `event loop delay p99 ${ms(loop.percentile(99) / 1e6)}, max ${ms(loop.max / 1e6)}; heap +${mb(after.heapUsed - before.heapUsed)}, RSS ${mb(after.rss)}`,
      );
      await cold.stop();
    }
    const search = new ReportSearch(library, { cacheFile });
    start = performance.now();
    await search.start();
    console.log(`index, restart (terms from the cache file): ${search.size} reports in ${ms(performance.now() - start)}`);

    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const query of QUERIES) {
        const t = performance.now();
        await search.search(query);
        times.push(performance.now() - t);
      }
    }
    times.sort((a, b) => a - b);
    console.log(`search (${times.length} queries incl. snippets): median ${ms(percentile(times, 0.5))}, p99 ${ms(percentile(times, 0.99))}, max ${ms(times.at(-1)!)}`);
    await search.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

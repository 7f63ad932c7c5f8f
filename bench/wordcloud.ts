/**
 * Time and peak memory to draw one word cloud from a seed report, in-process and on the
 * service's worker thread, and how much of the main event loop each way takes while drawing.
 * Run: node --import tsx bench/wordcloud.ts [report.md] [--runs N]
 */
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReport } from '../src/report/read-report.ts';
import { generateWordcloud } from '../src/wordcloud/generate-wordcloud.ts';
import { WordcloudThread } from '../src/wordcloud/wordcloud-thread.ts';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const file = args.find((a, i) => a.endsWith('.md') && i !== runsAt + 1) ?? path.join(root, 'content', 'twitter_ai_20260122_20260122.md');
const size = { width: 1200, height: 675 };

let peakRss = process.memoryUsage().rss;
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 5);

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const baseRss = process.memoryUsage().rss;
const report = await readReport(file);
const markdown = await readFile(file, 'utf8');

/** What the main thread went through while `draw` ran, over every run but the first. */
interface MainLoop {
  times: number[];
  /** Longest the main event loop went without a turn, ms. */
  maxDelayMs: number;
  /** Share of wall time the main loop spent running code (1 = never free to answer anything). */
  utilization: number;
}

async function measure(draw: () => Promise<unknown>): Promise<MainLoop> {
  const times: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let busy = performance.eventLoopUtilization();
  for (let i = 0; i < runs + 1; i++) {
    if (i === 1) {
      delay.enable();
      busy = performance.eventLoopUtilization();
    }
    const started = performance.now();
    await draw();
    times.push(performance.now() - started);
  }
  delay.disable();
  return { times, maxDelayMs: delay.max / 1e6, utilization: performance.eventLoopUtilization(busy).utilization };
}

let result: Awaited<ReturnType<typeof generateWordcloud>> | null = null;
const inProcess = await measure(async () => {
  result = await generateWordcloud(report, markdown, size);
});
const thread = new WordcloudThread();
const onWorker = await measure(() => thread.draw(report, markdown, size));
await thread.close();
clearInterval(sampler);
const m = process.memoryUsage();
peakRss = Math.max(peakRss, m.rss);
peakHeap = Math.max(peakHeap, m.heapUsed);

function printTimes(label: string, loop: MainLoop, firstNote: string): void {
  const [cold, ...warm] = loop.times;
  warm.sort((a, b) => a - b);
  console.log(`  ${label}`);
  console.log(`    first (${firstNote}): ${cold!.toFixed(0)} ms`);
  console.log(`    warm, ${warm.length} runs: median ${warm[Math.floor(warm.length / 2)]!.toFixed(0)} ms, min ${warm[0]!.toFixed(0)} ms, max ${warm[warm.length - 1]!.toFixed(0)} ms`);
  console.log(`    main event loop while drawing (warm runs): busy ${(loop.utilization * 100).toFixed(0)}%, longest stall ${loop.maxDelayMs.toFixed(0)} ms`);
}

const drawn = result as Awaited<ReturnType<typeof generateWordcloud>> | null;
console.log(`word cloud bench: ${path.basename(file)} at ${size.width}×${size.height}`);
printTimes('in-process', inProcess, 'loads dictionary + font');
printTimes('worker thread (WordcloudService)', onWorker, 'starts the worker: tsx, dictionary, font');
console.log(`  PNG ${drawn!.png.length} bytes, ${drawn!.placed.length}/${drawn!.words.length} terms placed`);
console.log(`  peak RSS ${mb(peakRss)} (process start ${mb(baseRss)}), peak JS heap ${mb(peakHeap)}`);

/**
 * Time and peak memory to draw one word cloud from a seed report.
 * Run: node --import tsx bench/wordcloud.ts [report.md] [--runs N]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReport } from '../src/report/read-report.ts';
import { generateWordcloud } from '../src/wordcloud/generate-wordcloud.ts';

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

const times: number[] = [];
let result: Awaited<ReturnType<typeof generateWordcloud>> | null = null;
for (let i = 0; i < runs + 1; i++) {
  const started = performance.now();
  result = await generateWordcloud(report, markdown, size);
  times.push(performance.now() - started);
}
clearInterval(sampler);
const m = process.memoryUsage();
peakRss = Math.max(peakRss, m.rss);
peakHeap = Math.max(peakHeap, m.heapUsed);

const [cold, ...warm] = times;
warm.sort((a, b) => a - b);
console.log(`word cloud bench: ${path.basename(file)} at ${size.width}×${size.height}`);
console.log(`  first (loads dictionary + font): ${cold!.toFixed(0)} ms`);
console.log(`  warm, ${warm.length} runs: median ${warm[Math.floor(warm.length / 2)]!.toFixed(0)} ms, min ${warm[0]!.toFixed(0)} ms, max ${warm[warm.length - 1]!.toFixed(0)} ms`);
console.log(`  PNG ${result!.png.length} bytes, ${result!.placed.length}/${result!.words.length} terms placed`);
console.log(`  peak RSS ${mb(peakRss)} (process start ${mb(baseRss)}), peak JS heap ${mb(peakHeap)}`);

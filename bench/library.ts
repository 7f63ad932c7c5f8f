/**
 * Report library benchmark: ten years of daily reports (3,650 files).
 * Prints index time, lookup+load latency, newest-report time, refresh time (and the longest the
 * event loop was held meanwhile: a rescan runs every 30 s and before each fan-out) and memory.
 *
 *   node --import tsx bench/library.ts [count]
 *   node --expose-gc --import tsx bench/library.ts   (for steadier memory figures)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ReportLibrary } from '../src/report/library.ts';
import { buildReportFolder } from './fixtures.ts';

const count = Number(process.argv[2] ?? 3650);
const samples = 500;

const ms = (n: number): string => `${n.toFixed(3)} ms`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** A deterministic pseudo-random generator, so runs are comparable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-library-'));
  try {
    const [reports, buildMs] = await time(() => buildReportFolder(dir, count));
    console.log(`folder: ${count} reports built in ${ms(buildMs)} (${dir})`);

    gc?.();
    const before = process.memoryUsage();
    const [library, indexMs] = await time(() => ReportLibrary.open(dir));
    gc?.();
    const afterIndex = process.memoryUsage();
    console.log(`index: ${ms(indexMs)} for ${library.entries().length} entries, ${library.problems().length} problems`);
    console.log(`index heap: +${mb(afterIndex.heapUsed - before.heapUsed)}`);

    const next = random(42);
    const dates = Array.from({ length: samples }, () => reports[Math.floor(next() * reports.length)]!.date);

    const lookups: number[] = [];
    for (const date of dates) {
      const start = performance.now();
      library.findEntry(date);
      lookups.push(performance.now() - start);
    }
    lookups.sort((a, b) => a - b);
    console.log(`findEntry (${samples} random dates): median ${ms(percentile(lookups, 0.5))}, p99 ${ms(percentile(lookups, 0.99))}`);

    const loads: number[] = [];
    for (const date of dates) {
      const [, elapsed] = await time(() => library.findByDate(date));
      loads.push(elapsed);
    }
    loads.sort((a, b) => a - b);
    console.log(`findByDate+load (${samples} random dates, mostly uncached): median ${ms(percentile(loads, 0.5))}, p99 ${ms(percentile(loads, 0.99))}`);

    const [cachedReport, cachedMs] = await time(() => library.findByDate(dates[dates.length - 1]!));
    console.log(`findByDate (cached): ${ms(cachedMs)} → ${cachedReport.slug}`);

    const missDate = '1990-01-01';
    const [, missMs] = await time(() => library.findByDate(missDate).catch((e: unknown) => e));
    console.log(`findByDate miss (nearest): ${ms(missMs)}`);

    const [latest, latestMs] = await time(() => library.latest());
    console.log(`newest: ${latest?.slug} in ${ms(latestMs)}`);

    for (let round = 0; round < 5; round++) {
      // A 1 ms timer's longest gap: how long the rescan kept anything else from running.
      let last = performance.now();
      let longestGap = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      }, 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const [change, refreshMs] = await time(() => library.refresh());
      await new Promise((resolve) => setTimeout(resolve, 10));
      clearInterval(ticker);
      const changes = change.added.length + change.changed.length + change.removed.length;
      console.log(`refresh (no changes) ${round + 1}: ${ms(refreshMs)}, ${changes} changes; the event loop held at most ${ms(longestGap)}`);
    }

    gc?.();
    const end = process.memoryUsage();
    console.log(`memory: heap used ${mb(end.heapUsed)}, RSS ${mb(end.rss)}${gc ? '' : ' (run with --expose-gc for steadier figures)'}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { threadId } from 'node:worker_threads';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { TELEGRAM_LIMITS } from '../../src/render/limits.ts';
import { readReport } from '../../src/report/read-report.ts';
import type { Report } from '../../src/report/types.ts';
import { imageSizeOf, readImageSize } from '../../src/wordcloud/image-size.ts';
import {
  WordcloudService,
  type WordcloudOptions,
  type WordcloudServiceRuntime,
} from '../../src/wordcloud/wordcloud-service.ts';
import { CONTENT_DIR } from './seed-reports.ts';

const SLUG = 'twitter_ai_20260103_20260103';
let dir: string;
const services: WordcloudService[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wordcloud-service-'));
});
afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** A service with its own cache folder and a logger whose lines the test can read. */
function harness(overrides: Partial<WordcloudOptions> = {}, runtime: WordcloudServiceRuntime = {}) {
  const lines: { level: string; msg: string; thread?: number }[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const cacheDir = mkdtempSync(path.join(dir, 'cache-'));
  const options: WordcloudOptions = { enabled: true, width: 480, height: 270, cacheDir, imagesDir: null, ...overrides };
  const service = new WordcloudService(options, createLogger({ level: 'info', destination }), runtime);
  services.push(service);
  const generated = () => lines.filter((l) => l.msg === 'word cloud: generated');
  return { service, lines, cacheDir, generations: () => generated().length, threads: () => generated().map((l) => l.thread) };
}

/** A copy of a seed report in its own folder (so tests can put images beside it). */
async function seedCopy(name: string): Promise<Report> {
  const folder = mkdtempSync(path.join(dir, `${name}-`));
  const file = path.join(folder, `${SLUG}.md`);
  copyFileSync(path.join(CONTENT_DIR, `${SLUG}.md`), file);
  return readReport(file);
}

function writeJpeg(file: string, width: number, height: number): void {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#336699';
  ctx.fillRect(0, 0, width, height);
  writeFileSync(file, canvas.toBuffer('image/jpeg'));
}

describe('WordcloudService', () => {
  it('generates once, then serves the cached PNG without generating again', async () => {
    const { service, generations, cacheDir } = harness();
    const report = await seedCopy('cache');
    expect(service.cachedImageFor(report)).toBeNull();

    const first = await service.imageFor(report);
    expect(first).toMatchObject({ name: `wordcloud_${SLUG}.png`, generated: true });
    expect(path.dirname(first!.path)).toBe(cacheDir);
    expect(readImageSize(first!.path)).toEqual({ width: 480, height: 270 });
    expect(first!.bytes).toBe(statSync(first!.path).size);
    const mtime = statSync(first!.path).mtimeMs;

    expect(await service.imageFor(report)).toEqual(first);
    expect(service.cachedImageFor(report)).toEqual(first);
    expect(generations()).toBe(1);
    expect(statSync(first!.path).mtimeMs).toBe(mtime);

    // A new service on the same cache folder (a restarted bot) finds it on disk.
    const restarted = new WordcloudService(
      { enabled: true, width: 480, height: 270, cacheDir, imagesDir: null },
      createLogger({ level: 'silent' }),
    );
    expect(restarted.cachedImageFor(report)).toEqual(first);
  });

  it('draws on a worker thread, not the one answering commands', async () => {
    const { service, threads } = harness();
    expect(await service.imageFor(await seedCopy('worker'))).toMatchObject({ generated: true });
    expect(threads()).toHaveLength(1);
    expect(threads()[0]).toEqual(expect.any(Number));
    expect(threads()[0]).not.toBe(threadId);
  });

  it('draws in-process, with one warning, when the worker cannot start', async () => {
    const entry = new URL('./workers/throwing-worker.ts', import.meta.url);
    const { service, lines, threads } = harness({}, { thread: { entry } });
    const first = await service.imageFor(await seedCopy('no-worker'));
    const edited = await seedCopy('no-worker-edited');
    writeFileSync(edited.file, `${readFileSync(edited.file, 'utf8')}\n新增段落：量子计算。\n`);
    const second = await service.imageFor(await readReport(edited.file));
    expect(first).toMatchObject({ generated: true });
    expect(second).toMatchObject({ generated: true });
    expect(readImageSize(second!.path)).toEqual({ width: 480, height: 270 });
    expect(threads()).toEqual([threadId, threadId]);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings.map((l) => l.msg)).toEqual(['word cloud: worker thread unavailable, drawing on the main thread from now on']);
  });

  it('still produces the cloud when the worker dies mid-drawing', async () => {
    const entry = new URL('./workers/exiting-worker.ts', import.meta.url);
    const { service, threads } = harness({}, { thread: { entry } });
    const concurrent = await Promise.all([service.imageFor(await seedCopy('crash')), service.imageFor(await seedCopy('crash-2'))]);
    expect(concurrent.map((image) => image?.generated)).toEqual([true, true]);
    expect(threads()).toEqual([threadId]); // the two copies share a cache entry: drawn once
  });

  it('close(): no more drawing, cached images still served, never throws', async () => {
    const { service, generations, lines } = harness();
    const drawn = await seedCopy('close');
    const image = await service.imageFor(drawn);
    await service.close();
    expect(service.cachedImageFor(drawn)).toEqual(image);
    expect(await service.imageFor(drawn)).toEqual(image);
    const edited = await seedCopy('close-edited');
    writeFileSync(edited.file, `${readFileSync(edited.file, 'utf8')}\n新增段落：量子计算。\n`);
    expect(await service.imageFor(await readReport(edited.file))).toBeNull();
    expect(generations()).toBe(1);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['word cloud: no image for this digest']);
  });

  it('close() during warm-ups (shutdown): the drawing under way and the queued ones stop without a warning', async () => {
    const { service, generations, lines } = harness();
    const first = await seedCopy('warm-close-first');
    const second = await seedCopy('warm-close-second');
    writeFileSync(second.file, `${readFileSync(second.file, 'utf8')}\n另一段：机器人。\n`);
    service.warm([first, await readReport(second.file)]);
    // The first drawing takes far longer than this (it loads the dictionary and the font).
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.close();
    await service.whenWarm();
    expect(generations()).toBe(0);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('shares one generation between concurrent callers and warm()', async () => {
    const { service, generations } = harness();
    const report = await seedCopy('concurrent');
    service.warm([report]);
    const results = await Promise.all([service.imageFor(report), service.imageFor(report), service.imageFor(report)]);
    await service.whenWarm();
    expect(generations()).toBe(1);
    expect(new Set(results.map((r) => r?.path)).size).toBe(1);
  });

  it('keys the cache by content: an edited report gets a new cloud', async () => {
    const { service, generations } = harness();
    const report = await seedCopy('edited');
    const before = await service.imageFor(report);
    writeFileSync(report.file, `${readFileSync(report.file, 'utf8')}\n新增段落：量子计算。\n`);
    const edited = await readReport(report.file);
    const after = await service.imageFor(edited);
    expect(after?.path).not.toBe(before?.path);
    expect(generations()).toBe(2);
  });

  it("attaches the report's own image as is when it fits the platforms", async () => {
    const { service, generations } = harness();
    const report = await seedCopy('own');
    expect(report.image).toBe(path.join(path.dirname(report.file), `wordcloud_${SLUG}.jpg`));
    writeJpeg(report.image!, 800, 450);
    const expected = { path: report.image, name: `wordcloud_${SLUG}.jpg`, bytes: statSync(report.image!).size, generated: false };
    expect(service.cachedImageFor(report)).toEqual(expected);
    expect(await service.imageFor(report)).toEqual(expected);
    expect(generations()).toBe(0);
  });

  it('finds the own image in the configured images folder', async () => {
    const imagesDir = mkdtempSync(path.join(dir, 'images-'));
    writeJpeg(path.join(imagesDir, `wordcloud_${SLUG}.jpg`), 600, 400);
    const { service } = harness({ imagesDir });
    const image = await service.imageFor(await seedCopy('images-dir'));
    expect(image).toMatchObject({ path: path.join(imagesDir, `wordcloud_${SLUG}.jpg`), generated: false });
  });

  it('downscales an own image that breaks the Telegram dimension limit', async () => {
    const { service, generations } = harness();
    const report = await seedCopy('too-big');
    writeJpeg(report.image!, 9500, 600);
    const image = await service.imageFor(report);
    expect(image).toMatchObject({ name: `wordcloud_${SLUG}.jpg`, generated: false });
    expect(image!.path).not.toBe(report.image);
    const size = readImageSize(image!.path)!;
    expect(size.width + size.height).toBeLessThanOrEqual(TELEGRAM_LIMITS.photoDimensionSum);
    expect(size.width / size.height).toBeCloseTo(9500 / 600, 0);
    expect(service.cachedImageFor(report)).toEqual(image);
    expect(generations()).toBe(0);
  });

  it('degrades to no image with a warning when generation fails, and never throws', async () => {
    const { service, lines } = harness();
    const report = await seedCopy('fallback');
    const empty = path.join(path.dirname(report.file), 'empty.md');
    writeFileSync(empty, '# 报告\n\n的 了 和。\n');
    const noWords: Report = { ...report, file: empty, headline: '报告', points: [], image: null, contentHash: 'f'.repeat(64) };
    expect(await service.imageFor(noWords)).toBeNull();
    const missingFile: Report = { ...report, file: path.join(dir, 'gone.md'), image: null, contentHash: 'e'.repeat(64) };
    expect(await service.imageFor(missingFile)).toBeNull();
    const warnings = lines.filter((l) => l.level === 'warn' && l.msg === 'word cloud: no image for this digest');
    expect(warnings).toHaveLength(2);
  });

  it('does not generate when disabled', async () => {
    const { service, generations } = harness({ enabled: false });
    expect(await service.imageFor(await seedCopy('disabled'))).toBeNull();
    expect(generations()).toBe(0);
  });
});

describe('imageSizeOf', () => {
  it('reads PNG and JPEG headers', () => {
    const canvas = createCanvas(123, 45);
    expect(imageSizeOf(canvas.toBuffer('image/png'))).toEqual({ width: 123, height: 45 });
    expect(imageSizeOf(canvas.toBuffer('image/jpeg'))).toEqual({ width: 123, height: 45 });
    expect(imageSizeOf(Buffer.from('not an image'))).toBeNull();
  });
});

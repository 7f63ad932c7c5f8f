import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { createLogger } from '../../src/log.ts';
import type { RenderJob } from '../../src/archive/render-jobs.ts';
import { renderJob } from '../../src/archive/render-jobs.ts';
import { INLINE_RENDERER, RenderThread } from '../../src/archive/render-thread.ts';
import { archiveContent, HOSTILE_DATE, startArchiveServer } from './archive-harness.ts';

const PUBLIC_URL = 'https://archive.example.org';
/** Every kind of page the render worker renders: index pages, reports (one hostile), searches, both feeds. */
const PATHS = ['/', '/?page=2', '/reports/2026-01-03', `/reports/${HOSTILE_DATE}`, '/search?q=%E7%BC%96%E7%A8%8B', '/search?q=zzzznothing', '/search', '/feed.xml', '/feed.json'];

/** A small index page as the archive would ask for it. */
const indexJob = (n: number): RenderJob => ({
  kind: 'index',
  meta: { title: `存档 ${n}`, description: '<desc>', url: `${PUBLIC_URL}/?page=${n}`, image: null },
  page: { entries: [{ slug: 'twitter_ai_20260103_20260103', file: '/x.md', dateStart: '2026-01-03', dateEnd: '2026-01-03', mtimeMs: 1, size: 2 }], page: n, pages: 3, total: 61 },
});

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } }) };
}

const DYING_WORKER = new URL('./dying-render-worker.ts', import.meta.url);
const SILENT_WORKER = new URL('./silent-render-worker.ts', import.meta.url);

describe('archive pages rendered on the render worker', () => {
  const content = archiveContent();
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'archive-render-cache-'));
  const thread = new RenderThread();
  let onWorker: Awaited<ReturnType<typeof startArchiveServer>>;
  let inline: Awaited<ReturnType<typeof startArchiveServer>>;

  beforeAll(async () => {
    onWorker = await startArchiveServer(content.contentDir, cacheDir, { publicUrl: PUBLIC_URL, renderer: thread });
    inline = await startArchiveServer(content.contentDir, cacheDir, { publicUrl: PUBLIC_URL, renderer: INLINE_RENDERER });
  });
  afterAll(async () => {
    await onWorker.close();
    await inline.close();
    await thread.close();
    content.cleanup();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('answers every page and feed byte for byte as the inline rendering does, from a worker thread', async () => {
    for (const pathName of PATHS) {
      const [a, b] = await Promise.all([fetch(`${onWorker.server.url}${pathName}`), fetch(`${inline.server.url}${pathName}`)]);
      expect({ path: pathName, status: a.status, type: a.headers.get('content-type'), etag: a.headers.get('etag') }).toEqual({
        path: pathName,
        status: b.status,
        type: b.headers.get('content-type'),
        etag: b.headers.get('etag'),
      });
      expect(Buffer.from(await a.arrayBuffer()).equals(Buffer.from(await b.arrayBuffer())), pathName).toBe(true);
    }
    // Every miss went to the worker (the feeds once for both), none fell back inline.
    expect(thread.counts.inline).toBe(0);
    expect(thread.counts.worker).toBeGreaterThanOrEqual(PATHS.length - 1);
    expect(thread.usesWorker).toBe(true);
  });

  it('serves a cached report page again without asking the worker', async () => {
    await fetch(`${onWorker.server.url}/reports/2026-01-03`);
    const before = thread.counts.worker;
    const again = await fetch(`${onWorker.server.url}/reports/2026-01-03`);
    expect(again.status).toBe(200);
    expect(thread.counts.worker).toBe(before);
  });
});

describe('the render thread when its worker dies (and when it does not)', () => {
  it("renders a dead worker's page inline instead, logged, and the next page goes to a new worker", async () => {
    const { lines, logger } = capturingLogger();
    const thread = new RenderThread({ entry: DYING_WORKER, logger });
    try {
      expect(await thread.render(indexJob(1))).toBe(await renderJob(indexJob(1)));
      expect(thread.counts).toEqual({ worker: 0, inline: 1, workerFailures: 1 });
      expect(lines.some((l) => l.event === 'archive.render_worker_failed' && String(l.reason).includes('exited with code 3'))).toBe(true);
      expect(thread.usesWorker).toBe(true);
      // A new worker is started for the next job (and dies too).
      expect(await thread.render(indexJob(2))).toBe(await renderJob(indexJob(2)));
      expect(thread.counts.workerFailures).toBe(2);
    } finally {
      await thread.close();
    }
  });

  it('after three deaths in a row stops starting workers: every page renders inline from then on', async () => {
    const { lines, logger } = capturingLogger();
    const thread = new RenderThread({ entry: DYING_WORKER, logger });
    try {
      for (const n of [1, 2, 3]) expect(await thread.render(indexJob(n))).toBe(await renderJob(indexJob(n)));
      expect(thread.usesWorker).toBe(false);
      expect(lines.at(-1)).toMatchObject({ event: 'archive.render_worker_failed', renderingInline: true });
      expect(await thread.render(indexJob(4))).toBe(await renderJob(indexJob(4)));
      expect(thread.counts).toEqual({ worker: 0, inline: 4, workerFailures: 3 });
    } finally {
      await thread.close();
    }
  });

  it('renders the pages of a worker that answers none in time inline, logged, and ends that worker', async () => {
    const { lines, logger } = capturingLogger();
    const thread = new RenderThread({ entry: SILENT_WORKER, logger, timeoutMs: 300 });
    try {
      const pages = await Promise.all([thread.render(indexJob(1)), thread.render(indexJob(2))]);
      expect(pages).toEqual([await renderJob(indexJob(1)), await renderJob(indexJob(2))]);
      expect(thread.counts).toEqual({ worker: 0, inline: 2, workerFailures: 1 });
      expect(lines.filter((l) => l.event === 'archive.render_worker_failed').map((l) => l.reason)).toEqual(['no answer within 300 ms']);
      expect(thread.workerThreadId).toBeNull();
    } finally {
      await thread.close();
    }
  });

  it('with a worker that cannot start (its module is missing) leaves the pages rendered inline, logged', async () => {
    const { lines, logger } = capturingLogger();
    const thread = new RenderThread({ entry: new URL('./no-such-render-worker.ts', import.meta.url), logger });
    try {
      expect(await thread.render(indexJob(1))).toBe(await renderJob(indexJob(1)));
      expect(thread.counts.inline).toBe(1);
      expect(lines.some((l) => l.event === 'archive.render_worker_failed' && String(l.reason).startsWith('failed to start'))).toBe(true);
    } finally {
      await thread.close();
    }
  });

  it('does not stop a live worker: its jobs render on a thread other than the caller', async () => {
    const thread = new RenderThread();
    try {
      expect(await thread.render(indexJob(1))).toBe(await renderJob(indexJob(1)));
      expect(thread.counts).toEqual({ worker: 1, inline: 0, workerFailures: 0 });
      expect(thread.workerThreadId).not.toBeNull();
      expect(thread.workerThreadId).not.toBe(threadId);
    } finally {
      await thread.close();
    }
  });
});

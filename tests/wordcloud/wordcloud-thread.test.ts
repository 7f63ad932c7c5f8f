import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DigestError } from '../../src/errors.ts';
import { generateWordcloud } from '../../src/wordcloud/generate-wordcloud.ts';
import { WordcloudThread, WorkerUnavailableError, type WordcloudThreadOptions } from '../../src/wordcloud/wordcloud-thread.ts';
import { loadSeeds } from './seed-reports.ts';

const SIZE = { width: 480, height: 270 };
const threads: WordcloudThread[] = [];

function thread(options: WordcloudThreadOptions = {}): WordcloudThread {
  const created = new WordcloudThread(options);
  threads.push(created);
  return created;
}

const fixtureWorker = (name: string) => new URL(`./workers/${name}.ts`, import.meta.url);

async function seed(index = -1) {
  const seeds = await loadSeeds();
  return seeds.at(index)!;
}

afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.close()));
});

describe('WordcloudThread', () => {
  // One worker for the tests that need a working one: each start loads tsx, jieba and the font.
  let worker: WordcloudThread;
  beforeAll(() => {
    worker = new WordcloudThread();
  });
  afterAll(async () => {
    await worker.close();
  });

  // How little of the main event loop a drawing takes there (against in-process) is a figure, not
  // an assertion: bench/wordcloud.ts prints both, since a loaded machine skews any such ratio.
  it('draws on another thread the same PNG bytes as in-process', async () => {
    const { report, markdown } = await seed();
    const drawn = await worker.draw(report, markdown, SIZE);
    const local = await generateWordcloud(report, markdown, SIZE);
    expect(drawn.threadId).not.toBe(threadId);
    expect(drawn.threadId).toBe(worker.workerThreadId);
    expect(drawn.png.equals(local.png)).toBe(true);
    expect(drawn.placed).toEqual(local.placed);
    expect(drawn.words).toEqual(local.words);
  });

  it('answers queued requests in order, each with its own result', async () => {
    const seeds = await loadSeeds();
    const [a, b] = [seeds[0]!, seeds[1]!];
    const [first, second] = await Promise.all([
      worker.draw(a.report, a.markdown, SIZE),
      worker.draw(b.report, b.markdown, SIZE),
    ]);
    expect(first.words).toEqual((await generateWordcloud(a.report, a.markdown, SIZE)).words);
    expect(second.words).toEqual((await generateWordcloud(b.report, b.markdown, SIZE)).words);
    expect(first.threadId).toBe(second.threadId);
  });

  it('reports a drawing that fails as a DigestError and keeps drawing afterwards', async () => {
    const { report, markdown } = await seed();
    const empty = { ...report, headline: '报告', points: [] };
    const failure = worker.draw(empty, '# 报告\n\n的 了 和。\n', SIZE);
    await expect(failure).rejects.toThrow(/no words/);
    await expect(failure).rejects.not.toBeInstanceOf(WorkerUnavailableError);
    const drawn = await worker.draw(report, markdown, SIZE);
    expect(drawn.threadId).not.toBe(threadId);
  });

  it('rejects with WorkerUnavailableError, now and later, when the worker cannot start', async () => {
    const { report, markdown } = await seed();
    for (const entry of [fixtureWorker('throwing-worker'), fixtureWorker('no-such-worker')]) {
      const broken = thread({ entry });
      await expect(broken.draw(report, markdown, SIZE)).rejects.toThrow(WorkerUnavailableError);
      await expect(broken.draw(report, markdown, SIZE)).rejects.toThrow(/failed to start/);
      expect(broken.workerThreadId).toBeNull();
    }
  });

  it('rejects with WorkerUnavailableError when the worker dies mid-drawing', async () => {
    const { report, markdown } = await seed();
    const dying = thread({ entry: fixtureWorker('exiting-worker') });
    const queued = [dying.draw(report, markdown, SIZE), dying.draw(report, markdown, SIZE)];
    await expect(queued[0]).rejects.toThrow(/exited with code 3/);
    await expect(queued[1]).rejects.toThrow(WorkerUnavailableError);
  });

  it('replaces a worker that does not answer in time, failing only that drawing', async () => {
    const { report, markdown } = await seed();
    const stuck = thread({ entry: fixtureWorker('silent-worker'), timeoutMs: 300 });
    const first = stuck.draw(report, markdown, SIZE);
    await expect(first).rejects.toThrow(/no answer within 300 ms/);
    await expect(first).rejects.not.toBeInstanceOf(WorkerUnavailableError);
    const second = stuck.draw(report, markdown, SIZE);
    await vi.waitFor(() => expect(stuck.workerThreadId).not.toBeNull()); // a fresh worker took the next drawing
    await expect(second).rejects.toThrow(/no answer/);
  });

  it('close() terminates the worker and fails drawings under way or asked later', async () => {
    const { report, markdown } = await seed();
    const closing = thread();
    await closing.draw(report, markdown, { width: 160, height: 90 });
    expect(closing.workerThreadId).not.toBeNull();
    const underWay = closing.draw(report, markdown, SIZE);
    await closing.close();
    expect(closing.workerThreadId).toBeNull();
    await expect(underWay).rejects.toThrow(/closed/);
    await expect(closing.draw(report, markdown, SIZE)).rejects.toThrow(DigestError);
    await closing.close(); // idempotent
  });
});

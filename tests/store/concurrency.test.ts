import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Destination } from '../../src/platforms/platform.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const root = mkdtempSync(path.join(tmpdir(), 'digest-store-race-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const worker = path.join(import.meta.dirname, 'claim-worker.ts');
const dest: Destination = { platform: 'telegram', chatId: '-1001', threadId: null };

/** Starts claim-worker.ts; `ready` resolves once it is loaded, `go()` releases it, `result` is what it created. */
function startWorker(file: string, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, file, String(count)], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const result = new Promise<number[]>((resolve, reject) => {
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`claim-worker exited ${code}: ${err}`));
      resolve(JSON.parse(out.slice('ready\n'.length)) as number[]);
    });
  });
  // A worker that dies before saying ready must fail the test, not hang it.
  const readyOrDied = Promise.race([ready, result.then(() => undefined)]);
  return { ready: readyOrDied, go: () => child.stdin.end('go\n'), result };
}

describe('two stores on one file', () => {
  it('see each other’s writes and never both create the same ledger row', async () => {
    const file = path.join(root, 'shared.db');
    const bot = await SqliteStore.open(file);
    const cli = await SqliteStore.open(file);
    await cli.subscribe({ ...dest, subscribedBy: 'cli' });
    expect((await bot.getSubscription(dest))?.active).toBe(true);
    const a = await bot.claimDelivery({ slug: 's', destination: dest, kind: 'scheduled' });
    const b = await cli.claimDelivery({ slug: 's', destination: dest, kind: 'scheduled' });
    expect([a.created, b.created]).toEqual([true, false]);
    expect(b.delivery.id).toBe(a.delivery.id);
    await bot.close();
    await cli.close();
  });

  it('two processes claiming the same rows at once, on a fresh file, create each row exactly once', async () => {
    const file = path.join(root, 'race.db');
    const count = 300;
    const workers = [startWorker(file, count), startWorker(file, count)];
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const [first, second] = await Promise.all(workers.map((w) => w.result));
    const all = [...(first ?? []), ...(second ?? [])].sort((x, y) => x - y);
    // Every slug created once, by one process or the other; never by both, never by neither.
    expect(all).toEqual(Array.from({ length: count }, (_, i) => i));
    const store = await SqliteStore.open(file);
    expect(await store.listDeliveries()).toHaveLength(count);
    await store.close();
    console.log(`claims created per process: ${first?.length} / ${second?.length}`);
  });
});

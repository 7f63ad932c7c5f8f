import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntilSettled } from '../../src/delivery/report-settle.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'settle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'r.md');

/** A clock that only moves when the code under test sleeps; `onSleep` runs at each sleep. */
function virtualTime(onSleep: (n: number) => void = () => undefined) {
  let now = Date.now();
  let sleeps = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps += 1;
      onSleep(sleeps);
      now += ms;
    },
    sleeps: () => sleeps,
  };
}

describe('waitUntilSettled', () => {
  it('passes a file modified longer ago than the settle time without waiting', async () => {
    writeFileSync(file, 'a');
    const old = new Date(Date.now() - 10_000);
    utimesSync(file, old, old);
    const t = virtualTime();
    expect(await waitUntilSettled(file, { settleMs: 3000, maxWaitMs: 60_000, ...t })).toBe(false);
    expect(t.sleeps()).toBe(0);
  });

  it('waits one unchanged settle time for a file dated in the future (clock skew), then passes', async () => {
    writeFileSync(file, 'a');
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(file, future, future);
    const t = virtualTime();
    expect(await waitUntilSettled(file, { settleMs: 3000, maxWaitMs: 60_000, ...t })).toBe(true);
    expect(t.sleeps()).toBe(1);
  });

  it('gives up, naming the file, on a file that never stops changing', async () => {
    writeFileSync(file, 'a');
    const t = virtualTime((n) => writeFileSync(file, 'a'.repeat(n + 1)));
    await expect(waitUntilSettled(file, { settleMs: 3000, maxWaitMs: 20_000, ...t })).rejects.toThrow(/r\.md is still being written/);
  });

  it('is off with a settle time of 0', async () => {
    writeFileSync(file, 'a');
    expect(await waitUntilSettled(file, { settleMs: 0, maxWaitMs: 0, ...virtualTime() })).toBe(false);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInterruptions, runScenario } from '../helpers/crash-harness.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';

/**
 * A stop is a stop, within seconds (issue 8 §2): the real bot process (`npm start`) gets SIGTERM
 * during its start-up catch-up, and again while Telegram stops answering mid-fan-out. It must exit
 * 0 — by itself when it can, at the stop timeout (8 s by default) when Telegram hangs — and a
 * restart must deliver everything with no message repeated beyond what was in flight. Told by
 * the bot's own events, not by the clock: how long a stop takes is a figure of
 * bench/crash-resume.ts (a loaded machine stretches it); the harness's run deadline catches a
 * bot that never stops.
 */

const chatRange = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

let telegram: FakeTelegram;
let cache: string;

beforeAll(async () => {
  telegram = await startFakeTelegram({ enforceRateLimits: true });
  cache = mkdtempSync(path.join(tmpdir(), 'stop-wordclouds-'));
});
afterAll(async () => {
  await telegram?.close();
  if (cache) rmSync(cache, { recursive: true, force: true });
});

describe('SIGTERM stops the bot within seconds and leaves the rest resumable', () => {
  it('during the start-up catch-up: exit 0 without waiting for the stop timeout; the restart delivers the rest, nothing repeated', async () => {
    const result = await runScenario({
      telegram,
      chats: chatRange(870_001, 60),
      entry: 'start',
      wordcloudCache: cache,
      // A generous stop timeout, so "stopped by itself" does not depend on how loaded the machine is.
      env: { SHUTDOWN_TIMEOUT_SECONDS: '60' },
      interruptions: [{ afterAccepted: 20, signal: 'SIGTERM' }],
    });
    const [stop] = result.interruptions;
    const figures = describeInterruptions(result);
    console.info(`[stop] during catch-up: ${figures.join('; ')}`);
    expect(stop!.exit, `${figures[0]}\n${result.outputs[0]!.slice(-3000)}`).toEqual({ code: 0, signal: null });
    // It stopped mid-fan-out (not after finishing it) and said so, with nothing left hanging.
    expect(result.outputs[0]).toContain('"event":"delivery.stopping"');
    expect(result.outputs[0]).toContain('"event":"shutdown.done"');
    expect(result.outputs[0]).not.toContain('"event":"shutdown.timeout"');
    expect(result.missing).toEqual([]);
    expect(result.undelivered).toBe(0);
    expect(stop!.repeats).toBeLessThanOrEqual(stop!.inFlight);
  }, 300_000);

  it('while Telegram does not answer mid-fan-out: exit 0 at the stop timeout; the restart delivers the rest', async () => {
    const result = await runScenario({
      telegram,
      chats: chatRange(860_001, 60),
      entry: 'start',
      wordcloudCache: cache,
      interruptions: [{ afterAccepted: 20, signal: 'SIGTERM', hang: true, signalDelayMs: 500 }],
    });
    const [stop] = result.interruptions;
    const figures = describeInterruptions(result);
    console.info(`[stop] Telegram hanging: ${figures.join('; ')}`);
    expect(stop!.exit, `${figures[0]}\n${result.outputs[0]!.slice(-3000)}`).toEqual({ code: 0, signal: null });
    expect(result.outputs[0]).toContain('"event":"shutdown.timeout"');
    expect(result.missing).toEqual([]);
    expect(result.undelivered).toBe(0);
    expect(stop!.repeats).toBeLessThanOrEqual(stop!.inFlight);
  }, 300_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInterruptions, runScenario, type ScenarioResult } from '../helpers/crash-harness.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';

/**
 * A crash repeats at most what was in flight (issue 8 §1): the real bot process (`npm start`,
 * whose start-up catch-up fans the newest report out to 120 Telegram chats at 30 messages/s, and
 * `digest post`) is SIGKILLed the moment the fake Telegram has accepted N messages, restarted,
 * and so on, then run to the end. Telegram has no idempotency key, so the message being accepted
 * at the kill is repeated; everything the ledger recorded is not.
 */

const chatRange = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

let telegram: FakeTelegram;
let cache: string;

beforeAll(async () => {
  telegram = await startFakeTelegram({ enforceRateLimits: true });
  cache = mkdtempSync(path.join(tmpdir(), 'crash-wordclouds-'));
});
afterAll(async () => {
  await telegram?.close();
  if (cache) rmSync(cache, { recursive: true, force: true });
});

function expectAtMostInFlight(result: ScenarioResult): void {
  const figures = describeInterruptions(result);
  console.info(`[crash-resume] ${result.chats.length} chats, ${result.partsPerChat} parts each:\n  ${figures.join('\n  ')}`);
  expect(result.missing, 'chats missing a part').toEqual([]);
  expect(result.undelivered, 'ledger rows not delivered').toBe(0);
  for (const [i, crash] of result.interruptions.entries()) {
    // The kill came from the fake, synchronously, so the process died mid-fan-out.
    expect(crash.exit.signal, figures[i]).toBe('SIGKILL');
    // Only what Telegram accepted without the ledger knowing is sent again …
    expect(crash.repeats, figures[i]).toBeLessThanOrEqual(crash.inFlight);
    // … and at 30 messages/s on loopback that is the one or two latest requests.
    expect(crash.repeats, figures[i]).toBeLessThanOrEqual(2);
  }
}

describe('a crash repeats at most the requests in flight (Telegram, real process, SIGKILL)', () => {
  it('npm start: 120 chats, killed after 5, 60, 150 and 230 accepted messages, then run to the end', async () => {
    const result = await runScenario({
      telegram,
      chats: chatRange(880_001, 120),
      entry: 'start',
      wordcloudCache: cache,
      interruptions: [5, 60, 150, 230].map((afterAccepted) => ({ afterAccepted, signal: 'SIGKILL' as const })),
    });
    expectAtMostInFlight(result);
  }, 300_000);

  it('digest post: 120 chats, killed after 40 and 180 accepted messages, then run to the end', async () => {
    const result = await runScenario({
      telegram,
      chats: chatRange(890_001, 120),
      entry: 'post',
      wordcloudCache: cache,
      interruptions: [40, 180].map((afterAccepted) => ({ afterAccepted, signal: 'SIGKILL' as const })),
    });
    expectAtMostInFlight(result);
  }, 300_000);
});

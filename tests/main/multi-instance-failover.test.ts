import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFailoverScenario } from '../helpers/failover-harness.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { runPostgresTests } from '../helpers/postgres.ts';

/**
 * Two `npm start` processes on one PostgreSQL database and one fake Telegram: the start-up
 * catch-up to 120 chats is sent by one of them; SIGKILL that one part-way and the other finishes
 * it from the ledger (within a generous deadline; how soon, against the 30 s promised, is a figure
 * of bench/failover.ts), every chat ends with the whole digest, and Telegram repeats no more than
 * the messages in flight at the kill.
 */
const enabled = await runPostgresTests('multi-instance-failover');
let telegram: FakeTelegram;

beforeAll(async () => {
  if (enabled) telegram = await startFakeTelegram();
});
afterAll(async () => {
  await telegram?.close();
});

describe.runIf(enabled)('two bot instances on one PostgreSQL database', () => {
  it('the sender is SIGKILLed part-way: the other finishes the fan-out from the ledger', async () => {
    const chats = Array.from({ length: 120 }, (_, i) => 8_200_001 + i);
    const result = await runFailoverScenario({ telegram, chats, killAfter: 60 });
    const why = result.outputs.join('\n---\n');
    console.info(
      `[multi-instance-failover] killed after ${result.acceptedAtKill} messages (${result.inFlight} in flight); first send by the other instance ${result.firstSendAfterMs} ms after the kill; all delivered after ${result.allDeliveredMs} ms`,
    );
    expect(result.allDeliveredMs, why).not.toBeNull();
    expect(result.survivorTookOver, why).toBe(true);
    expect(result.missing).toEqual([]);
    expect(result.repeats).toBeLessThanOrEqual(result.inFlight);
  }, 180_000);
});

/**
 * Failover benchmark (issue 11): two `npm start` instances on one PostgreSQL database
 * (TEST_DATABASE_URL) against the fake Telegram enforcing its rate limits, 120 chats (photo + text
 * each); the sending instance is SIGKILLed at several moments of the start-up catch-up. Prints the
 * time from the kill to the first send by the other instance and to every chat delivered, the
 * messages in flight at the kill and the messages repeated.
 *
 *   node --import tsx bench/failover.ts [chats]
 */
import { runFailoverScenario } from '../tests/helpers/failover-harness.ts';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';
import { postgresProblem, TEST_DATABASE_URL } from '../tests/helpers/postgres.ts';

const chats = Number(process.argv[2] ?? 120);
const problem = await postgresProblem();
if (problem !== null) {
  console.log(`bench/failover: skipped: ${TEST_DATABASE_URL} unreachable (${problem})`);
} else {
  const telegram = await startFakeTelegram({ enforceRateLimits: true });
  let base = 9_100_001;
  try {
    console.log(`two instances, ${chats} chats; SIGKILL of the sender after N accepted messages`);
    console.log('| after N accepted | in flight | kill → first send by the other | kill → all delivered | repeated | missing |');
    console.log('|---|---|---|---|---|---|');
    for (const fraction of [0.1, 0.5, 0.9]) {
      const ids = Array.from({ length: chats }, (_, i) => base + i);
      base += chats;
      const r = await runFailoverScenario({ telegram, chats: ids, killAfter: Math.max(1, Math.round(fraction * chats * 2)), finishWithinMs: 120_000 });
      const ms = (v: number | null): string => (v === null ? 'not within 120 s' : `${(v / 1000).toFixed(1)} s`);
      console.log(`| ${r.acceptedAtKill} | ${r.inFlight} | ${ms(r.firstSendAfterMs)} | ${ms(r.allDeliveredMs)} | ${r.repeats} | ${r.missing.length} |`);
    }
  } finally {
    await telegram.close();
  }
}

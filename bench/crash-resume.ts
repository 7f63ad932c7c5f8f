/**
 * Crash and stop benchmark (issue 8): the real bot process against the fake Telegram with 120
 * chats (photo + text each, 30 messages/s). Prints, per kill point, the messages Telegram had
 * accepted without the ledger knowing (in flight) and the messages repeated after the restart;
 * then the time from SIGTERM to exit during the start-up catch-up and while Telegram hangs.
 *
 *   node --import tsx bench/crash-resume.ts [chats]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runScenario, type ScenarioResult } from '../tests/helpers/crash-harness.ts';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';

const chats = Number(process.argv[2] ?? 120);
const telegram = await startFakeTelegram({ enforceRateLimits: true });
const cache = mkdtempSync(path.join(tmpdir(), 'bench-crash-'));
let base = 700_001;
const nextChats = (): number[] => {
  const ids = Array.from({ length: chats }, (_, i) => base + i);
  base += chats;
  return ids;
};

function table(title: string, result: ScenarioResult): void {
  console.log(`\n${title} (${result.chats.length} chats × ${result.partsPerChat} parts; missing at the end: ${result.missing.length})`);
  console.log('| signal | after N accepted | in flight | repeated after restart | exit | stop time |');
  console.log('|---|---|---|---|---|---|');
  for (const i of result.interruptions) {
    console.log(
      `| ${i.signal}${i.hang ? ' (Telegram hanging)' : ''} | ${i.afterAccepted} | ${i.inFlight} | ${i.repeats} | ${i.exit.signal ?? `code ${i.exit.code}`} | ${i.signal === 'SIGKILL' ? '–' : `${i.stopMs} ms`} |`,
    );
  }
}

try {
  const total = chats * 2;
  const killPoints = [5, 60, 150, 230].map((n) => Math.round((n / 240) * total));
  table(
    'npm start, SIGKILL at several moments of the start-up catch-up, restarted each time',
    await runScenario({ telegram, chats: nextChats(), entry: 'start', wordcloudCache: cache, interruptions: killPoints.map((afterAccepted) => ({ afterAccepted, signal: 'SIGKILL' as const })) }),
  );
  table(
    'digest post, SIGKILL, rerun',
    await runScenario({ telegram, chats: nextChats(), entry: 'post', wordcloudCache: cache, interruptions: [40, 180].map((n) => ({ afterAccepted: Math.round((n / 240) * total), signal: 'SIGKILL' as const })) }),
  );
  table(
    'npm start, SIGTERM during the start-up catch-up',
    await runScenario({ telegram, chats: nextChats(), entry: 'start', wordcloudCache: cache, interruptions: [{ afterAccepted: 20, signal: 'SIGTERM' }] }),
  );
  table(
    'npm start, SIGTERM 0.5 s after Telegram stopped answering mid-fan-out (default stop timeout 8 s)',
    await runScenario({ telegram, chats: nextChats(), entry: 'start', wordcloudCache: cache, interruptions: [{ afterAccepted: 20, signal: 'SIGTERM', hang: true, signalDelayMs: 500 }] }),
  );
} finally {
  await telegram.close();
  rmSync(cache, { recursive: true, force: true });
}

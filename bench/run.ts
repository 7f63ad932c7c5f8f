/**
 * `npm run bench`: runs each benchmark in its own process (so one's memory and timers do not
 * colour another's figures) and lets each print its own figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
/** Each bench with its arguments; fanout.ts twice: on loopback, and as the bot meets Discord (gateway, a 200 ms upload). */
const benches: string[][] = [
  ['library.ts'],
  ['search.ts'],
  ['wordcloud.ts'],
  ['fanout.ts'],
  ['fanout.ts', '--gateway', '--discord-latency=200'],
  ['commands-under-fanout.ts'],
  ['paid-broadcast.ts'],
  ['crash-resume.ts'],
  ['presentations.ts'],
  ['failover.ts'],
  ['multi-instance.ts'],
  ['command-burst.ts'],
  ['start.ts'],
  ['archive-load.ts'],
].filter(([name]) => existsSync(path.join(here, name!)));
let failed = 0;
for (const [name, ...args] of benches) {
  const shown = [`bench/${name}`, ...args].join(' ');
  console.log(`\n== ${shown}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, name!), ...args], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.log(`${shown} exited with ${run.status ?? run.signal}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;

/**
 * Start-up benchmark (issue 19 §5): the bot started from its TypeScript sources through tsx (the
 * old `npm start`) against the compiled JavaScript in dist/ (`npm start` now, `node
 * bin/ai-digest-bot.mjs`), alternated in one run against the same fake Telegram and Discord. Prints,
 * per way of starting, the median time from spawn to the first `/readyz` 200 (both platforms
 * started, library indexed, database open) and the steady resident memory of the bot process
 * (VmRSS sampled over a few seconds once ready, median).
 *
 *   node --import tsx bench/start.ts [rounds]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeDiscord } from '../tests/helpers/fake-discord.ts';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';
import { ROOT_DIR } from '../tests/helpers/node-process.ts';

const rounds = Number(process.argv[2] ?? 3);
const SETTLE_MS = 5000;
const ways = {
  'tsx (node --import tsx src/main.ts)': ['--import', 'tsx', path.join(ROOT_DIR, 'src/main.ts')],
  'compiled (node bin/ai-digest-bot.mjs → dist/)': [path.join(ROOT_DIR, 'bin/ai-digest-bot.mjs')],
} as const;

const build = spawnSync(process.execPath, [path.join(ROOT_DIR, 'bin/build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');

const tmp = mkdtempSync(path.join(tmpdir(), 'bench-start-'));
cpSync(path.join(ROOT_DIR, 'content'), path.join(tmp, 'content'), { recursive: true });
const configFile = path.join(tmp, 'config.json');
// Word clouds drawn once before the runs (warmRecent 1 with a shared cache), so neither way pays for drawing.
writeFileSync(configFile, JSON.stringify({ wordcloud: { cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 1 }, schedule: '0 0 1 1 *' }));
const telegram = await startFakeTelegram();
const discord = await startFakeDiscord();
discord.addGuild({ id: '880000000000000001', name: 'bench', channels: [{ id: '880000000000000010', type: 0, name: 'c' }] });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rssKiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One start: ms to the first /readyz 200, and the steady RSS in MiB. */
async function once(args: readonly string[], round: string): Promise<{ readyMs: number; rssMiB: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT_DIR,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_BASE: discord.apiBase,
      DISCORD_GUILD_ID: '880000000000000001',
      CONTENT_DIR: path.join(tmp, 'content'),
      DIGEST_CONFIG: configFile,
      DATABASE_PATH: path.join(tmp, `${round}.db`),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  try {
    let port: number | null = null;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the bot exited:\n${log.slice(-2000)}`);
      if (performance.now() - started > 120_000) throw new Error(`not ready within 120 s:\n${log.slice(-2000)}`);
      port ??= Number(/"event":"http\.listening"[^\n]*"port":(\d+)/.exec(log)?.[1] ?? 0) || null;
      if (port !== null && (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0)) === 200) break;
      await sleep(10);
    }
    const readyMs = performance.now() - started;
    const samples: number[] = [];
    for (let t = 0; t < SETTLE_MS; t += 500) {
      await sleep(500);
      samples.push(rssKiB(child.pid!));
    }
    return { readyMs, rssMiB: median(samples) / 1024 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

try {
  const figures = new Map<string, Array<{ readyMs: number; rssMiB: number }>>(Object.keys(ways).map((k) => [k, []]));
  // One start to draw the word cloud and fill the OS file cache; not counted.
  await once(ways['compiled (node bin/ai-digest-bot.mjs → dist/)'], 'warm');
  for (let round = 0; round < rounds; round++) {
    for (const [name, args] of Object.entries(ways)) figures.get(name)!.push(await once(args, `${round}-${name.slice(0, 3)}`));
  }
  console.log(`start to ready (/readyz 200, Telegram and Discord started) and steady RSS, median of ${rounds} alternated starts each`);
  console.log('| start | start → ready | steady RSS |');
  console.log('|---|---|---|');
  for (const [name, runs] of figures) {
    console.log(`| ${name} | ${(median(runs.map((r) => r.readyMs)) / 1000).toFixed(2)} s | ${median(runs.map((r) => r.rssMiB)).toFixed(0)} MiB |`);
  }
} finally {
  await telegram.close();
  await discord.close();
  rmSync(tmp, { recursive: true, force: true });
}

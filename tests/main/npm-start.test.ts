import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { ROOT_DIR } from '../helpers/node-process.ts';
import { descendantsOf, isRunning, listeningPort, startNpm, type NpmStart } from '../helpers/npm-start.ts';
import { until } from '../helpers/until.ts';

/**
 * `npm start` itself, as a supervisor or an operator's terminal runs it (issue 18 §7, §8): npm is
 * the process signalled, the bot its child (the compiled dist/, built at first start when needed).
 */

const ADMIN_TOKEN = 'npm-start-admin-token';
let telegram: FakeTelegram;
let tmp: string;
let baseEnv: NodeJS.ProcessEnv;
const started: NpmStart[] = [];
/** Every bot process seen, killed at the end if a failing test left one behind (reparented). */
const botPids: number[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
  cpSync(path.join(ROOT_DIR, 'content'), path.join(tmp, 'content'), { recursive: true });
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(configFile, JSON.stringify({ wordcloud: { cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 1 }, schedule: '0 0 1 1 *' }));
  telegram = await startFakeTelegram();
  baseEnv = {
    CONTENT_DIR: path.join(tmp, 'content'),
    DIGEST_CONFIG: configFile,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    SHUTDOWN_TIMEOUT_SECONDS: '5',
  };
});

afterAll(async () => {
  for (const run of started) {
    botPids.push(...descendantsOf(run.npm.pid!));
    run.npm.kill('SIGKILL');
  }
  for (const pid of botPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  await telegram?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const healthz = async (port: number): Promise<number | 'refused'> =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (response) => response.status,
    () => 'refused' as const,
  );

describe.runIf(process.platform === 'linux')('npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal} to the npm process stops the bot: the bot process is gone and /healthz closed`, async () => {
      const run = startNpm({ ...baseEnv, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, DATABASE_PATH: path.join(tmp, `${signal}.db`) });
      started.push(run);
      const port = await listeningPort(run);
      await until('telegram to start', () => run.stderr().includes('"event":"platform.started","platform":"telegram"'), 60_000, () => run.stderr().slice(-3000));
      expect(await healthz(port)).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('digest_platform_up{platform="telegram"} 1');
      expect(metrics).toContain('digest_platform_up{platform="discord"} 0');
      expect(metrics).toMatch(/^digest_build_info\{version="[^"]+",node="v\d+/m);
      const bot = descendantsOf(run.npm.pid!);
      botPids.push(...bot);
      expect(bot.length).toBeGreaterThan(0);

      run.npm.kill(signal);
      // The stop timeout is 5 s here: 30 s is a deadline for a hang, not a figure.
      await until(`the bot to exit after ${signal} to npm`, () => bot.every((pid) => !isRunning(pid)), 30_000, () => run.stderr().slice(-3000));
      expect(await healthz(port)).toBe('refused');
      // It stopped as on SIGTERM to node: the orderly shutdown, not a kill.
      await run.outputClosed;
      expect(run.stderr()).toContain('"event":"shutdown.done"');
    }, 180_000);
  }

  it('with HTTP_PORT and no token keeps running: /healthz, /readyz saying no platform is configured, /admin with previews; one line says so', async () => {
    const run = startNpm({ ...baseEnv, ADMIN_TOKEN, DATABASE_PATH: path.join(tmp, 'status-only.db') });
    started.push(run);
    const port = await listeningPort(run);
    const url = `http://127.0.0.1:${port}`;
    await until('the status-only line', () => run.stdout().includes('no platform token is set'), 30_000, () => run.stdout());
    const line = run.stdout().split('\n').find((l) => l.includes('no platform token is set'))!;
    expect(line).toContain(`${url}`);
    expect(line).toContain('/admin');

    expect(await healthz(port)).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { notReady: string[]; components: Record<string, { detail: string | null }> };
    expect(body.notReady).toEqual(['platforms']);
    expect(body.components.platforms?.detail).toContain('no platform is configured');
    const auth = { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } };
    expect((await fetch(`${url}/admin`, auth)).status).toBe(200);
    const preview = await fetch(`${url}/admin/preview/2026-01-22`, auth);
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('2026-01-22');
    // Still running a while later (the old behaviour printed help and exited 0 at once).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await healthz(port)).toBe(200);

    const bot = descendantsOf(run.npm.pid!);
    botPids.push(...bot);
    run.npm.kill('SIGTERM');
    await until('the status-only bot to exit', () => bot.every((pid) => !isRunning(pid)), 30_000);
    expect(await healthz(port)).toBe('refused');
  }, 180_000);
});

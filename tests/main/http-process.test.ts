import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { parsePrometheusText, sampleValue } from '../http/prometheus-text.ts';
import { ROOT_DIR, runCliProcess, startBotProcess, type NodeProcess } from '../helpers/node-process.ts';
import { until } from '../helpers/until.ts';

/**
 * `npm start` with HTTP_PORT and ADMIN_TOKEN as a real child process against the fake platforms:
 * the probes, the metrics after a fan-out the bot itself made, the status page's token check,
 * the CLI beside it with the same HTTP_PORT (it must not try to open the port), and SIGTERM.
 */

const TOKEN = 'process-test-admin-token-4242';
const TG_OWNER = 7301;
const TG_GROUP = -1007300;
const GUILD = '840000000000000001';
const TEXT = '840000000000000010';

const runCli = runCliProcess;


let telegram: FakeTelegram;
let discord: FakeDiscord;
let tmp: string;
let env: NodeJS.ProcessEnv;
let bot: NodeProcess | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'http-process-'));
  const contentDir = path.join(tmp, 'content');
  cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
  telegram = await startFakeTelegram();
  telegram.addChat({ id: TG_OWNER, type: 'private' });
  telegram.addChat({ id: TG_GROUP, type: 'supergroup', title: 'AI 讨论组' });
  discord = await startFakeDiscord();
  discord.addGuild({ id: GUILD, name: 'AI 读书会', channels: [{ id: TEXT, type: 0, name: 'ai-news' }] });
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      wordcloud: { cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 1 },
      schedule: '0 0 1 1 *',
      owners: { telegram: [TG_OWNER] },
      delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 50, maxReportAgeDays: 36500 },
    }),
  );
  env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    DISCORD_GUILD_ID: GUILD,
    DATABASE_PATH: path.join(tmp, 'data', 'bot.db'),
    CONTENT_DIR: contentDir,
    DIGEST_CONFIG: configFile,
    LOG_LEVEL: 'info',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ADMIN_TOKEN: TOKEN,
  };
});

afterAll(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await bot?.exit;
  await telegram?.close();
  await discord?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm start with HTTP_PORT and ADMIN_TOKEN', () => {
  it('serves the probes and the metrics of its own fan-out, the page behind the token; the CLI beside it never opens the port; SIGTERM closes it and exits 0', async () => {
    for (const [platform, id] of [['telegram', String(TG_GROUP)], ['discord', TEXT]] as const) {
      const added = await runCli(['subs', 'add', platform, id], env);
      expect(added.code, added.stderr).toBe(0);
    }

    bot = startBotProcess(env);
    const listening = await until('the http.listening log line', () =>
      bot!.stderr().split('\n').map((line) => /"event":"http\.listening".*"port":(\d+)/.exec(line)?.[1]).find(Boolean),
    );
    const base = `http://127.0.0.1:${listening}`;
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');

    // Ready once the store, the library and both platforms are up.
    const ready = await until('/readyz 200', async () => {
      const response = await fetch(`${base}/readyz`);
      return response.status === 200 ? ((await response.json()) as { components: Record<string, { ready: boolean }> }) : null;
    });
    expect(Object.keys(ready.components).sort()).toEqual(['discord', 'library', 'store', 'telegram']);

    // A fan-out by the bot itself: the owner reposts the newest report to every subscription.
    const groupBefore = telegram.sent.filter((m) => m.chatId === TG_GROUP).length;
    telegram.sendText('/repost all', { chatId: TG_OWNER, from: { id: TG_OWNER } });
    const metricsText = await until('the fan-out in /metrics', async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return sampleValue(parsePrometheusText(text).samples, 'digest_fanout_duration_seconds_count') === 1 ? text : null;
    }, 60_000);
    const { samples } = parsePrometheusText(metricsText);
    const toGroup = telegram.sent.filter((m) => m.chatId === TG_GROUP).slice(groupBefore);
    const toText = discord.messages.filter((m) => m.channelId === TEXT);
    expect(toGroup.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(toText).toHaveLength(1);
    expect(sampleValue(samples, 'digest_messages_sent_total', { platform: 'telegram', outcome: 'delivered' })).toBe(toGroup.length);
    expect(sampleValue(samples, 'digest_messages_sent_total', { platform: 'discord', outcome: 'delivered' })).toBe(toText.length);
    expect(sampleValue(samples, 'digest_last_fanout_timestamp_seconds', { kind: 'repost' })).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(sampleValue(samples, 'digest_subscriptions', { platform: 'telegram', active: 'true' })).toBe(1);
    // The /repost command itself was timed.
    await until('the repost command timed', async () =>
      (sampleValue(parsePrometheusText(await (await fetch(`${base}/metrics`)).text()).samples, 'digest_command_duration_seconds_count', { platform: 'telegram', command: 'repost' }) ?? 0) >= 1,
    );

    // The page: 401 without the token, 200 with it.
    expect((await fetch(`${base}/admin`)).status).toBe(401);
    const page = await fetch(`${base}/admin`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(String(TG_GROUP));

    // The CLI reads the same environment, HTTP_PORT included (the port the bot holds): it never listens.
    const statusRun = await runCli(['status', '--json'], { ...env, HTTP_PORT: String(listening) });
    expect(statusRun.code, statusRun.stderr).toBe(0);
    const json = JSON.parse(statusRun.stdout) as { subscriptions: Record<string, { active: number }>; lastFanout: { delivered: number; failed: number } };
    expect(json.subscriptions['telegram']?.active).toBe(1);
    expect(json.lastFanout).toMatchObject({ delivered: 2, failed: 0 });
    const post = await runCli(['post'], { ...env, HTTP_PORT: String(listening) });
    expect(post.code, post.stderr).toBe(0);

    bot.child.kill('SIGTERM');
    const exit = await bot.exit;
    expect(exit).toEqual({ code: 0, signal: null });
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expect(bot.stderr()).not.toContain(TOKEN);
    const log = bot.stderr().trimEnd().split('\n').map((line) => JSON.parse(line) as { level: number | string });
    expect(log.filter((entry) => entry.level !== 'info' && entry.level !== 30)).toEqual([]);
  }, 120_000);
});

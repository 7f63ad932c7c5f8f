import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { ROOT_DIR, startBotProcess, type NodeProcess } from '../helpers/node-process.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { freePort, startLoadBalancer, until, type FakeLoadBalancer } from '../helpers/telegram-webhook-harness.ts';
import { stopBot } from './bot-process-helpers.ts';

/**
 * Two `npm start` processes in webhook mode on one PostgreSQL database behind a round-robin load
 * balancer (PUBLIC_URL): commands reach either and are all answered once; an update whose answer
 * the load balancer lost is resent by the fake Telegram, reaches the other process and does not
 * act again.
 */
const enabled = await runPostgresTests('telegram-webhook-instances-process');
const SECRET = 'instances_webhook_SECRET-31337';
const USER = 7701;
const schema = uniqueSchema('webhook_procs');
/** pg-boss's own schema: the default (`pgboss`) would be shared with every other test's bots running at the same time. */
const bossSchema = uniqueSchema('boss_webhook_procs');

let telegram: FakeTelegram;
let lb: FakeLoadBalancer;
let tmp: string;
const bots: NodeProcess[] = [];
const bases: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'webhook-procs-'));
  if (!enabled) return;
  telegram = await startFakeTelegram();
  telegram.addChat({ id: USER, type: 'private' });
  telegram.webhookOptions.retryDelayMs = 20;
  lb = await startLoadBalancer(() => bases);
  // The schema the processes' search_path names (they create tables, not schemas).
  await (await PostgresStore.open(TEST_DATABASE_URL, { schema })).close();
});

afterAll(async () => {
  for (const bot of bots) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await Promise.all(bots.map((bot) => bot.exit));
  await lb?.close();
  await telegram?.close();
  if (enabled) {
    await dropSchema(schema);
    await dropSchema(bossSchema).catch(() => undefined);
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe.runIf(enabled)('two bot processes taking Telegram updates by webhook', () => {
  it('answer commands spread over both, once each, even when Telegram resends an update to the other', async () => {
    const contentDir = path.join(tmp, 'content');
    cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
    const configFile = path.join(tmp, 'config.json');
    writeFileSync(configFile, JSON.stringify({ wordcloud: { enabled: false, warmRecent: 0 }, schedule: '0 0 1 1 *', delivery: { maxReportAgeDays: 36500 } }));
    const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    // One after the other, as a rolling deployment would: the first one migrates the schema.
    for (const name of ['a', 'b']) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const bot = startBotProcess({
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_UPDATES: 'webhook',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        PUBLIC_URL: lb.url,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        DATABASE_URL: url,
        PGBOSS_SCHEMA: bossSchema,
        DATABASE_PATH: path.join(tmp, name, 'bot.db'),
        CONTENT_DIR: contentDir,
        DIGEST_CONFIG: configFile,
        LOG_LEVEL: 'info',
      });
      bots.push(bot);
      await until(`instance ${name} ready`, async () => {
        if (bot.child.exitCode !== null) throw new Error(`instance ${name} exited ${bot.child.exitCode}`);
        return (await fetch(`${base}/readyz`).catch(() => null))?.status === 200;
      }, 90_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${bot.stderr().slice(-3000)}`);
      });
      bases.push(base);
    }
    expect(telegram.calls.filter((c) => c.method === 'setWebhook').map((c) => c.params['url'])).toEqual([`${lb.url}/telegram/webhook`, `${lb.url}/telegram/webhook`]);

    const replies = (): number => telegram.sent.filter((m) => m.chatId === USER && m.replyMarkup !== null).length;
    for (let i = 0; i < 6; i += 1) telegram.sendText('/latest', { chatId: USER, from: { id: USER } });
    await telegram.waitFor(() => replies() >= 6, 60_000);
    expect(new Set(lb.routed)).toEqual(new Set([0, 1]));

    lb.loseAnswers(1);
    const update = telegram.sendText('/latest', { chatId: USER, from: { id: USER } });
    await telegram.webhookIdle(30_000);
    expect(telegram.webhookDeliveries.filter((d) => d.updateId === update.update_id).map((d) => d.status)).toEqual([0, 200]);
    await telegram.waitFor(() => replies() >= 7, 60_000);
    // A later command's reply marks the end of anything the resend could have caused.
    const marker = telegram.sent.length;
    telegram.sendText('/help', { chatId: USER, from: { id: USER } });
    await telegram.waitFor((sent) => sent.slice(marker).some((m) => m.chatId === USER), 60_000);
    telegram.sendText('/help', { chatId: USER, from: { id: USER } });
    await telegram.waitFor((sent) => sent.slice(marker).filter((m) => m.chatId === USER).length >= 2, 60_000);
    expect(replies()).toBe(7);

    const exits = await Promise.all(bots.map((bot) => stopBot(bot)));
    expect(exits.map(({ code, signal }) => ({ code, signal }))).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    const logs = bots.map((bot) => bot.stderr()).join('\n');
    expect(logs).toContain('"outcome":"duplicate"');
    expect(logs).not.toContain(SECRET);
  }, 180_000);
});

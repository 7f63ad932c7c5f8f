import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../../src/backend/postgres/postgres-store.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../../helpers/fake-telegram.ts';
import { dropSchema, postgresProblem, POSTGRES_REQUIRED, TEST_DATABASE_URL, uniqueSchema } from '../../helpers/postgres.ts';
import { startLoadBalancer, startWebhookInstance, webhookTestRouter, type FakeLoadBalancer, type WebhookInstance } from '../../helpers/telegram-webhook-harness.ts';

const USER = 7501;

// Two instances share one database: PostgreSQL when a server answers (as in production), else one
// SQLite file opened twice (the same claim logic, one machine).
const usePostgres = POSTGRES_REQUIRED || (await postgresProblem()) === null;
if (!usePostgres) console.info(`[webhook-instances] PostgreSQL unreachable at ${TEST_DATABASE_URL}: the two instances share a SQLite file instead`);

/**
 * Two bot instances in webhook mode behind a round-robin load balancer, on one database: any
 * instance answers, and an update Telegram resends (its answer was lost) or that reaches both
 * instances acts once.
 */
describe(`two webhook instances on one ${usePostgres ? 'PostgreSQL' : 'SQLite'} database`, () => {
  let fake: FakeTelegram;
  let lb: FakeLoadBalancer;
  let stores: Store[];
  let instances: WebhookInstance[];
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    fake = await startFakeTelegram({ enforceRateLimits: false });
    fake.addChat({ id: USER, type: 'private' });
    fake.webhookOptions.retryDelayMs = 10;
    if (usePostgres) {
      const schema = uniqueSchema('webhook_instances');
      stores = [await PostgresStore.open(TEST_DATABASE_URL, { schema, maxConnections: 2 }), await PostgresStore.open(TEST_DATABASE_URL, { schema, maxConnections: 2 })];
      cleanup = () => dropSchema(schema);
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), 'webhook-instances-'));
      const file = path.join(dir, 'bot.db');
      stores = [await SqliteStore.open(file), await SqliteStore.open(file)];
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    instances = [];
    lb = await startLoadBalancer(() => instances.map((i) => i.server.url));
    for (const store of stores) instances.push(await startWebhookInstance({ fake, store, router: await webhookTestRouter(store), publicUrl: lb.url }));
    for (const instance of instances) await instance.start();
  });

  afterAll(async () => {
    for (const instance of instances ?? []) await instance.close();
    await lb?.close();
    await fake?.close();
    for (const store of stores ?? []) await store.close();
    await cleanup?.();
  });

  /** The /latest replies (the message with the buttons) sent to USER since `before`, once every update was answered. */
  async function latestReplies(before: number): Promise<SentMessage[]> {
    await fake.webhookIdle();
    // Replies run detached after the 200: a last command's reply marks the end of what was handed over.
    const markerFrom = fake.sent.length;
    fake.sendText('/help', { chatId: USER, from: { id: USER } });
    await fake.waitFor((all) => all.slice(markerFrom).some((m) => m.chatId === USER && m.plainText?.includes('/latest')));
    await fake.webhookIdle();
    return fake.sent.slice(before).filter((m) => m.replyMarkup !== null);
  }

  it('both instances set the same webhook, the load balancer’s', () => {
    const set = fake.calls.filter((c) => c.method === 'setWebhook');
    expect(set.map((c) => c.params['url'])).toEqual([`${lb.url}/telegram/webhook`, `${lb.url}/telegram/webhook`]);
    expect(fake.webhook?.url).toBe(`${lb.url}/telegram/webhook`);
  });

  it('commands spread round-robin over both instances are all answered, once each', async () => {
    const before = fake.sent.length;
    const routedBefore = lb.routed.length;
    for (let i = 0; i < 4; i += 1) fake.sendText('/latest', { chatId: USER, from: { id: USER } });
    await fake.waitFor((all) => all.slice(before).filter((m) => m.replyMarkup !== null).length >= 4);
    expect(new Set(lb.routed.slice(routedBefore, routedBefore + 4))).toEqual(new Set([0, 1]));
    expect(await latestReplies(before)).toHaveLength(4);
  });

  it('an update whose answer was lost is resent by Telegram to the other instance, which does not act again', async () => {
    const before = fake.sent.length;
    const routedBefore = lb.routed.length;
    lb.loseAnswers(1);
    const update = fake.sendText('/latest', { chatId: USER, from: { id: USER } });
    await fake.webhookIdle();
    const attempts = fake.webhookDeliveries.filter((d) => d.updateId === update.update_id);
    expect(attempts.map((d) => d.status)).toEqual([0, 200]);
    const [first, second] = lb.routed.slice(routedBefore, routedBefore + 2);
    expect(first).not.toBe(second);
    expect(await latestReplies(before)).toHaveLength(1);
  });

  it('the same update posted to both instances at once acts once', async () => {
    const before = fake.sent.length;
    const update: Update = {
      update_id: 990_001,
      message: {
        message_id: 99_001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: USER, type: 'private', first_name: 'User' },
        from: { id: USER, is_bot: false, first_name: 'User' },
        text: '/latest',
        entities: [{ type: 'bot_command', offset: 0, length: 7 }],
      },
    };
    const statuses = await Promise.all(instances.map((i) => fake.postToWebhook(update, { url: i.endpoint })));
    expect(statuses).toEqual([200, 200]);
    expect(await latestReplies(before)).toHaveLength(1);
  });
});

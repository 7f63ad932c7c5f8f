import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../../helpers/fake-telegram.ts';

/** The fake Bot API's webhook side behaves as Telegram documents it. */
describe('fake Telegram webhooks', () => {
  let fake: FakeTelegram;
  let receiver: Server;
  let url: string;
  /** What the receiver got, and the status it answers next (200 by default). */
  const received: { secret: string | undefined; body: { update_id: number } & Record<string, unknown> }[] = [];
  let answers: number[] = [];

  const call = async (method: string, body: Record<string, unknown> = {}): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  beforeEach(async () => {
    received.length = 0;
    answers = [];
    fake = await startFakeTelegram({ enforceRateLimits: false });
    fake.addChat({ id: 1, type: 'private' });
    fake.webhookOptions.retryDelayMs = 5;
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        received.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, body: JSON.parse(text) as { update_id: number } });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  afterEach(async () => {
    await fake.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('a long poll under way ends with 409 "terminated by setWebhook request"; later polls get 409 until deleteWebhook', async () => {
    const poll = call('getUpdates', { timeout: 30 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await call('setWebhook', { url })).status).toBe(200);
    expect(await poll).toMatchObject({ status: 409, json: { ok: false, error_code: 409, description: 'Conflict: terminated by setWebhook request' } });
    expect((await call('getUpdates')).json['description']).toMatch(/^Conflict: can't use getUpdates method while webhook is active/);
    expect((await call('deleteWebhook')).status).toBe(200);
    expect((await call('getUpdates')).status).toBe(200);
  });

  it('posts updates with the secret header, resends until a 2xx, and reports in getWebhookInfo', async () => {
    await call('setWebhook', { url, secret_token: 'the-secret', allowed_updates: ['message'] });
    answers = [500, 502];
    const update = fake.sendText('/latest', { chatId: 1 });
    await fake.webhookIdle();
    expect(received.map((r) => [r.body.update_id, r.secret])).toEqual([
      [update.update_id, 'the-secret'],
      [update.update_id, 'the-secret'],
      [update.update_id, 'the-secret'],
    ]);
    expect(fake.webhookDeliveries.map((d) => [d.attempt, d.status])).toEqual([[1, 500], [2, 502], [3, 200]]);
    const info = (await call('getWebhookInfo')).json['result'] as Record<string, unknown>;
    expect(info).toMatchObject({ url, pending_update_count: 0, allowed_updates: ['message'], last_error_message: 'Wrong response from the webhook: 502' });
    // An inline query is not among the allowed updates: it is never posted.
    fake.sendInlineQuery({ query: 'x' });
    await fake.webhookIdle();
    expect(received).toHaveLength(3);
  });

  it('refuses a secret token Telegram would refuse', async () => {
    expect(await call('setWebhook', { url, secret_token: 'has space' })).toMatchObject({ status: 400, json: { description: 'Bad Request: secret token contains unallowed characters' } });
    expect(fake.webhook).toBeNull();
  });

  it('updates waiting for getUpdates go to a new webhook; deleteWebhook hands undelivered ones back to getUpdates', async () => {
    const waiting = fake.sendText('/a', { chatId: 1 });
    await call('setWebhook', { url });
    await fake.webhookIdle();
    expect(received.map((r) => r.body.update_id)).toEqual([waiting.update_id]);
    fake.webhookOptions.maxAttempts = 1000;
    answers = Array.from({ length: 1000 }, () => 500);
    const stuck = fake.sendText('/b', { chatId: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await call('deleteWebhook');
    const polled = (await call('getUpdates')).json['result'] as { update_id: number }[];
    expect(polled.map((u) => u.update_id)).toEqual([stuck.update_id]);
  });
});

import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/http-server.ts';
import { secretMatches } from '../../src/platforms/telegram/webhook-secret.ts';
import { TELEGRAM_WEBHOOK_PATH, type WebhookRequest } from '../../src/platforms/webhook.ts';
import { ServiceHealth } from '../../src/service-health.ts';

describe('POST /telegram/webhook route', () => {
  it('is 404 when Telegram is not in webhook mode', async () => {
    const app = createHttpApp({ health: new ServiceHealth() });
    expect((await app.request('/telegram/webhook', { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('hands the headers and the body to the handler and answers what it says', async () => {
    const seen: { secret: string | undefined; body: string }[] = [];
    const app = createHttpApp({
      health: new ServiceHealth(),
      webhooks: [
        {
          path: TELEGRAM_WEBHOOK_PATH,
          handler: async (request: WebhookRequest) => {
            seen.push({ secret: request.header('x-telegram-bot-api-secret-token'), body: await request.text() });
            return { status: 503, body: 'not ready\n' };
          },
        },
      ],
    });
    const response = await app.request('/telegram/webhook', { method: 'POST', headers: { 'X-Telegram-Bot-Api-Secret-Token': 's3' }, body: '{"update_id":1}' });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('not ready\n');
    expect(seen).toEqual([{ secret: 's3', body: '{"update_id":1}' }]);
    // Only POST.
    expect((await app.request('/telegram/webhook')).status).toBe(404);
  });

  it('refuses a body far larger than any update before the handler sees it', async () => {
    let called = false;
    const app = createHttpApp({
      health: new ServiceHealth(),
      webhooks: [{ path: TELEGRAM_WEBHOOK_PATH, handler: async () => ((called = true), { status: 200, body: 'ok\n' }) }],
    });
    const response = await app.request('/telegram/webhook', { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(called).toBe(false);
  });
});

describe('secretMatches', () => {
  it('accepts only the exact secret', () => {
    expect(secretMatches('abc_DEF-123', 'abc_DEF-123')).toBe(true);
    for (const header of [undefined, '', 'abc_DEF-12', 'abc_DEF-1234', 'ABC_DEF-123', ' abc_DEF-123']) expect(secretMatches(header, 'abc_DEF-123')).toBe(false);
  });
});

import { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import { createTelegramWebhookReceiver, TELEGRAM_SECRET_HEADER } from '../../../src/platforms/telegram/receive-webhook.ts';
import type { WebhookRequest } from '../../../src/platforms/webhook.ts';

const SECRET = 'receiver_SECRET_1234';
const botInfo = { id: 42, is_bot: true, first_name: 'Bot', username: 'bot' } as UserFromGetMe;

function request(body: Update | string, secret: string | undefined = SECRET): WebhookRequest {
  return {
    header: (name) => (name.toLowerCase() === TELEGRAM_SECRET_HEADER.toLowerCase() ? secret : undefined),
    text: async () => (typeof body === 'string' ? body : JSON.stringify(body)),
    bytes: async () => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

const update = (id: number): Update => ({ update_id: id, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'U' }, text: 'hi' } }) as Update;

/** A receiver over a grammY Bot (no network: botInfo given) whose middleware is `middleware`. */
function receiver(middleware: () => Promise<void>, claims: Map<string, number>, options: { claimFails?: boolean; answerWithinMs?: number } = {}) {
  const lines: string[] = [];
  const bot = new Bot('42:token', { botInfo });
  let handled = 0;
  bot.use(async () => {
    handled += 1;
    await middleware();
  });
  const handle = createTelegramWebhookReceiver(bot, {
    secret: SECRET,
    claimUpdate: async (key) => {
      if (options.claimFails) throw new Error('database not answering');
      claims.set(key, (claims.get(key) ?? 0) + 1);
      return claims.get(key) === 1;
    },
    isAccepting: () => true,
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } }),
    ...(options.answerWithinMs === undefined ? {} : { answerWithinMs: options.answerWithinMs }),
  });
  return { handle, lines, handled: () => handled };
}

describe('the Telegram webhook receiver', () => {
  it('claims `<bot id>:<update_id>` and hands only the first claim to grammY', async () => {
    const claims = new Map<string, number>();
    const r = receiver(async () => undefined, claims);
    expect(await r.handle(request(update(5)))).toEqual({ status: 200, body: 'ok\n' });
    expect(await r.handle(request(update(5)))).toEqual({ status: 200, body: 'duplicate\n' });
    expect([...claims.keys()]).toEqual(['42:5']);
    expect(r.handled()).toBe(1);
  });

  it('a wrong secret is refused before the body is read or anything claimed', async () => {
    const claims = new Map<string, number>();
    const r = receiver(async () => undefined, claims);
    let read = false;
    const answer = await r.handle({ header: () => 'nope', text: async () => ((read = true), '{}'), bytes: async () => ((read = true), new Uint8Array()) });
    expect(answer.status).toBe(401);
    expect(read).toBe(false);
    expect(claims.size).toBe(0);
  });

  it('a store that cannot claim answers 500 and grammY never sees the update', async () => {
    const r = receiver(async () => undefined, new Map(), { claimFails: true });
    expect((await r.handle(request(update(6)))).status).toBe(500);
    expect(r.handled()).toBe(0);
  });

  it('handling slower than answerWithinMs: 200 anyway, the handling goes on, and it is logged', async () => {
    let release: () => void = () => undefined;
    let finished = false;
    const r = receiver(
      () =>
        new Promise<void>((resolve) => {
          release = () => {
            finished = true;
            resolve();
          };
        }),
      new Map(),
      { answerWithinMs: 20 },
    );
    expect(await r.handle(request(update(7)))).toEqual({ status: 200, body: 'ok\n' });
    expect(finished).toBe(false);
    expect(r.lines.some((line) => line.includes('"outcome":"slow"'))).toBe(true);
    release();
    expect(finished).toBe(true);
  });

  it('a handler that throws is logged and the update still answered 200 (a resend would be refused anyway)', async () => {
    const r = receiver(async () => Promise.reject(new Error('boom')), new Map());
    expect((await r.handle(request(update(8)))).status).toBe(200);
    expect(r.lines.some((line) => line.includes('"event":"telegram-update-failed"') && line.includes('boom'))).toBe(true);
  });
});

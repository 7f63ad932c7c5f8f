import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import { startTelegramHarness } from '../../helpers/fake-telegram-harness.ts';

/** JSON log lines written to memory. */
function captureLogs(): { lines: Array<Record<string, unknown>>; logger: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination: sink }) };
}

const CHAT = 4242;

/**
 * Issue 19 §2: a command's answer that meets 429 waits Telegram's retry_after and is sent again,
 * however many 429s come, within a bound; past it the answer is logged as lost, naming the chat.
 * Digest and notice sends keep their attempts (delivery retries those itself).
 */
describe('a Telegram command answer refused with 429', () => {
  it('is sent once Telegram accepts it, past more 429s than a send has attempts', async () => {
    const logs = captureLogs();
    // Two attempts a call: a notice would give up after one 429; the answer waits out three.
    const h = await startTelegramHarness({ logger: logs.logger, retry: { maxAttempts: 2 } });
    try {
      h.fake.addChat({ id: CHAT, type: 'private' });
      await h.platform.start();
      h.fake.failNext('sendMessage', { status: 429, times: 3, retryAfter: 1, chatId: CHAT });
      h.fake.sendText('/start', { chatId: CHAT });
      await h.fake.waitFor((sent) => sent.some((m) => m.chatId === CHAT), 20_000);
      await expect.poll(() => logs.lines.filter((l) => l.event === 'telegram-command')).toHaveLength(1);
      expect(logs.lines.find((l) => l.event === 'telegram-command')).toMatchObject({ command: 'start', outcome: 'replied' });
      expect(h.fake.calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([429, 429, 429, 200]);
      expect(h.fake.sent.filter((m) => m.chatId === CHAT)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('is logged as lost, naming the chat, when 429s outlast the bound', async () => {
    const logs = captureLogs();
    const h = await startTelegramHarness({ logger: logs.logger, retry: { commandAnswerWithinMs: 1500 } });
    try {
      h.fake.addChat({ id: CHAT, type: 'private' });
      await h.platform.start();
      h.fake.failNext('sendMessage', { status: 429, times: 10, retryAfter: 1, chatId: CHAT });
      h.fake.sendText('/start', { chatId: CHAT });
      await expect.poll(() => logs.lines.filter((l) => l.event === 'telegram-command'), { timeout: 20_000 }).toHaveLength(1);
      expect(logs.lines.find((l) => l.event === 'telegram-command')).toMatchObject({ command: 'start', outcome: 'reply-lost', chat: String(CHAT), level: 'warn' });
      // The first 429 was waited out (1 s within 1.5 s); the second would end past the bound.
      expect(h.fake.calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([429, 429]);
      expect(h.fake.sent).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('leaves a notice its attempts: it gives up after them', async () => {
    const h = await startTelegramHarness({ retry: { maxAttempts: 2 } });
    try {
      h.fake.addChat({ id: CHAT, type: 'private' });
      h.fake.failNext('sendMessage', { status: 429, times: 3, retryAfter: 1, chatId: CHAT });
      await expect(h.platform.sendNotice({ platform: 'telegram', chatId: String(CHAT), threadId: null }, 'x')).rejects.toMatchObject({ kind: 'rate-limited' });
      expect(h.fake.calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([429, 429]);
    } finally {
      await h.close();
    }
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import { TelegramPlatform } from '../../../src/platforms/telegram/telegram-platform.ts';
import { sampleDigest, scriptedRouter, startTelegramHarness } from '../../helpers/fake-telegram-harness.ts';

function captureLogs(): { lines: Array<Record<string, unknown>>; raw: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  // No `secrets`: the adapter itself must keep the token out of its lines.
  return { lines, raw, logger: createLogger({ level: 'debug', destination: sink }) };
}

describe('Telegram adapter logs', () => {
  it('writes one line per command and per send, with destination, method and outcome', async () => {
    const logs = captureLogs();
    const h = await startTelegramHarness({ logger: logs.logger });
    try {
      h.fake.addChat({ id: 9, type: 'private' });
      await h.platform.start();
      h.fake.sendText('/start', { chatId: 9 });
      await h.fake.waitFor((s) => s.length === 1);
      await expect.poll(() => logs.lines.filter((l) => l.event === 'telegram-command')).toHaveLength(1);
      expect(logs.lines.find((l) => l.event === 'telegram-command')).toMatchObject({
        command: 'start',
        destination: 'telegram:9',
        outcome: 'replied',
      });
      expect(logs.lines.filter((l) => l.event === 'telegram-send')).toEqual([
        expect.objectContaining({ destination: 'telegram:9', method: 'sendMessage', outcome: 'ok' }),
      ]);
      h.fake.failNext('sendMessage', { status: 403 });
      await expect(
        h.platform.sendNotice({ platform: 'telegram', chatId: '9', threadId: null }, 'x'),
      ).rejects.toMatchObject({ kind: 'gone' });
      expect(logs.lines.filter((l) => l.event === 'telegram-send').at(-1)).toMatchObject({ outcome: 'failed', code: 403 });
      expect(logs.raw.join('\n')).not.toContain(h.fake.token);
    } finally {
      await h.close();
    }
  });

  it('keeps the token out of network-failure logs', async () => {
    const logs = captureLogs();
    const token = '558:NETWORK-token-must-not-be-logged';
    const platform = new TelegramPlatform({
      token,
      apiRoot: 'http://127.0.0.1:1',
      router: scriptedRouter(),
      logger: logs.logger,
      owners: [],
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      pacing: { perChatIntervalMs: 0 },
    });
    await expect(
      platform.sendDigest({ platform: 'telegram', chatId: '1', threadId: null }, sampleDigest(), 'k'),
    ).rejects.toMatchObject({ kind: 'transient' });
    expect(logs.lines.some((l) => l.event === 'telegram-retry')).toBe(true);
    expect(logs.lines.some((l) => l.event === 'telegram-digest' && l.outcome === 'transient')).toBe(true);
    expect(logs.raw.join('\n')).not.toContain(token);
  });
});

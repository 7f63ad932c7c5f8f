import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summaryExtras, summaryLine } from '../../../src/cli/post-command.ts';
import { Deliverer } from '../../../src/delivery/deliverer.ts';
import { createLogger } from '../../../src/log.ts';
import type { Destination } from '../../../src/platforms/platform.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { sampleDigest, startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';

const CHATS = Array.from({ length: 10 }, (_, i) => -5000 - i);
const LOST = [CHATS[1]!, CHATS[4]!, CHATS[7]!];
const to = (chatId: number): Destination => ({ platform: 'telegram', chatId: String(chatId), threadId: null });

describe('a Telegram answer lost after the request reached Telegram', () => {
  let h: TelegramHarness;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    h = await startTelegramHarness({ logger: createLogger({ level: 'info', destination: { write: (l: string) => lines.push(JSON.parse(l)) } }) });
    for (const id of CHATS) h.fake.addChat({ id, type: 'private' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('is sent again (a possible repeat Telegram gives no way to avoid), counted and logged, not reported as a clean run', async () => {
    for (const chatId of LOST) h.fake.loseAnswerNext('sendMessage', { chatId });
    const store = await SqliteStore.open(':memory:');
    const deliverer = new Deliverer({
      store,
      platforms: { telegram: h.platform },
      policy: { maxAttempts: 3, backoffBaseMs: 1, backoffCapMs: 5 },
    });
    const slug = 'twitter_ai_20260103_20260103';
    const report = await deliverer.deliver({ slug, digest: sampleDigest(), destinations: CHATS.map(to), kind: 'scheduled' });
    await store.close();

    // Each lost answer became a repeated message: the window the README states.
    for (const chatId of CHATS) {
      const texts = h.fake.sent.filter((m) => m.chatId === chatId && m.method === 'sendMessage');
      expect(texts).toHaveLength(LOST.includes(chatId) ? 2 : 1);
    }
    expect(report.byPlatform.telegram).toMatchObject({ delivered: 10, failed: 0 });
    expect(report.results.filter((r) => r.ambiguousSends > 0).map((r) => Number(r.destination.chatId)).sort()).toEqual([...LOST].sort());
    const extras = summaryExtras(report, 'telegram');
    expect(extras.ambiguous).toBe(3);
    expect(summaryLine('telegram', report.byPlatform.telegram, extras)).toBe(
      'telegram: 10 delivered, 0 skipped (already delivered), 0 deactivated, 0 failed, 3 ambiguous (answer lost and sent again: may show twice)',
    );
    expect(lines.filter((l) => l['event'] === 'delivery.ambiguous' && l['level'] === 'warn' && l['method'] === 'sendMessage')).toHaveLength(3);
  });
});

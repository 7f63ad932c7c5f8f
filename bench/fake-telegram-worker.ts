/**
 * The fake Telegram of the paid-broadcast benchmark on a worker thread of its own (as
 * bench/fake-platforms-worker.ts does for the fan-out), so counting 1,000 requests a second does
 * not share the bot's event loop. Started by bench/paid-broadcast.ts: `start` with the number
 * of chats, then `figures`, which also closes the fake.
 */
import { parentPort } from 'node:worker_threads';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';

export type TelegramWorkerRequest = { type: 'start'; count: number } | { type: 'figures' };

export interface TelegramWorkerEndpoint {
  token: string;
  apiRoot: string;
  botInfo: Awaited<ReturnType<typeof startFakeTelegram>>['botInfo'];
  chats: string[];
}

export interface TelegramWorkerFigures {
  messages: number;
  paidMessages: number;
  rateLimited: number;
  /** Destinations that received the photo more than once. */
  duplicates: number;
  /** Accepted-time of the first and last message. */
  firstAt: number;
  lastAt: number;
  /** The most messages accepted within any one second. */
  busiestSecond: number;
}

const port = parentPort;
if (!port) throw new Error('fake-telegram-worker runs as a worker thread');
const telegram = await startFakeTelegram({ enforceRateLimits: true });

port.on('message', (request: TelegramWorkerRequest) => {
  void (async () => {
    if (request.type === 'start') {
      // Private chats (positive ids): the per-group 20 a minute does not bound a two-message digest anyway.
      const chats = Array.from({ length: request.count }, (_, i) => 100_000 + i);
      for (const id of chats) telegram.addChat({ id, type: 'private' });
      const endpoint: TelegramWorkerEndpoint = { token: telegram.token, apiRoot: telegram.apiRoot, botInfo: telegram.botInfo, chats: chats.map(String) };
      port.postMessage(endpoint);
      return;
    }
    const sent = telegram.sent;
    const times = sent.map((m) => m.time).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    const photos = new Map<number, number>();
    for (const m of sent) if (m.method === 'sendPhoto') photos.set(m.chatId, (photos.get(m.chatId) ?? 0) + 1);
    const figures: TelegramWorkerFigures = {
      messages: sent.length,
      paidMessages: sent.filter((m) => m.paidBroadcast).length,
      rateLimited: telegram.counters.rateLimited,
      duplicates: [...photos.values()].filter((n) => n > 1).length,
      firstAt: times[0] ?? 0,
      lastAt: times.at(-1) ?? 0,
      busiestSecond: busiest,
    };
    await telegram.close();
    port.postMessage(figures);
    port.close();
  })();
});

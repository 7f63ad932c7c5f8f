/**
 * The fake Telegram and Discord servers of the fan-out benchmark, on a worker thread of their
 * own: the platforms do not share the bot's event loop, so a busy bot (word clouds drawn for
 * `/report`) must not delay when the fakes count a request against their limits, nor the bot's
 * CPU pay for parsing every upload. Started by bench/fanout.ts; one message in, one out, twice.
 */
import { parentPort } from 'node:worker_threads';
import { startFakeDiscord } from '../tests/helpers/fake-discord.ts';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';

/** What the bench asks for: `count` chats and channels; then the figures, which also closes the fakes. */
export type WorkerRequest = { type: 'start'; count: number } | { type: 'figures' };

export interface FakeEndpoints {
  telegram: { token: string; apiRoot: string; botInfo: Awaited<ReturnType<typeof startFakeTelegram>>['botInfo'] };
  discord: { token: string; apiBase: string };
  /** Telegram chat ids and Discord channel ids registered. */
  telegramChats: string[];
  discordChannels: string[];
}

export interface FakeFigures {
  telegram: { messages: number; rateLimited: number; duplicates: number; photoUploads: number; photoFileIds: number };
  discord: { requests: number; rateLimited: number; duplicates: number };
}

/** How many keys occur more than once. */
function duplicates(keys: readonly string[]): number {
  const seen = new Map<string, number>();
  for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
  return [...seen.values()].filter((n) => n > 1).length;
}

const port = parentPort;
if (!port) throw new Error('fake-platforms-worker runs as a worker thread');
const telegram = await startFakeTelegram({ enforceRateLimits: true });
const discord = await startFakeDiscord({ enforceRateLimits: true });

port.on('message', (request: WorkerRequest) => {
  void (async () => {
    if (request.type === 'start') {
      const channels = Array.from({ length: request.count }, (_, i) => `9000000000${String(i).padStart(8, '0')}`);
      for (let g = 0; g < channels.length; g += 400) {
        discord.addGuild({ id: `8${String(g).padStart(17, '0')}`, name: `g${g}`, channels: channels.slice(g, g + 400).map((id) => ({ id, type: 0 as const, name: id })) });
      }
      const chats = Array.from({ length: request.count }, (_, i) => -100000 - i);
      for (const id of chats) telegram.addChat({ id, type: 'group', title: `chat ${id}` });
      const endpoints: FakeEndpoints = {
        telegram: { token: telegram.token, apiRoot: telegram.apiRoot, botInfo: telegram.botInfo },
        discord: { token: discord.token, apiBase: discord.apiBase },
        telegramChats: chats.map(String),
        discordChannels: channels,
      };
      port.postMessage(endpoints);
      return;
    }
    const sent = telegram.sent;
    const figures: FakeFigures = {
      telegram: {
        messages: sent.length,
        rateLimited: telegram.counters.rateLimited,
        // A digest carries one image: a destination with two images got the digest twice.
        duplicates: duplicates(sent.filter((m) => m.method === 'sendPhoto').map((m) => String(m.chatId))),
        photoUploads: sent.filter((m) => m.photo?.via === 'upload').length,
        photoFileIds: sent.filter((m) => m.photo?.via === 'file_id').length,
      },
      discord: {
        requests: discord.calls.filter((c) => c.method === 'POST' && c.status < 300).length,
        rateLimited: discord.rateLimited,
        duplicates: duplicates(discord.messages.filter((m) => m.files.length > 0).map((m) => m.channelId)),
      },
    };
    await Promise.all([telegram.close(), discord.close()]);
    port.postMessage(figures);
    port.close();
  })();
});

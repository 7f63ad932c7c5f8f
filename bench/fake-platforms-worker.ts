/**
 * The fake Telegram and Discord servers of the fan-out benchmark, on a worker thread of their
 * own: the platforms do not share the bot's event loop, so a busy bot (word clouds drawn for
 * `/report`) must not delay when the fakes count a request against their limits, nor the bot's
 * CPU pay for parsing every upload. Started by bench/fanout.ts and bench/commands-under-fanout.ts;
 * one message in, one out, one request at a time.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { startFakeDiscord } from '../tests/helpers/fake-discord.ts';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';
import { delayingForwarder } from './delaying-forwarder.ts';

/**
 * What the bench asks for: `count` chats and channels (and `readers` private chats whose users
 * send commands); then the figures, which also closes the fakes. In between, `command`: a reader
 * types `text` (or, with `press`, presses the first button of the latest message that has one),
 * answered with the ms from the update's arrival in getUpdates' queue to the first message the
 * fake accepted in that chat (`CommandTiming`), timed here, off the bot's busy thread.
 */
export type WorkerRequest =
  /** `discordLatencyMs`: Discord's REST answered through a forwarder adding this round trip (default none). */
  | { type: 'start'; count: number; readers?: number; discordLatencyMs?: number }
  | { type: 'command'; chatId: number; text?: string; press?: boolean }
  | { type: 'figures' }
  /** The fakes' own event-loop delay since the last `loop` request (or the start), then reset. */
  | { type: 'loop' };

export interface CommandTiming {
  /** Null when no answer came within 30 s. */
  ms: number | null;
}

export interface FakeEndpoints {
  telegram: { token: string; apiRoot: string; botInfo: Awaited<ReturnType<typeof startFakeTelegram>>['botInfo'] };
  discord: { token: string; apiBase: string };
  /** Telegram chat ids and Discord channel ids registered. */
  telegramChats: string[];
  discordChannels: string[];
  /** The private chats of the readers who send commands. */
  readerChats: number[];
}

/** The fakes' event-loop delay over a phase: a command's answer is seen no sooner than their loop turns. */
export interface FakeLoop {
  p99: number;
  max: number;
}

export interface FakeFigures {
  telegram: { messages: number; rateLimited: number; duplicates: number; photoUploads: number; photoFileIds: number };
  /** `channelLookups`: `GET /channels/{id}` answered (the gateway's cache serves them otherwise). */
  discord: { requests: number; rateLimited: number; duplicates: number; channelLookups: number };
}

/** How many keys occur more than once. */
function duplicates(keys: readonly string[]): number {
  const seen = new Map<string, number>();
  for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
  return [...seen.values()].filter((n) => n > 1).length;
}

/** Reader chats are `READER_BASE + i`. */
const READER_BASE = 700_000;

/** The first callback button's data on `message` (a digest's previous / next day), or null. */
function firstButton(message: { replyMarkup: (typeof telegram.sent)[number]['replyMarkup'] }): string | null {
  for (const row of message.replyMarkup?.inline_keyboard ?? []) {
    for (const button of row) if (typeof button.callback_data === 'string') return button.callback_data;
  }
  return null;
}

/**
 * One reader's command or button press, timed from the update to the first answer in that chat:
 * a message sent, or for a press also an edit of the message (a digest's previous / next day is
 * shown in place) or the press answered.
 */
function timeCommand(request: Extract<WorkerRequest, { type: 'command' }>): Promise<CommandTiming> {
  const from = { sent: telegram.sent.length, edits: telegram.edits.length, answers: telegram.callbackAnswers.length };
  const start = performance.now();
  if (request.press) {
    const message = telegram.sent.findLast((m) => m.chatId === request.chatId && firstButton(m) !== null);
    if (!message) throw new Error(`no message with a button in chat ${request.chatId} to press`);
    // The message as it is now: an earlier press may have edited it (and its buttons).
    const current = telegram.message(request.chatId, message.messageId) ?? message;
    telegram.pressButton({ chatId: request.chatId, messageId: message.messageId, data: firstButton(current) ?? firstButton(message)! });
  } else {
    telegram.sendText(request.text ?? '/start', { chatId: request.chatId });
  }
  const answered = (): boolean => {
    if (telegram.sent.slice(from.sent).some((m) => m.chatId === request.chatId)) return true;
    if (!request.press) return false;
    return telegram.edits.slice(from.edits).some((e) => e.chatId === request.chatId) || telegram.callbackAnswers.length > from.answers;
  };
  return new Promise((resolve) => {
    const look = (): void => {
      if (answered()) return resolve({ ms: performance.now() - start });
      if (performance.now() - start > 30_000) return resolve({ ms: null });
      setTimeout(look, 1);
    };
    look();
  });
}

const port = parentPort;
if (!port) throw new Error('fake-platforms-worker runs as a worker thread');
const telegram = await startFakeTelegram({ enforceRateLimits: true });
const discord = await startFakeDiscord({ enforceRateLimits: true });
let discordForwarder: Awaited<ReturnType<typeof delayingForwarder>> | null = null;
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();

port.on('message', (request: WorkerRequest) => {
  void (async () => {
    if (request.type === 'start') {
      const channels = Array.from({ length: request.count }, (_, i) => `9000000000${String(i).padStart(8, '0')}`);
      for (let g = 0; g < channels.length; g += 400) {
        discord.addGuild({ id: `8${String(g).padStart(17, '0')}`, name: `g${g}`, channels: channels.slice(g, g + 400).map((id) => ({ id, type: 0 as const, name: id })) });
      }
      const chats = Array.from({ length: request.count }, (_, i) => -100000 - i);
      for (const id of chats) telegram.addChat({ id, type: 'group', title: `chat ${id}` });
      const readerChats = Array.from({ length: request.readers ?? 0 }, (_, i) => READER_BASE + i);
      for (const id of readerChats) telegram.addChat({ id, type: 'private' });
      if ((request.discordLatencyMs ?? 0) > 0) discordForwarder = await delayingForwarder(discord.apiBase, request.discordLatencyMs ?? 0);
      const endpoints: FakeEndpoints = {
        telegram: { token: telegram.token, apiRoot: telegram.apiRoot, botInfo: telegram.botInfo },
        discord: { token: discord.token, apiBase: discordForwarder?.url ?? discord.apiBase },
        telegramChats: chats.map(String),
        discordChannels: channels,
        readerChats,
      };
      port.postMessage(endpoints);
      return;
    }
    if (request.type === 'command') {
      port.postMessage(await timeCommand(request));
      return;
    }
    if (request.type === 'loop') {
      port.postMessage({ p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } satisfies FakeLoop);
      loop.reset();
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
        channelLookups: discord.calls.filter((c) => c.method === 'GET' && /^\/channels\/\d+$/.test(c.path)).length,
      },
    };
    await discordForwarder?.close();
    await Promise.all([telegram.close(), discord.close()]);
    port.postMessage(figures);
    port.close();
  })();
});

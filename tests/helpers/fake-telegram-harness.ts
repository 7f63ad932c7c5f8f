import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandArgs, CommandContext, CommandDefinition, CommandReply, CommandRouter } from '../../src/commands/types.ts';
import { silentLogger } from '../../src/log.ts';
import type { Digest } from '../../src/report/digest-types.ts';
import { TelegramPlatform, type TelegramPlatformOptions } from '../../src/platforms/telegram/telegram-platform.ts';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.ts';

/** A command the scripted router received, with the context the adapter built. */
export interface ReceivedCommand {
  name: string;
  args: CommandArgs;
  context: CommandContext;
}

/**
 * A CommandRouter for adapter tests: it records what arrives and answers with `answer` (a text
 * echo by default), so a test sees exactly what the adapter handed over.
 */
export function scriptedRouter(
  answer: (name: string, args: CommandArgs, context: CommandContext) => Promise<CommandReply> | CommandReply = (name) => ({
    kind: 'text',
    text: `ok ${name}`,
  }),
): CommandRouter & { received: ReceivedCommand[] } {
  const definition = (name: CommandDefinition['name'], options: CommandDefinition['options']): CommandDefinition => ({
    name,
    description: { zh: `${name} 命令`, en: `${name} command` },
    options,
    permission: 'anyone',
    run: async () => ({ kind: 'text', text: name }),
  });
  const text = (name: 'date' | 'time' | 'tz'): CommandDefinition['options'][number] => ({
    name,
    type: 'string',
    required: false,
    description: { zh: name, en: name },
  });
  const received: ReceivedCommand[] = [];
  return {
    received,
    definitions: [
      definition('start', []),
      definition('report', [text('date')]),
      definition('subscribe', [{ name: 'channel', type: 'channel', required: false, description: { zh: 'c', en: 'c' } }, text('time'), text('tz')]),
      definition('repost', [text('date'), { name: 'all', type: 'boolean', required: false, description: { zh: 'a', en: 'a' } }]),
    ],
    async handle(name, args, context) {
      received.push({ name, args, context });
      return answer(name, args, context);
    },
    autocompleteDates: () => [],
  };
}

/** A digest with ten points; with `imageBytes`, a real image file of that size on disk. */
export function sampleDigest(options: { imageBytes?: number; slug?: string } = {}): Digest {
  const slug = options.slug ?? 'twitter_ai_20260103_20260103';
  let image: Digest['image'] = null;
  if (options.imageBytes !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'tg-digest-'));
    const path = join(dir, `wordcloud_${slug}.png`);
    writeFileSync(path, Buffer.alloc(options.imageBytes, 1));
    image = { path, name: `wordcloud_${slug}.png`, bytes: options.imageBytes, generated: true };
  }
  return {
    slug,
    dateStart: '2026-01-03',
    dateEnd: '2026-01-03',
    title: 'Twitter AI 报告 · 2026-01-03',
    headline: 'AI <进展> & 动态',
    points: Array.from({ length: 10 }, (_, i) => ({ title: `要点 ${i + 1} <b>`, detail: `细节 ${i + 1} & "引用"` })),
    url: 'https://example.com/r?a=1&b=2',
    publishedAt: '2026-01-03T14:34:15+08:00',
    image,
    note: null,
  };
}

export interface TelegramHarness {
  fake: FakeTelegram;
  platform: TelegramPlatform;
  close(): Promise<void>;
}

/**
 * The real adapter (real grammY client) against the fake Bot API server. Pacing is off and the
 * fake does not enforce flood limits unless asked, so functional tests run in milliseconds.
 */
export async function startTelegramHarness(
  options: { router?: CommandRouter; enforceRateLimits?: boolean; realPacing?: boolean; owners?: string[] } & Partial<
    Pick<TelegramPlatformOptions, 'retry' | 'logger' | 'paidBroadcast' | 'collapseDetails' | 'previewReportLink'>
  > = {},
): Promise<TelegramHarness> {
  const fake = await startFakeTelegram({ enforceRateLimits: options.enforceRateLimits ?? false });
  const platform = new TelegramPlatform({
    token: fake.token,
    apiRoot: fake.apiRoot,
    botInfo: fake.botInfo,
    router: options.router ?? scriptedRouter(),
    logger: options.logger ?? silentLogger(),
    owners: options.owners ?? [],
    ...(options.realPacing ? {} : { pacing: { perChatIntervalMs: 0, perGroupPerMinute: 1_000_000, broadcastPerSecond: 1_000_000 } }),
    retry: { baseDelayMs: 5, maxDelayMs: 20, ...options.retry },
    ...(options.paidBroadcast === undefined ? {} : { paidBroadcast: options.paidBroadcast }),
    ...(options.collapseDetails === undefined ? {} : { collapseDetails: options.collapseDetails }),
    ...(options.previewReportLink === undefined ? {} : { previewReportLink: options.previewReportLink }),
  });
  return {
    fake,
    platform,
    async close() {
      await platform.stop();
      await fake.close();
    },
  };
}

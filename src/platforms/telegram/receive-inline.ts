import type { Bot } from 'grammy';
import type { InlineQuery, InlineQueryResult } from 'grammy/types';
import type { CommandContext, CommandReply, CommandRouter } from '../../commands/types.ts';
import { localeFrom } from '../../i18n/index.ts';
import type { Logger } from '../../log.ts';
import { TELEGRAM_LIMITS } from '../../render/limits.ts';
import { renderTelegramInlineCaption, renderTelegramInlineText } from '../../render/telegram-inline.ts';
import type { Digest } from '../../report/digest-types.ts';
import { photoKey, type PhotoFileIds } from './photo-file-ids.ts';
import { runDetached } from './detached-tasks.ts';

export interface InlineReceiverOptions {
  router: CommandRouter;
  owners: readonly string[];
  logger: Logger;
  photos?: PhotoFileIds;
}

/** How long Telegram may cache an answer for the same query (seconds): reports change rarely. */
const CACHE_SECONDS = 300;
const LATEST_WORDS = new Set(['', 'latest', 'new', 'newest', '最新', '最新一期']);
const DATE_LIKE = /^(?:\d|today$|yesterday$|今天$|昨天$)/i;

/**
 * Inline mode: `@bot 2026-01-03`, `@bot latest` or `@bot <words>` typed in any chat is answered
 * (answerInlineQuery) with digests to share: that day's, the newest, or the days the words
 * occur in (best first). Each is an article whose message is the digest as the bot posts it (one
 * HTML message within Telegram's limits) and, when Telegram already has the day's word cloud, a
 * cached photo with the point titles as its caption. Answers come from the same router as
 * commands; an error answers with no results rather than leaving the user's client waiting.
 */
export function receiveInlineQueries(bot: Bot, options: InlineReceiverOptions, running: Set<Promise<void>>): void {
  bot.on('inline_query', (ctx) => {
    const query = ctx.inlineQuery;
    runDetached(running, () => answerInline(bot, query, options), options.logger, ctx.update.update_id);
  });
}

function inlineContext(query: InlineQuery, owners: readonly string[]): CommandContext {
  const userId = String(query.from.id);
  return {
    platform: 'telegram',
    // Inline queries come from chats the bot may not be in: the user's own chat stands for "where".
    destination: { platform: 'telegram', chatId: userId, threadId: null },
    chatTitle: null,
    guildId: null,
    userId,
    locale: localeFrom(query.from.language_code),
    isPrivateChat: query.chat_type === 'sender',
    isOwner: owners.includes(userId),
    canManage: async () => false,
  };
}

async function digestsFor(text: string, router: CommandRouter, context: CommandContext): Promise<Digest[]> {
  const digestOf = (reply: CommandReply): Digest[] => (reply.kind === 'digest' ? [reply.digest] : []);
  if (LATEST_WORDS.has(text.toLowerCase())) return digestOf(await router.handle('latest', {}, context));
  if (DATE_LIKE.test(text) && !/\s/.test(text)) {
    const reply = await router.handle('report', { date: text }, context);
    if (reply.kind === 'digest') return [reply.digest];
  }
  const found = await router.handle('search', { query: text }, context);
  if (found.kind !== 'search') return [];
  const days = await Promise.all(found.result.hits.map((hit) => router.handle('report', { date: hit.dateStart }, context)));
  return days.flatMap(digestOf);
}

async function resultsFor(digests: Digest[], photos: PhotoFileIds | undefined): Promise<InlineQueryResult[]> {
  const results: InlineQueryResult[] = [];
  for (const [index, digest] of digests.entries()) {
    const compact = digest.dateStart.replaceAll('-', '');
    const description = digest.points.slice(0, 3).map((p) => p.title).join(' · ').slice(0, 200);
    results.push({
      type: 'article',
      id: `a${index}:${compact}`,
      title: digest.title,
      description,
      input_message_content: {
        message_text: renderTelegramInlineText(digest),
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      },
    });
    const key = digest.image && photos ? await photoKey(digest.image.path) : null;
    const fileId = key !== null ? photos?.peek(key) : undefined;
    if (fileId !== undefined) {
      results.push({
        type: 'photo',
        id: `p${index}:${compact}`,
        photo_file_id: fileId,
        title: digest.title,
        description,
        caption: renderTelegramInlineCaption(digest),
        parse_mode: 'HTML',
      });
    }
  }
  return results.slice(0, TELEGRAM_LIMITS.inlineResults);
}

async function answerInline(bot: Bot, query: InlineQuery, options: InlineReceiverOptions): Promise<void> {
  const text = query.query.trim();
  const started = Date.now();
  let results: InlineQueryResult[] = [];
  try {
    results = await resultsFor(await digestsFor(text, options.router, inlineContext(query, options.owners)), options.photos);
  } catch (error) {
    options.logger.warn({ event: 'telegram-inline-failed', reason: error instanceof Error ? error.message : String(error) }, 'inline query failed');
  }
  try {
    await bot.api.answerInlineQuery(query.id, results, { cache_time: CACHE_SECONDS });
    options.logger.info({ event: 'telegram-inline', results: results.length, ms: Date.now() - started }, 'inline query answered');
  } catch (error) {
    options.logger.warn({ event: 'telegram-inline-answer-failed', reason: error instanceof Error ? error.message : String(error) }, 'answerInlineQuery failed');
  }
}

import type { Middleware } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../log.ts';

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => value !== null && typeof value === 'object' && !Array.isArray(value);
const hasNumericId = (value: unknown): boolean => isObject(value) && typeof value['id'] === 'number' && Number.isFinite(value['id']);

/** What is wrong with a message-like object (message, channel post, the message of a button press), or null. */
function messageProblem(message: unknown, what: string): string | null {
  if (!isObject(message)) return `${what} is not an object`;
  if (!hasNumericId(message['chat'])) return `${what} has no chat id`;
  if (typeof (message['chat'] as Fields)['type'] !== 'string') return `${what} has no chat type`;
  if (typeof message['message_id'] !== 'number') return `${what} has no message_id`;
  if (message['from'] !== undefined && !hasNumericId(message['from'])) return `${what}.from has no id`;
  if (message['sender_chat'] !== undefined && !hasNumericId(message['sender_chat'])) return `${what}.sender_chat has no id`;
  if (message['text'] !== undefined && typeof message['text'] !== 'string') return `${what}.text is not text`;
  return null;
}

/**
 * Why the bot's handlers cannot read `update` safely (a field they rely on missing or of the wrong
 * kind), or null when it is fine. Only the update kinds the bot asks for are checked; any other
 * kind is ignored by the handlers anyway.
 */
export function updateProblem(update: Update): string | null {
  const fields = update as unknown as Fields;
  for (const kind of ['message', 'edited_message', 'channel_post', 'edited_channel_post']) {
    if (fields[kind] !== undefined) return messageProblem(fields[kind], kind);
  }
  const query = fields['callback_query'];
  if (query !== undefined) {
    if (!isObject(query) || typeof query['id'] !== 'string') return 'callback_query has no id';
    if (!hasNumericId(query['from'])) return 'callback_query.from has no id';
    if (query['message'] !== undefined) return messageProblem(query['message'], 'callback_query.message');
    return null;
  }
  const inline = fields['inline_query'];
  if (inline !== undefined) {
    if (!isObject(inline) || typeof inline['id'] !== 'string') return 'inline_query has no id';
    if (!hasNumericId(inline['from'])) return 'inline_query.from has no id';
    if (typeof inline['query'] !== 'string') return 'inline_query has no query';
  }
  return null;
}

/**
 * The first middleware of the bot, for polling and webhook alike: an update the handlers cannot
 * read (a `message` without `chat` …) is logged once at warn and dropped, so nothing Telegram (or
 * whoever holds the webhook secret) sends can throw inside a handler and end the process.
 */
export function dropMalformedUpdates(logger: Logger): Middleware {
  return async (ctx, next) => {
    const problem = updateProblem(ctx.update);
    if (problem === null) return next();
    logger.warn({ event: 'telegram-update-dropped', update: ctx.update.update_id, reason: problem }, 'dropped an update the bot cannot read');
  };
}

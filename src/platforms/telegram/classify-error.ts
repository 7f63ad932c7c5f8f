import { GrammyError, HttpError } from 'grammy';
import { SendError, type Destination } from '../platform.ts';

/**
 * 400 refusals that mean the chat or topic is gone for the bot, not that our payload was wrong:
 * retrying or resending as is cannot help, the subscription should be deactivated.
 */
const GONE_400 = [
  /chat not found/i,
  /group chat was deactivated/i,
  /message thread not found/i,
  /TOPIC_DELETED/,
  /CHAT_WRITE_FORBIDDEN/,
  /not enough rights to send/i,
  /have no rights to send/i,
];

/**
 * Turns what grammY threw into a SendError delivery can act on: 429 → rate-limited (with the
 * `retry_after` Telegram gave), 400 with `migrate_to_chat_id` → migrated, 403 and chat-gone 400s →
 * gone, 5xx and network failures → transient, any other refusal → rejected. The bot token is
 * scrubbed from every message first (network errors carry the request URL, which contains it).
 */
export function classifyTelegramError(error: unknown, destination: Destination, token: string): SendError {
  scrubToken(error, token);
  if (error instanceof SendError) return error;
  if (error instanceof GrammyError) {
    const details = { platformCode: error.error_code, cause: error };
    const what = `${error.method}: ${error.description}`;
    const migrateTo = error.parameters.migrate_to_chat_id;
    if (error.error_code === 429) {
      return new SendError('rate-limited', destination, what, {
        ...details,
        retryAfterMs: (error.parameters.retry_after ?? 1) * 1000,
      });
    }
    if (migrateTo !== undefined) {
      return new SendError('migrated', destination, what, { ...details, migrateToChatId: String(migrateTo) });
    }
    if (isGoneForBot(error)) return new SendError('gone', destination, what, details);
    if (error.error_code >= 500) return new SendError('transient', destination, what, details);
    return new SendError('rejected', destination, what, details);
  }
  if (error instanceof HttpError) {
    return new SendError('transient', destination, `${error.message} ${describe(error.error)}`.trim(), { cause: error });
  }
  return new SendError('transient', destination, describe(error), { cause: error });
}

/** A 403, or a 400 saying the chat or topic is gone for the bot (GONE_400). */
export function isGoneForBot(error: GrammyError): boolean {
  return error.error_code === 403 || (error.error_code === 400 && GONE_400.some((re) => re.test(error.description)));
}

/** Replaces the token in an error's message and stack, and in those of its causes, in place. */
export function scrubToken(error: unknown, token: string, depth = 0): void {
  if (depth > 4 || token === '' || typeof error !== 'object' || error === null) return;
  const e = error as { message?: unknown; stack?: unknown; cause?: unknown; error?: unknown };
  const clean = (value: unknown): unknown => (typeof value === 'string' ? value.split(token).join('[redacted]') : value);
  try {
    if (typeof e.message === 'string') e.message = clean(e.message);
    if (typeof e.stack === 'string') e.stack = clean(e.stack);
  } catch {
    // A frozen error: nothing we can do, the logger's own redaction still applies.
  }
  scrubToken(e.cause, token, depth + 1);
  scrubToken(e.error, token, depth + 1);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

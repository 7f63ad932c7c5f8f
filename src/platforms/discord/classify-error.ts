import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { SendError, type Destination } from '../platform.ts';

/** Discord JSON error codes that mean the channel is gone for the bot until someone fixes access. */
const GONE_CODES = new Set([
  10003, // Unknown Channel
  50001, // Missing Access
  50013, // Missing Permissions
  50083, // Thread is archived
]);

/** Codes that mean the upload itself was refused (size or type), so a text-only resend may work. */
const FILE_REFUSED_CODES = new Set([40005, 50035, 50045, 50138]);

/**
 * Maps an error from discord.js's REST client to a SendError delivery can act on. discord.js has
 * already retried 5xx and network failures and waited out 429s by then, so what arrives here is
 * final for this attempt.
 */
export function classifyDiscordError(error: unknown, destination: Destination): SendError {
  if (error instanceof SendError) return error;
  if (error instanceof RateLimitError) {
    return new SendError('rate-limited', destination, `rate limited on ${error.route} (${error.global ? 'global' : 'route'})`, {
      retryAfterMs: error.retryAfter,
      platformCode: 429,
      cause: error,
    });
  }
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : Number(error.code);
    const detail = `${error.status} ${code}: ${error.message}`;
    if (GONE_CODES.has(code) || error.status === 403) {
      return new SendError('gone', destination, detail, { platformCode: code, cause: error });
    }
    if (error.status === 429) {
      return new SendError('rate-limited', destination, detail, { platformCode: 429, retryAfterMs: 1000, cause: error });
    }
    if (error.status >= 500) return new SendError('transient', destination, detail, { platformCode: code, cause: error });
    return new SendError('rejected', destination, detail, { platformCode: code, cause: error });
  }
  if (error instanceof HTTPError) {
    const kind = error.status >= 500 || error.status === 408 ? 'transient' : 'rejected';
    return new SendError(kind, destination, `HTTP ${error.status} ${error.message}`, { platformCode: error.status, cause: error });
  }
  // Timeouts (AbortError), connection resets, DNS failures: nothing reached Discord or no answer came back.
  const message = error instanceof Error ? error.message : String(error);
  return new SendError('transient', destination, `network: ${message}`, { cause: error });
}

/** True when a refusal is about the uploaded file (too large, bad image) rather than the message. */
export function isFileRefusal(error: unknown): boolean {
  if (!(error instanceof DiscordAPIError)) return false;
  if (error.status === 413) return true;
  const code = typeof error.code === 'number' ? error.code : Number(error.code);
  return error.status === 400 && FILE_REFUSED_CODES.has(code);
}

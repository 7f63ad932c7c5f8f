import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Sends whose answer was lost. A request that failed on the way back (connection reset or timed
 * out after it was written) may have been carried out by Telegram; Telegram has no idempotency
 * key, so sending it again may post the message twice, and not sending it again may lose it. The
 * retry sends it again (a repeat is better than a hole) and counts it here, so delivery can report
 * the window instead of claiming "0 failed, 0 repeated".
 */

/** Calls that post something a reader sees. */
const POSTING_METHOD = /^(send|copy|forward)/;

/** Network failures that happen before a request can reach Telegram: never ambiguous. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

function errorCode(error: unknown, depth = 0): string | null {
  if (depth > 4 || typeof error !== 'object' || error === null) return null;
  const e = error as { code?: unknown; cause?: unknown; error?: unknown };
  if (typeof e.code === 'string') return e.code;
  return errorCode(e.error, depth + 1) ?? errorCode(e.cause, depth + 1);
}

/**
 * True when a call of `method` that failed with this network error may nevertheless have been
 * carried out: a posting method, and not an error that stops a request before it is sent.
 */
export function isAmbiguousFailure(method: string, error: unknown): boolean {
  if (!POSTING_METHOD.test(method)) return false;
  const code = errorCode(error);
  return code === null || !NOT_SENT_CODES.has(code);
}

const tally = new AsyncLocalStorage<{ count: number }>();

/** Counts an ambiguous call for the digest being sent in this async context (if any). */
export function noteAmbiguousSend(): void {
  const current = tally.getStore();
  if (current) current.count += 1;
}

/** Runs `fn` and counts the ambiguous calls made inside it (across awaits), failing or not. */
export async function countAmbiguousSends<T>(fn: () => Promise<T>): Promise<{ value: T; ambiguous: number } | { error: unknown; ambiguous: number }> {
  const counter = { count: 0 };
  try {
    const value = await tally.run(counter, fn);
    return { value, ambiguous: counter.count };
  } catch (error) {
    return { error, ambiguous: counter.count };
  }
}

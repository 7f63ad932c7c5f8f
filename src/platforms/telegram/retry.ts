import type { Transformer } from 'grammy';
import { isAmbiguousFailure, noteAmbiguousSend } from './ambiguous-sends.ts';
import { currentCommandAnswer } from './command-answer-scope.ts';

export interface RetryOptions {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** First backoff after a 5xx or network error; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking for longer than this is handed back to the caller instead of waited out here. */
  maxRetryAfterSeconds: number;
  /**
   * A command's answer (sendAsCommandAnswer) waits out 429s without counting them as attempts,
   * for at most this long from the start of the answer; then the 429 is handed back (lost).
   */
  commandAnswerWithinMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterSeconds: 60,
  commandAnswerWithinMs: 60_000,
};

/** What a retry is about, for the log. */
export interface RetryEvent {
  method: string;
  chatId: string | null;
  attempt: number;
  delayMs: number;
  reason: string;
  /** The failed call may have been carried out (its answer was lost): the retry may repeat it. */
  ambiguous?: boolean;
}

/**
 * A grammY API transformer that retries one call in place: after a 429 it waits exactly the
 * `retry_after` Telegram gave; after a 5xx or a network failure it backs off exponentially
 * (bounded). A digest is several calls, so retrying here means a later call's hiccup never makes
 * the caller resend the photo that already went out. Other refusals return at once. A command's
 * answer waits out 429s for up to `commandAnswerWithinMs` however many there are.
 * `getUpdates` is left to grammY's own polling loop.
 */
export function retryTransformer(
  options: RetryOptions = DEFAULT_RETRY,
  onRetry: (event: RetryEvent) => void = () => undefined,
): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === 'getUpdates') return prev(method, payload, signal);
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    const event = (attempt: number, delayMs: number, reason: string): RetryEvent => ({
      method,
      chatId: chatId === undefined ? null : String(chatId),
      attempt,
      delayMs,
      reason,
    });
    const answer = currentCommandAnswer();
    /** 429s of a command answer waited out: they use up no attempt. */
    let patientWaits = 0;
    for (let attempt = 1; ; attempt += 1) {
      const last = attempt - patientWaits >= options.maxAttempts;
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      let result;
      try {
        result = await prev(method, payload, signal);
      } catch (error) {
        // HttpError: the request failed on the way (refused, reset, timed out). When it may have
        // reached Telegram, sending it again may repeat it: counted, since it cannot be avoided.
        const ambiguous = isAmbiguousFailure(method, error);
        if (ambiguous) noteAmbiguousSend();
        if (last || signal?.aborted) throw error;
        onRetry({ ...event(attempt, backoff, 'network'), ...(ambiguous ? { ambiguous } : {}) });
        await sleep(backoff);
        continue;
      }
      const patient = answer !== null && !result.ok && result.error_code === 429;
      if (result.ok || (last && !patient)) return result;
      if (result.error_code === 429) {
        const seconds = result.parameters?.retry_after ?? 1;
        if (seconds > options.maxRetryAfterSeconds) return result;
        if (patient) {
          if (Date.now() - answer.startedAt + seconds * 1000 > options.commandAnswerWithinMs) return result;
          patientWaits += 1;
        }
        onRetry(event(attempt, seconds * 1000, '429'));
        await sleep(seconds * 1000);
        continue;
      }
      if (result.error_code >= 500) {
        onRetry(event(attempt, backoff, String(result.error_code)));
        await sleep(backoff);
        continue;
      }
      return result;
    }
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import { AsyncLocalStorage } from 'node:async_hooks';

/** What the calls made while answering a command know about it. */
interface CommandAnswer {
  /** When the answer began (local clock): its 429 waits are bounded from here. */
  startedAt: number;
}

const scope = new AsyncLocalStorage<CommandAnswer>();

/**
 * Runs `send` as the answer to a reader's command. The Telegram calls it makes (through the api's
 * transformers) can tell, so the retry transformer waits out every 429 of a command answer
 * within its bound instead of giving up after a few attempts: a reader is waiting for it.
 */
export function sendAsCommandAnswer<T>(send: () => Promise<T>): Promise<T> {
  return scope.run({ startedAt: Date.now() }, send);
}

/** The command answer the current call belongs to, or null (a digest, a notice, polling). */
export function currentCommandAnswer(): CommandAnswer | null {
  return scope.getStore() ?? null;
}

import type { SentPart } from '../platform.ts';

/**
 * Besides its messages, a Discord delivery records two kinds of step in the part ledger, so a
 * resume after a crash neither opens a second forum post nor publishes twice nor skips a publish.
 * They live in index ranges no digest reaches (a digest is a handful of messages), so the ledger
 * (`delivery_parts`, one row per index) needs no new column, and every message keeps its index.
 */

/** A forum post is about to be opened; its id is a snowflake of that moment (a lower bound for the post's id). */
export const FORUM_OPENING_PLAN = 'forum-opening';
const FORUM_OPENING_INDEX = 1000;

/** Message `index - PUBLISHED_BASE` was published (crossposted) in its announcement channel. */
export const PUBLISHED_PLAN = 'published';
const PUBLISHED_BASE = 2000;

/** Discord's epoch (2015-01-01) in Unix milliseconds: a snowflake's high bits count from it. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** The smallest snowflake Discord could give an object created at `ms` or later. */
export function snowflakeAt(ms: number): string {
  return ((BigInt(Math.floor(ms)) - DISCORD_EPOCH_MS) << 22n).toString();
}

/** The mark recorded right before a forum post is requested. */
export function forumOpeningMark(nowMs: number): SentPart {
  return { index: FORUM_OPENING_INDEX, messageId: snowflakeAt(nowMs), plan: FORUM_OPENING_PLAN };
}

/** The mark recorded once message `messageIndex` (id `messageId`) is published. */
export function publishedMark(messageIndex: number, messageId: string): SentPart {
  return { index: PUBLISHED_BASE + messageIndex, messageId, plan: PUBLISHED_PLAN };
}

/** The ledger's record of an earlier attempt, sorted into messages and marks. */
export interface EarlierAttempt {
  /** Message index → message id. */
  messages: Map<number, string>;
  /** The snowflake of an opening forum post whose answer never reached the ledger, or null. */
  forumOpeningSince: string | null;
  /** Message indexes already published. */
  published: Set<number>;
}

/** Sorts `sentParts` (the ledger's parts of this delivery) into messages and marks. */
export function readEarlierAttempt(sentParts: readonly SentPart[]): EarlierAttempt {
  const earlier: EarlierAttempt = { messages: new Map(), forumOpeningSince: null, published: new Set() };
  for (const part of sentParts) {
    if (part.plan === FORUM_OPENING_PLAN) earlier.forumOpeningSince = part.messageId;
    else if (part.plan === PUBLISHED_PLAN) earlier.published.add(part.index - PUBLISHED_BASE);
    else if (part.index < FORUM_OPENING_INDEX) earlier.messages.set(part.index, part.messageId);
  }
  return earlier;
}

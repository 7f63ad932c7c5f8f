import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { SendDigestOptions } from '../platform.ts';
import { publishedMark, readEarlierAttempt } from './ledger-marks.ts';

/** Discord's "This message has already been crossposted": what an earlier attempt did stands. */
const ALREADY_CROSSPOSTED = 40033;

/**
 * Publishes a digest's messages in an announcement channel (`POST
 * /channels/{id}/messages/{message}/crosspost`), so every server following the channel gets them,
 * in order, each once: a message the ledger already marks published is skipped, and one Discord
 * says is already published counts as done. Each publish is marked in the ledger before the next.
 *
 * Discord allows about ten publishes an hour per channel. A 429 is waited out by discord.js when
 * short; a longer one rejects (RateLimitError, classified 'rate-limited' with its `retry_after`)
 * and delivery waits it out or leaves the row failed for its next run: the messages are in the
 * ledger, so that run only publishes, it never posts them again. The delivery counts as done once
 * all are published.
 */
export async function publishMessages(
  rest: REST,
  channelId: string,
  messageIds: readonly string[],
  options: Pick<SendDigestOptions, 'sentParts' | 'onPartAccepted' | 'signal'>,
): Promise<void> {
  const published = readEarlierAttempt(options.sentParts ?? []).published;
  for (const [index, messageId] of messageIds.entries()) {
    if (published.has(index)) continue;
    if (options.signal?.aborted) throw new Error(`stopped before publishing message ${index} of ${messageIds.length}`);
    try {
      await rest.post(Routes.channelMessageCrosspost(channelId, messageId));
    } catch (error) {
      if (!(error instanceof DiscordAPIError && Number(error.code) === ALREADY_CROSSPOSTED)) throw error;
    }
    await options.onPartAccepted?.(publishedMark(index, messageId));
  }
}

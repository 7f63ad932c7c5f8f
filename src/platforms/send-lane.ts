import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which queue a request waits in at a pacer. `reply`: an answer to a reader's command, button
 * press or search, which someone is waiting for; it goes ahead of every `bulk` request (digests
 * to subscribers, notices) in the token's rate budget. `bulk` is the default: only work started
 * from a reader's update is marked, so a fan-out path that forgets to say what it is can never
 * push replies back.
 */
export type SendLane = 'reply' | 'bulk';

const lanes = new AsyncLocalStorage<SendLane>();

/**
 * Runs `work` with every platform request it makes (however deep, through grammY's transformers
 * or discord.js's REST queue) in `lane`. An inner call wins: a `/repost` answered in the reply
 * lane still fans out its digests in the bulk lane.
 *
 * An async context rather than a parameter because the requests are made by the libraries, far
 * below the code that knows why they are sent; the pacers sit around the libraries' transport.
 */
export function inSendLane<T>(lane: SendLane, work: () => T): T {
  return lanes.run(lane, work);
}

/** The lane of the request being made now (`bulk` outside any inSendLane). */
export function currentSendLane(): SendLane {
  return lanes.getStore() ?? 'bulk';
}

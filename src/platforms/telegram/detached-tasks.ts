import type { Logger } from '../../log.ts';
import { inSendLane } from '../send-lane.ts';

/**
 * Runs one update's handling detached from grammY's one-update-at-a-time middleware (a reply may
 * wait for pacing) and tracks it in `running` until it settles (stop() waits for them). A failure
 * no handler anticipated is logged as that update's failure: a detached promise left to reject
 * would end the process. Everything it sends is an answer to a reader: it goes in the pacer's
 * reply lane, ahead of any fan-out's digests.
 */
export function runDetached(running: Set<Promise<void>>, work: () => Promise<void>, logger: Logger, updateId: number): void {
  const task: Promise<void> = inSendLane('reply', work)
    .catch((error: unknown) => {
      logger.error({ event: 'telegram-update-failed', update: updateId, reason: error instanceof Error ? error.message : String(error) }, 'update handling failed');
    })
    .finally(() => running.delete(task));
  running.add(task);
}

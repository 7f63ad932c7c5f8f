import type { Logger } from '../log.ts';
import type { PlatformName } from '../words.ts';
import type { Store } from './store.ts';

/**
 * How long a handled update's id is remembered. Telegram keeps an update it could not deliver for
 * at most 24 hours, so it cannot resend one later than that; twice that leaves room for clocks
 * and for an update that was retried for a long time before it first got through.
 */
export const HANDLED_UPDATE_RETENTION_MS = 48 * 3600_000;

export interface HandledUpdatesOptions {
  logger: Logger;
  retentionMs?: number;
  /** Pruning runs at most this often (default hourly), after a claim. */
  pruneEveryMs?: number;
  now?: () => Date;
}

/**
 * The memory of webhook updates already handled, shared by every instance through the store: a
 * claim wins once per update id, whichever instance tries. Claims older than the retention are
 * pruned now and then, so the table stays as small as a couple of days of updates.
 */
export class HandledUpdates {
  private lastPrune = 0;
  private readonly retentionMs: number;
  private readonly pruneEveryMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly store: Pick<Store, 'claimUpdate' | 'pruneUpdates'>,
    private readonly options: HandledUpdatesOptions,
  ) {
    this.retentionMs = options.retentionMs ?? HANDLED_UPDATE_RETENTION_MS;
    this.pruneEveryMs = options.pruneEveryMs ?? 3600_000;
    this.now = options.now ?? (() => new Date());
  }

  /** True the first time `updateId` is claimed on `platform`. Rejects with StoreError when the store cannot tell. */
  async claim(platform: PlatformName, updateId: string): Promise<boolean> {
    const won = await this.store.claimUpdate(platform, updateId);
    this.pruneIfDue();
    return won;
  }

  /** Not awaited by the claim: an update is answered without waiting for housekeeping. */
  private pruneIfDue(): void {
    const now = this.now().getTime();
    if (now - this.lastPrune < this.pruneEveryMs) return;
    this.lastPrune = now;
    const before = new Date(now - this.retentionMs).toISOString();
    this.store.pruneUpdates(before).then(
      (dropped) => {
        if (dropped > 0) this.options.logger.debug({ event: 'webhook.updates-pruned', dropped, before }, 'old handled update ids forgotten');
      },
      (error: unknown) => {
        this.options.logger.warn({ event: 'webhook.prune-failed', reason: error instanceof Error ? error.message : String(error) }, 'could not prune handled update ids');
      },
    );
  }
}

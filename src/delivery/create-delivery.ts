import type { Config } from '../config.ts';
import type { DigestBuilder } from '../digest-builder.ts';
import type { Logger } from '../log.ts';
import type { Platform, PlatformName } from '../platforms/platform.ts';
import { postgresTimeoutsOf } from '../store/postgres-pool-options.ts';
import type { Store } from '../store/store.ts';
import { Deliverer, type DelivererDeps } from './deliverer.ts';
import { fanoutLockFor, type FanoutLock, type FileFanoutLockOptions } from './fanout-lock.ts';
import { Fanout, type DeliveryLibrary, type FanoutDeps } from './fanout.ts';
import { OutcomeJournal } from './outcome-journal.ts';
import { ChatOwnerNotifier } from './owner-notifier.ts';
import { PostgresFanoutLock } from './postgres-fanout-lock.ts';

/**
 * Telegram destinations in flight with paid broadcast on. Each chat takes a message at most once
 * a second, so 1,000 messages a second need some 600 chats sending at once (a digest is 2 or 3
 * messages a second apart); the default 64 would hold the fan-out to about a tenth of that.
 */
export const PAID_BROADCAST_CONCURRENCY = 1200;

export interface DeliveryParts {
  deliverer: Deliverer;
  /** The one delivery path (also the `/repost` Reposter). */
  fanout: Fanout;
  /**
   * The cross-process fan-out lock the Deliverer takes per platform: files beside the SQLite
   * database, or a PostgreSQL advisory lock per platform with DATABASE_URL (close it when done).
   */
  lock: FanoutLock;
}

/**
 * Wires the delivery path the same way for the bot (main.ts) and `digest post`: the Deliverer with
 * the configured retry policy, owner notices to `ownerChat`, and the fan-out lock beside the
 * database so the two processes never send the same row at once.
 */
export function createDelivery(input: {
  config: Pick<Config, 'ownerChat' | 'databasePath'> &
    Partial<Pick<Config, 'telegram' | 'databaseUrl' | 'coordinationSchema' | 'database' | 'timezone'>> & {
      /** Without `maxReportAgeDays`, due times send reports of any age. */
      delivery: Omit<Config['delivery'], 'maxUnrecordedSends' | 'maxReportAgeDays' | 'editOnCorrection'> & Partial<Pick<Config['delivery'], 'maxUnrecordedSends' | 'maxReportAgeDays' | 'editOnCorrection'>>;
    };
  store: Store;
  library: DeliveryLibrary;
  digests: DigestBuilder;
  platforms: Partial<Record<PlatformName, Platform>>;
  logger: Logger;
  lock?: FileFanoutLockOptions;
  /** Told once when a fan-out waits for another process's (`digest post` says so). */
  onLockWait?: (who: string) => void;
  overrides?: Partial<DelivererDeps>;
  /** See FanoutDeps.onFinished. */
  onFanoutFinished?: FanoutDeps['onFinished'];
}): DeliveryParts {
  const { config, store, platforms, logger } = input;
  // With PostgreSQL several instances share the ledger: they serialise per platform on the server,
  // where a dead instance's lock goes with its connection.
  const lock: FanoutLock = config.databaseUrl
    ? new PostgresFanoutLock({
        connectionString: config.databaseUrl,
        ...(config.database ? { timeouts: postgresTimeoutsOf(config.database) } : {}),
        // The instances of one bot (and its `digest post`) share the pg-boss schema; another bot on
        // the same server, with its own schema, never waits for this one's lock.
        namespace: config.coordinationSchema ?? 'pgboss',
        logger,
        ...(input.lock?.timeoutMs ? { timeoutMs: input.lock.timeoutMs } : {}),
        onWait: (scope) => input.onLockWait?.(`another instance sending ${scope}`),
      })
    : fanoutLockFor(config.databasePath, {
        ...input.lock,
        onWait: (owner) => {
          input.lock?.onWait?.(owner);
          input.onLockWait?.(`pid ${owner.pid} on ${owner.host}`);
        },
      });
  const deliverer = new Deliverer({
    store,
    platforms,
    policy: config.delivery,
    notifier: new ChatOwnerNotifier({ ownerChat: config.ownerChat, platforms, logger }),
    logger,
    lock,
    ...(config.telegram?.paidBroadcast ? { concurrency: { telegram: PAID_BROADCAST_CONCURRENCY } } : {}),
    ...(config.delivery.maxUnrecordedSends !== undefined ? { maxUnrecordedSends: config.delivery.maxUnrecordedSends } : {}),
    // Outcomes the ledger still refuses at a stop wait beside the database for the next start.
    journal: OutcomeJournal.besideDatabase(config.databasePath),
    ...input.overrides,
  });
  const fanout = new Fanout({
    library: input.library,
    digests: input.digests,
    store,
    deliverer,
    logger,
    settleMs: config.delivery.reportSettleMs,
    ...(config.delivery.maxReportAgeDays !== undefined
      ? { ageLimit: { maxReportAgeDays: config.delivery.maxReportAgeDays, timezone: config.timezone ?? 'UTC' } }
      : {}),
    ...(input.onFanoutFinished ? { onFinished: input.onFanoutFinished } : {}),
  });
  return { deliverer, fanout, lock };
}

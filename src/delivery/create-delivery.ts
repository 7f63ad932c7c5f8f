import type { Config } from '../config.ts';
import type { DigestBuilder } from '../digest-builder.ts';
import type { Logger } from '../log.ts';
import type { Platform, PlatformName } from '../platforms/platform.ts';
import type { Store } from '../store/store.ts';
import { Deliverer, type DelivererDeps } from './deliverer.ts';
import type { FanoutLock } from './fanout-lock.ts';
import { Fanout, type DeliveryLibrary, type FanoutDeps } from './fanout.ts';
import { OutcomeJournal } from './outcome-journal.ts';
import { ChatOwnerNotifier } from './owner-notifier.ts';

/**
 * Telegram destinations in flight with paid broadcast on. Each chat takes a message at most once
 * a second, so 1,000 messages a second need some 600 chats sending at once (a digest is 2 or 3
 * messages a second apart); the default 64 would hold the fan-out to about a tenth of that.
 */
export const PAID_BROADCAST_CONCURRENCY = 1200;

/**
 * Telegram sends that may be out unrecorded with paid broadcast on, unless
 * `delivery.maxUnrecordedSends` is set: a send holds its place for the round trip and the ledger
 * write, so the default of 2 would hold 1,000 messages a second to a few dozen.
 */
export const PAID_BROADCAST_UNRECORDED_SENDS = 200;

/**
 * Discord sends that may be out unrecorded unless `delivery.maxUnrecordedSends` is set. A post
 * carries a nonce with `enforce_nonce`, the same after a restart, and Discord answers a repeat
 * within a few minutes with the message already posted, so a repeat costs a request, not a
 * message (forum posts, which take no nonce, are the exception). The global pacer holds a request's
 * place until a second after its answer, so Discord's 50/s at a 400 ms upload is some 36 a second
 * with 15 out at once: 2 held it to 9.5 a second at 200 ms (`bench/fanout.ts --discord-latency`).
 */
export const DISCORD_UNRECORDED_SENDS = 16;

/**
 * The bounds of sends out unrecorded the bot runs with: a bound the operator set holds for every
 * platform; unset, Discord and paid broadcast's Telegram get the room their rates need and
 * Telegram otherwise keeps the Deliverer's default.
 */
export function unrecordedSendBounds(
  configured: number | undefined,
  paidBroadcast: boolean,
): Pick<DelivererDeps, 'maxUnrecordedSends' | 'unrecordedSendsByPlatform'> {
  if (configured !== undefined) return { maxUnrecordedSends: configured };
  return {
    unrecordedSendsByPlatform: {
      discord: DISCORD_UNRECORDED_SENDS,
      ...(paidBroadcast ? { telegram: PAID_BROADCAST_UNRECORDED_SENDS } : {}),
    },
  };
}

export interface DeliveryParts {
  deliverer: Deliverer;
  /** The one delivery path (also the `/repost` Reposter). */
  fanout: Fanout;
}

/**
 * Wires the delivery path the same way for the bot (main.ts) and `digest post`: the Deliverer with
 * the configured retry policy, owner notices to `ownerChat`, and the backend's fan-out lock so
 * two processes never send the same row at once.
 */
export function createDelivery(input: {
  config: Pick<Config, 'ownerChat' | 'databasePath'> &
    Partial<Pick<Config, 'telegram' | 'timezone'>> & {
      /** Without `maxReportAgeDays`, due times send reports of any age. */
      delivery: Omit<Config['delivery'], 'maxUnrecordedSends' | 'maxReportAgeDays' | 'editOnCorrection'> & Partial<Pick<Config['delivery'], 'maxUnrecordedSends' | 'maxReportAgeDays' | 'editOnCorrection'>>;
    };
  store: Store;
  /**
   * The cross-process fan-out lock the Deliverer takes per platform (the backend's: lock files
   * beside a SQLite database, a PostgreSQL advisory lock per platform).
   */
  lock: FanoutLock;
  library: DeliveryLibrary;
  digests: DigestBuilder;
  platforms: Partial<Record<PlatformName, Platform>>;
  logger: Logger;
  overrides?: Partial<DelivererDeps>;
  /** See FanoutDeps.onFinished. */
  onFanoutFinished?: FanoutDeps['onFinished'];
}): DeliveryParts {
  const { config, store, lock, platforms, logger } = input;
  const deliverer = new Deliverer({
    store,
    platforms,
    policy: config.delivery,
    notifier: new ChatOwnerNotifier({ ownerChat: config.ownerChat, platforms, logger }),
    logger,
    lock,
    ...(config.telegram?.paidBroadcast ? { concurrency: { telegram: PAID_BROADCAST_CONCURRENCY } } : {}),
    ...unrecordedSendBounds(config.delivery.maxUnrecordedSends, config.telegram?.paidBroadcast ?? false),
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
  return { deliverer, fanout };
}

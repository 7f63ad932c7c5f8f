import type { Reposter } from '../commands/types.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { PlatformName } from '../words.ts';
import type { ServiceHealth } from '../service-health.ts';
import { postgresTimeoutsOf } from '../backend/postgres/postgres-pool-options.ts';
import type { Store } from '../store/store.ts';
import type { Deliverer } from './deliverer.ts';
import type { FanoutLock } from './fanout-lock.ts';
import { FanoutCoordinator } from '../backend/postgres/fanout-coordinator.ts';
import type { Fanout } from './fanout.ts';
import { PostgresFanoutLock } from '../backend/postgres/postgres-fanout-lock.ts';
import { Scheduler, type SchedulerDeps } from './scheduler.ts';

/**
 * Who decides when fan-outs run and which process sends them: the in-process Scheduler with
 * SQLite (one instance), pg-boss with PostgreSQL (any number of instances).
 */
export interface Coordination {
  /** What `/repost` goes through. */
  reposter: Reposter;
  /** Starts the schedule (the catch-up waits for each platform: `platformStarted`). */
  start(): Promise<void>;
  /** A platform has started on this instance: catch up on it (and, with Postgres, take its jobs). */
  platformStarted(platform: PlatformName): void;
  /** Sends what fell due while the database was unreachable, for a platform already started. */
  catchUp(platform: PlatformName): void;
  /** Stops the schedule and waits for running fan-outs (cut short by the Deliverer's stop). */
  stop(): Promise<void>;
  /** Settles when this instance must stop sending at once (its fan-out lock connection died); never with SQLite. */
  lost: Promise<string> | null;
}

/** The coordination for the configured store: Scheduler for SQLite, FanoutCoordinator for PostgreSQL. */
export function createCoordination(input: {
  config: Pick<Config, 'schedule' | 'timezone' | 'databaseUrl' | 'env'> & Partial<Pick<Config, 'database'>> & { coordinationSchema?: string };
  fanout: Fanout;
  deliverer: Pick<Deliverer, 'isStopping'>;
  lock: FanoutLock;
  store: Store;
  library: SchedulerDeps['library'];
  logger: Logger;
  health?: ServiceHealth;
  metrics?: { fanoutActive(platform: PlatformName, active: boolean): void } | null;
}): Coordination {
  const { config, fanout, store, library, logger } = input;
  if (config.databaseUrl && input.lock instanceof PostgresFanoutLock) {
    const platforms: PlatformName[] = [
      ...(config.env.discordToken ? (['discord'] as const) : []),
      ...(config.env.telegramToken ? (['telegram'] as const) : []),
    ];
    const coordinator = new FanoutCoordinator({
      connectionString: config.databaseUrl,
      ...(config.database ? { timeouts: postgresTimeoutsOf(config.database) } : {}),
      ...(config.coordinationSchema ? { schema: config.coordinationSchema } : {}),
      fanout,
      store,
      library,
      config,
      platforms,
      lock: input.lock,
      logger,
      ...(input.health ? { health: input.health } : {}),
      metrics: input.metrics ?? null,
      isStopping: () => input.deliverer.isStopping,
    });
    return {
      reposter: coordinator,
      start: () => coordinator.start(),
      platformStarted: (platform) => coordinator.platformStarted(platform),
      catchUp: (platform) => coordinator.catchUp(platform),
      stop: async () => {
        await coordinator.stop();
        await input.lock.close?.();
      },
      lost: input.lock.lost,
    };
  }
  const scheduler = new Scheduler({ fanout, store, library, config, logger });
  return {
    reposter: fanout,
    start: async () => {
      await scheduler.start({ catchUp: false });
      logger.info({ event: 'scheduler.started', schedule: config.schedule, timezone: config.timezone }, 'scheduler running');
    },
    platformStarted: (platform) => void scheduler.catchUpWithRetry({ platform }),
    catchUp: (platform) => void scheduler.catchUpWithRetry({ platform }),
    stop: () => scheduler.stop(),
    lost: null,
  };
}

import type { Logger } from '../log.ts';
import type { ServiceHealth } from '../service-health.ts';
import { PlatformStartError, type Platform, type PlatformName } from './platform.ts';

/** How a platform that failed to start is retried: exponential backoff with jitter, capped, forever. */
export interface StartRetryPolicy {
  /** Wait before the first retry (the ceiling of its jittered draw). */
  baseMs: number;
  /** Longest wait between two attempts. */
  capMs: number;
}

export interface PlatformStarterOptions {
  platforms: readonly Platform[];
  /** Each platform reports here under its own name: not ready while starting or retrying, ready once started. */
  health: ServiceHealth;
  logger: Logger;
  retry: StartRetryPolicy;
  /** Called each time a platform has started (e.g. to run its catch-up). */
  onStarted?: (platform: PlatformName) => void;
  random?: () => number;
}

/**
 * Starts each platform on its own, so one platform's outage never keeps the other (or the
 * scheduler) from running. A transient failure (network, 5xx, timeout) is logged and retried in
 * the background with backoff, for as long as it takes; a permanent one (a token the platform
 * refuses) settles `fatal`, so the process can exit non-zero rather than run half-alive. The same
 * goes for a platform that stops for good after it started (`Platform.onFatalError`).
 */
export class PlatformStarter {
  /** Rejects with the first permanent failure; never resolves. */
  readonly fatal: Promise<never>;
  private fail: (error: PlatformStartError) => void = () => undefined;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly random: () => number;

  constructor(private readonly options: PlatformStarterOptions) {
    this.random = options.random ?? Math.random;
    this.fatal = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.fatal.catch(() => undefined); // the owner awaits it; an early settle must not be unhandled
  }

  /** Begins starting every platform (returns at once; see `fatal` and the health entries). */
  start(): void {
    for (const platform of this.options.platforms) {
      this.options.health.expect(platform.name, 'starting');
      platform.onFatalError?.((error) => this.onFatal(platform, error));
      this.attempt(platform, 1);
    }
  }

  /** Stops retrying and stops every platform, including one whose attempt is still under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled(this.options.platforms.map((platform) => platform.stop()));
    // An attempt still in flight is abandoned; if it completes later, attempt() stops it again.
  }

  /** The wait before retry number `retry` (1 = the first): half the ceiling plus a random half. */
  delayMs(retry: number): number {
    const { baseMs, capMs } = this.options.retry;
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private attempt(platform: Platform, attempt: number): void {
    const { health, logger } = this.options;
    void platform.start().then(
      async () => {
        if (this.stopped) {
          await platform.stop();
          return;
        }
        health.set(platform.name, true, platform.statusDetail?.() ?? null);
        logger.info({ event: 'platform.started', platform: platform.name, attempt }, `${platform.name} started`);
        this.options.onStarted?.(platform.name);
      },
      (caught: unknown) => {
        if (this.stopped) return;
        const error =
          caught instanceof PlatformStartError
            ? caught
            : new PlatformStartError(platform.name, false, caught instanceof Error ? caught.message : String(caught), { cause: caught });
        if (error.permanent) {
          this.onFatal(platform, error);
          return;
        }
        const waitMs = this.delayMs(attempt);
        health.set(platform.name, false, `retrying in ${Math.ceil(waitMs / 1000)} s (attempt ${attempt} failed: ${error.message})`);
        logger.warn(
          { event: 'platform.start-failed', platform: platform.name, attempt, retryInMs: waitMs, reason: error.message },
          `${platform.name} did not start; retrying in the background`,
        );
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.stopped) this.attempt(platform, attempt + 1);
        }, waitMs);
        this.timers.add(timer);
      },
    );
  }

  private onFatal(platform: Platform, error: PlatformStartError): void {
    this.options.health.set(platform.name, false, error.message);
    this.fail(error);
  }
}

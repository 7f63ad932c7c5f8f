import type { PlatformName } from './words.ts';

/**
 * What the running bot tells its metrics. Neutral on purpose (no metrics library here): the
 * adapters, the command router, the word-cloud service and delivery call it; `BotMetrics`
 * (src/metrics/) turns it into Prometheus series. Every part takes it as optional, so the CLI and
 * tests run without it.
 */
export interface Telemetry {
  /** The platform answered 429 (any request: digests, notices, command answers). */
  rateLimited(platform: PlatformName): void;
  /** A request is sent again after a 429, a 5xx or a network failure. */
  sendRetried(platform: PlatformName): void;
  /**
   * A request is sent again after its answer was lost (it may have reached the platform): the
   * message may now show twice. Telegram has no idempotency key, so this window stays open.
   */
  ambiguousSend(platform: PlatformName): void;
  /** A command was answered: seconds from the adapter receiving it to the reply being ready. */
  commandAnswered(platform: PlatformName, command: string, seconds: number): void;
  /** A word cloud was drawn from a report's text. */
  wordcloudDrawn(seconds: number): void;
  /** A fan-out (scheduled post, catch-up, repost) completed. */
  fanoutFinished(outcome: FanoutOutcome, seconds: number, finishedAt: Date): void;
}

/** The part of a DeliveryReport the metrics read (structurally the same type). */
export interface FanoutOutcome {
  slug: string;
  kind: 'scheduled' | 'repost';
  results: ReadonlyArray<{
    destination: { platform: PlatformName };
    outcome: 'delivered' | 'skipped' | 'deactivated' | 'failed';
    messageIds: readonly string[];
  }>;
}

/** The subset the platform adapters use. */
export type PlatformTelemetry = Pick<Telemetry, 'rateLimited' | 'sendRetried' | 'ambiguousSend'>;

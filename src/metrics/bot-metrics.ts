import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PLATFORM_NAMES, type PlatformName } from '../words.ts';
import type { Subscription } from '../store/store.ts';
import type { FanoutOutcome, Telemetry } from '../telemetry.ts';
import { BOT_VERSION } from '../version.ts';

const OUTCOMES = ['delivered', 'failed', 'deactivated', 'skipped'] as const;

export interface BotMetricsOptions {
  /** Read at each scrape for the subscriptions gauge; a failing store leaves the gauge as it was. */
  listSubscriptions: () => Promise<readonly Pick<Subscription, 'platform' | 'active'>[]>;
  /** prom-client's default process metrics (CPU, memory, event loop lag, GC); default on. */
  defaultMetrics?: boolean;
  /** Read at each scrape for `digest_platform_up`: started and connected (default: never). */
  platformUp?: (platform: PlatformName) => boolean;
  /** `digest_build_info`'s labels; default this package's version and the running Node. */
  build?: { version: string; node: string };
}

/**
 * The bot's Prometheus metrics, in a registry of its own (never prom-client's global one, so two
 * instances in one test process never clash). Counters count what this process did since it
 * started; the subscriptions gauge reads the store at scrape time.
 */
export class BotMetrics implements Telemetry {
  readonly registry = new Registry();
  private readonly messages: Counter<'platform' | 'outcome'>;
  private readonly rateLimits: Counter<'platform'>;
  private readonly retries: Counter<'platform'>;
  private readonly ambiguous: Counter<'platform'>;
  private readonly fanoutDuration: Histogram;
  private readonly lastFanout: Gauge<'kind'>;
  private readonly lastFanoutFailed: Gauge;
  private readonly commandDuration: Histogram<'platform' | 'command'>;
  private readonly wordcloudDuration: Histogram;
  private readonly fanoutActiveGauge: Gauge<'platform'>;

  constructor(options: BotMetricsOptions) {
    const registers = [this.registry];
    this.messages = new Counter({
      name: 'digest_messages_sent_total',
      help: 'Digest messages posted to channels and chats by deliveries and reposts (not command answers), by outcome. Delivered counts platform messages (a Telegram digest is its photo plus text parts); skipped, failed and deactivated count one per destination.',
      labelNames: ['platform', 'outcome'],
      registers,
    });
    this.rateLimits = new Counter({ name: 'digest_rate_limited_total', help: '429 answers received from the platform.', labelNames: ['platform'], registers });
    this.retries = new Counter({
      name: 'digest_send_retries_total',
      help: 'Requests sent again after a 429, a 5xx or a network failure.',
      labelNames: ['platform'],
      registers,
    });
    this.ambiguous = new Counter({
      name: 'digest_ambiguous_sends_total',
      help: 'Requests sent again after their answer was lost (the first may have arrived): possible repeated messages.',
      labelNames: ['platform'],
      registers,
    });
    this.fanoutActiveGauge = new Gauge({
      name: 'digest_fanout_active',
      help: 'With DATABASE_URL (several instances): 1 on the instance sending this platform\'s fan-out now, else 0.',
      labelNames: ['platform'],
      registers,
    });
    this.fanoutDuration = new Histogram({
      name: 'digest_fanout_duration_seconds',
      help: 'Duration of each completed fan-out (scheduled post, catch-up or repost).',
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    });
    this.lastFanout = new Gauge({
      name: 'digest_last_fanout_timestamp_seconds',
      help: 'Unix time at which the last completed fan-out of this kind ended.',
      labelNames: ['kind'],
      registers,
    });
    this.lastFanoutFailed = new Gauge({
      name: 'digest_last_fanout_failed_destinations',
      help: 'Destinations that failed in the last completed fan-out (any kind); 0 when it had none.',
      registers,
    });
    this.commandDuration = new Histogram({
      name: 'digest_command_duration_seconds',
      help: 'From receiving a command to its answer being ready.',
      labelNames: ['platform', 'command'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers,
    });
    this.wordcloudDuration = new Histogram({
      name: 'digest_wordcloud_duration_seconds',
      help: 'Time to draw one word cloud from a report text.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    const build = options.build ?? { version: BOT_VERSION, node: process.version };
    new Gauge({
      name: 'digest_build_info',
      help: 'Always 1; the labels say which version of the bot runs on which Node.js.',
      labelNames: ['version', 'node'],
      registers,
    }).set(build, 1);
    const platformUp = options.platformUp ?? (() => false);
    new Gauge({
      name: 'digest_platform_up',
      help: '1 while the platform has started on this instance and is connected (gateway up, polling or webhook set), else 0; 0 for a platform without a token.',
      labelNames: ['platform'],
      registers,
      collect() {
        for (const platform of PLATFORM_NAMES) this.set({ platform }, platformUp(platform) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'digest_subscriptions',
      help: 'Subscriptions in the database by platform and state.',
      labelNames: ['platform', 'active'],
      registers,
      async collect() {
        let subscriptions: readonly Pick<Subscription, 'platform' | 'active'>[];
        try {
          subscriptions = await options.listSubscriptions();
        } catch {
          return; // the store is down: /readyz says so; keep the last values
        }
        for (const platform of PLATFORM_NAMES) {
          for (const active of [true, false]) {
            this.set({ platform, active: String(active) }, subscriptions.filter((s) => s.platform === platform && s.active === active).length);
          }
        }
      },
    });
    // Series exist from the start (at 0), so rate() and alerts work before the first event.
    for (const platform of PLATFORM_NAMES) {
      for (const outcome of OUTCOMES) this.messages.inc({ platform, outcome }, 0);
      this.rateLimits.inc({ platform }, 0);
      this.retries.inc({ platform }, 0);
      this.ambiguous.inc({ platform }, 0);
    }
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  rateLimited(platform: PlatformName): void {
    this.rateLimits.inc({ platform });
  }

  sendRetried(platform: PlatformName): void {
    this.retries.inc({ platform });
  }

  ambiguousSend(platform: PlatformName): void {
    this.ambiguous.inc({ platform });
  }

  /** `command` is already bounded to the router's command names (or `other`) by timeCommands. */
  commandAnswered(platform: PlatformName, command: string, seconds: number): void {
    this.commandDuration.observe({ platform, command }, seconds);
  }

  wordcloudDrawn(seconds: number): void {
    this.wordcloudDuration.observe(seconds);
  }

  /** This instance took (true) or gave up (false) a platform's fan-out lock. */
  fanoutActive(platform: PlatformName, active: boolean): void {
    this.fanoutActiveGauge.set({ platform }, active ? 1 : 0);
  }

  fanoutFinished(outcome: FanoutOutcome, seconds: number, finishedAt: Date): void {
    for (const r of outcome.results) {
      const platform = r.destination.platform;
      this.messages.inc({ platform, outcome: r.outcome }, r.outcome === 'delivered' ? r.messageIds.length : 1);
    }
    this.fanoutDuration.observe(seconds);
    this.lastFanout.set({ kind: outcome.kind }, finishedAt.getTime() / 1000);
    this.lastFanoutFailed.set(outcome.results.filter((r) => r.outcome === 'failed').length);
  }

  /** The exposition text and its content type, for GET /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

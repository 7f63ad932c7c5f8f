import type { RepostOutcome, RepostRequest, Reposter } from '../commands/types.ts';
import type { DigestBuilder } from '../digest-builder.ts';
import { DigestError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { Destination, PlatformName } from '../platforms/platform.ts';
import type { Report } from '../report/types.ts';
import type { DeliveryKind, Store, Subscription } from '../store/store.ts';
import type { Deliverer, DeliveryReport } from './deliverer.ts';
import { describeDestination } from './notices.ts';

/** The parts of ReportLibrary (src/report/library.ts) delivery reads. */
export interface DeliveryLibrary {
  /** Index entries, newest first. */
  entries(): ReadonlyArray<{ slug: string; dateStart: string; dateEnd: string; file: string; mtimeMs?: number }>;
  /** The newest report that parses, or null. */
  latest(): Promise<Report | null>;
  findByDate(date: string): Promise<Report>;
  load(entry: { slug: string; dateStart: string; dateEnd: string; file: string }): Promise<Report>;
  /** Rescans the folder (so a report added a moment ago is seen); optional. */
  refresh?(): Promise<unknown>;
}

export interface FanoutDeps {
  library: DeliveryLibrary;
  digests: DigestBuilder;
  store: Store;
  deliverer: Deliverer;
  logger?: Logger;
  /** Told of every completed fan-out (the metrics, the status page's recent fan-outs). */
  onFinished?: (report: DeliveryReport, timing: { startedAt: Date; finishedAt: Date }) => void;
}

/** Which subscriptions a delivery goes to. */
export interface AudienceFilter {
  platform?: PlatformName;
  /** One destination by chat id (`--to`); with `platform` when ids could clash. */
  chatId?: string;
  /** Keep only these (the scheduler passes the subscriptions a job covers). */
  where?: (subscription: Subscription) => boolean;
}

/**
 * The one delivery path: the scheduler's ticks, the start-up catch-up, `digest post` and `/repost`
 * all come through here to the same Deliverer and ledger.
 */
export class Fanout implements Reposter {
  private readonly logger: Logger;

  constructor(private readonly deps: FanoutDeps) {
    this.logger = deps.logger ?? silentLogger();
  }

  /** Active subscriptions matching `filter`. */
  audience(filter: AudienceFilter = {}): Subscription[] {
    const subscriptions = this.deps.store.listSubscriptions({ activeOnly: true, ...(filter.platform ? { platform: filter.platform } : {}) });
    return subscriptions.filter((s) => (filter.chatId === undefined || s.chatId === filter.chatId) && (filter.where?.(s) ?? true));
  }

  /** The newest report (rescanning the folder first), or null when there is none. */
  async newestReport(): Promise<Report | null> {
    if (this.deps.library.refresh) {
      try {
        await this.deps.library.refresh();
      } catch (error) {
        // A vanished folder must not stop a due post of what is already indexed; it is logged.
        this.logger.warn({ err: error }, 'content folder rescan failed; using the last index');
      }
    }
    return this.deps.library.latest();
  }

  /** Delivers the newest report to the active subscriptions matching `filter` that have not had it. */
  async deliverNewest(filter: AudienceFilter = {}): Promise<DeliveryReport | null> {
    const report = await this.newestReport();
    if (report === null) {
      this.logger.warn('no report to deliver: the content folder has none that parses');
      return null;
    }
    return this.deliverReport(report, this.audience(filter), { kind: 'scheduled', requestedBy: null });
  }

  /** Delivers `report` (with an optional note) to `destinations` through the ledger. */
  async deliverReport(
    report: Report,
    destinations: readonly Destination[],
    options: { kind: DeliveryKind; requestedBy: string | null; note?: string | null },
  ): Promise<DeliveryReport> {
    // The scheduler waits for the word cloud: a daily post goes out with its image.
    const startedAt = new Date();
    const digest = await this.deps.digests.forReport(report, { note: options.note ?? null, waitForImage: true });
    const outcome = await this.deps.deliverer.deliver({
      slug: report.slug,
      digest,
      destinations: destinations.map(({ platform, chatId, threadId }) => ({ platform, chatId, threadId })),
      kind: options.kind,
      requestedBy: options.requestedBy,
    });
    this.deps.onFinished?.(outcome, { startedAt, finishedAt: new Date() });
    return outcome;
  }

  /** The report with this slug. */
  async reportBySlug(slug: string): Promise<Report> {
    const entry = this.deps.library.entries().find((e) => e.slug === slug);
    if (!entry) throw new DigestError(`no report ${slug} in the content folder`);
    return this.deps.library.load(entry);
  }

  /** `/repost`: posts the report again, recorded as a repost with who asked. */
  async repost(request: RepostRequest): Promise<RepostOutcome> {
    const report = await this.reportBySlug(request.slug);
    const destinations = request.target === 'all-subscriptions' ? this.audience() : [request.target];
    const outcome = await this.deliverReport(report, destinations, { kind: 'repost', requestedBy: request.requestedBy });
    const counts = Object.values(outcome.byPlatform);
    const sum = (pick: (c: (typeof counts)[number]) => number): number => counts.reduce((n, c) => n + pick(c), 0);
    return {
      delivered: sum((c) => c.delivered),
      failed: sum((c) => c.failed),
      deactivated: sum((c) => c.deactivated),
      errors: outcome.results
        .filter((r) => r.outcome === 'failed' || r.outcome === 'deactivated')
        .map((r) => `${describeDestination(r.deliveredTo)}: ${r.reason ?? r.outcome}`),
    };
  }
}

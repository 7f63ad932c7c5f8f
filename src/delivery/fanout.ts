import type { RepostOutcome, RepostRequest, Reposter } from '../commands/types.ts';
import type { DigestBuilder } from '../digest-builder.ts';
import { stat } from 'node:fs/promises';
import { DigestError, ReportHeldError, ReportParseError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { Destination, PlatformName } from '../words.ts';
import { describeIncomplete, incompleteness } from '../report/completeness.ts';
import type { Report } from '../report/types.ts';
import type { DeliveryKind, Store, Subscription, SubscriptionOptions } from '../store/store.ts';
import type { Deliverer, DeliveryReport } from './deliverer.ts';
import { presentationsFor } from './presentation.ts';
import { describeDestination } from './notices.ts';
import { waitUntilSettled } from './report-settle.ts';
import { isEditedAfterDelivery } from './edited-after-delivery.ts';
import { staleAge, type AgeLimit } from './report-age.ts';

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
  /** A report file goes out only once unchanged this long (config delivery.reportSettleMs); 0 = off. */
  settleMs?: number;
  /** Clock and sleep for the settle wait (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every completed fan-out (the metrics, the status page's recent fan-outs). */
  onFinished?: (report: DeliveryReport, timing: { startedAt: Date; finishedAt: Date }) => void;
  /**
   * Due times (the schedule, the catch-up) send no report older than this (config
   * `delivery.maxReportAgeDays`, in `timezone`); unset = no limit. `digest post` and `/repost` are not limited.
   */
  ageLimit?: AgeLimit;
}

/** How a fan-out treats the report it is given. */
export interface DeliverOptions {
  kind: DeliveryKind;
  requestedBy: string | null;
  note?: string | null;
  /** Send an incomplete report as it is (`digest post DATE --force`); otherwise it is held. */
  force?: boolean;
}

/** How long the point count of a report read earlier is remembered to catch one that shrinks. */
const POINTS_MEMORY_MS = 10 * 60_000;

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
  /** The most points each report had when read recently: a report that loses points is not sent. */
  private readonly pointsSeen = new Map<string, { points: number; at: number }>();
  /** Reports already logged as held or too old (slug and content hash): each is said once. */
  private readonly said = new Set<string>();

  constructor(private readonly deps: FanoutDeps) {
    this.logger = deps.logger ?? silentLogger();
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Active subscriptions matching `filter`. */
  async audience(filter: AudienceFilter = {}): Promise<Subscription[]> {
    const subscriptions = await this.deps.store.listSubscriptions({ activeOnly: true, ...(filter.platform ? { platform: filter.platform } : {}) });
    return subscriptions.filter((s) => (filter.chatId === undefined || s.chatId === filter.chatId) && (filter.where?.(s) ?? true));
  }

  /**
   * The newest report (rescanning the folder first), or null when there is none. When the newest
   * file does not parse, it throws instead of quietly picking an older report: the newest may be a
   * file still being written, or broken, and either way someone must look (the scheduler retries).
   */
  async newestReport(): Promise<Report | null> {
    if (this.deps.library.refresh) {
      try {
        await this.deps.library.refresh();
      } catch (error) {
        // A vanished folder must not stop a due post of what is already indexed; it is logged.
        this.logger.warn({ err: error }, 'content folder rescan failed; using the last index');
      }
    }
    const entry = this.deps.library.entries()[0];
    if (!entry) return null;
    await this.settle(entry.file);
    try {
      return await this.deps.library.load(entry);
    } catch (error) {
      if (!(error instanceof ReportParseError)) throw error;
      this.logger.error(
        { event: 'report.newest_unreadable', file: entry.file, reason: error.reason },
        'the newest report does not parse; not delivering an older one in its place',
      );
      throw new DigestError(
        `the newest report ${entry.file} does not parse (${error.reason}); nothing delivered rather than an older report: fix or remove it`,
        { cause: error },
      );
    }
  }

  private settle(file: string): Promise<boolean> {
    const settleMs = this.deps.settleMs ?? 0;
    return waitUntilSettled(file, {
      settleMs,
      maxWaitMs: Math.max(60_000, settleMs * 20),
      now: () => this.now(),
      sleep: this.deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    });
  }

  /**
   * The report as it is now, once its file has settled; refused when it has fewer points than a
   * read of it a moment ago (a file being rewritten in place, cut short).
   */
  private async settled(report: Report): Promise<Report> {
    let current = report;
    if (await this.settle(report.file)) {
      this.rememberPoints(report);
      const entry = this.deps.library.entries().find((e) => e.slug === report.slug);
      if (entry) current = await this.deps.library.load(entry);
    }
    const seen = this.pointsSeen.get(current.slug);
    if (seen && this.now() - seen.at <= POINTS_MEMORY_MS && current.points.length < seen.points) {
      this.logger.error(
        { event: 'report.lost_points', slug: current.slug, points: current.points.length, before: seen.points },
        'report has fewer points than a moment ago; not delivered',
      );
      throw new DigestError(
        `report ${current.slug} has ${current.points.length} points, ${seen.points} a moment ago: it is probably being rewritten; not delivered (write reports atomically: a temp file, then rename)`,
      );
    }
    this.rememberPoints(current);
    return current;
  }

  private rememberPoints(report: Report): void {
    const seen = this.pointsSeen.get(report.slug);
    const fresh = seen && this.now() - seen.at <= POINTS_MEMORY_MS;
    this.pointsSeen.set(report.slug, { points: fresh ? Math.max(seen.points, report.points.length) : report.points.length, at: this.now() });
  }

  /**
   * Delivers the newest report to the active subscriptions matching `filter` that have not had it
   * (a due time). A report older than the age limit goes nowhere (said once in the log): null.
   */
  async deliverNewest(filter: AudienceFilter = {}): Promise<DeliveryReport | null> {
    const report = await this.newestReport();
    if (report === null) {
      this.logger.warn('no report to deliver: the content folder has none that parses');
      return null;
    }
    const audience = await this.audience(filter);
    if (this.tooOld(report, new Date(this.now()), audience.length)) return null;
    return this.deliverReport(report, audience, { kind: 'scheduled', requestedBy: null });
  }

  /**
   * Whether `report` is too old to go out on its own at `due` (config `delivery.maxReportAgeDays`).
   * The first time a report is found too old, the log says so once, with how to send it anyway;
   * `destinations` (how many it would have gone to) goes in that line.
   */
  tooOld(report: Report, due: Date, destinations: number): boolean {
    const limit = this.deps.ageLimit;
    const age = limit ? staleAge(report, due, limit) : null;
    if (age === null || !limit) return false;
    this.sayOnce(`stale|${report.slug}`, () =>
      this.logger.warn(
        { event: 'report.too_old', slug: report.slug, dateEnd: report.dateEnd, ageDays: age, maxReportAgeDays: limit.maxReportAgeDays, destinations },
        `nothing sent: the newest report (${report.dateEnd}) is ${age} days old, more than delivery.maxReportAgeDays (${limit.maxReportAgeDays}); \`digest post ${report.dateStart}\` sends it anyway`,
      ),
    );
    return true;
  }

  private sayOnce(key: string, say: () => void): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    say();
  }

  /**
   * Refuses an incomplete report (fewer core points than its heading announces), unless forced:
   * logged once per version of the file, and thrown as ReportHeldError so the caller waits for
   * the rest (the scheduler tries again when the file changes).
   */
  private holdIfIncomplete(report: Report, force: boolean): void {
    const missing = incompleteness(report);
    if (missing === null) return;
    const reason = describeIncomplete(missing);
    if (force) {
      this.logger.warn({ event: 'report.forced_incomplete', slug: report.slug, points: missing.points, expected: missing.expected }, `sending an incomplete report as asked (--force): ${reason}`);
      return;
    }
    this.sayOnce(`held|${report.slug}|${report.contentHash}`, () =>
      this.logger.warn(
        { event: 'report.held', slug: report.slug, file: report.file, points: missing.points, expected: missing.expected },
        `report held, not delivered: ${reason}; it goes out once complete (digest post ${report.dateStart} --force sends it as it is)`,
      ),
    );
    throw new ReportHeldError(report.slug, report.dateStart, missing.points, missing.expected);
  }

  /** Delivers `report` (with an optional note) to `destinations` through the ledger. */
  async deliverReport(
    report: Report,
    destinations: readonly (Destination & { options?: SubscriptionOptions })[],
    options: DeliverOptions,
  ): Promise<DeliveryReport> {
    const current = await this.settled(report);
    this.holdIfIncomplete(current, options.force === true);
    // The scheduler waits for the word cloud: a daily post goes out with its image.
    const startedAt = new Date();
    const digest = await this.deps.digests.forReport(current, { note: options.note ?? null, waitForImage: true });
    // Each subscription's options (role, silence, word cloud, language) go with its destination.
    const presentations = await presentationsFor(destinations, this.deps.store);
    const outcome = await this.deps.deliverer.deliver({
      slug: current.slug,
      digest,
      destinations: destinations.map(({ platform, chatId, threadId }) => ({ platform, chatId, threadId })),
      kind: options.kind,
      requestedBy: options.requestedBy,
      presentation: (destination) => presentations.get(describeDestination(destination)),
    });
    await this.warnIfEditedAfterDelivery(current, outcome);
    this.deps.onFinished?.(outcome, { startedAt, finishedAt: new Date() });
    return outcome;
  }

  /**
   * A report edited after it was delivered is not sent again by itself (a second post of the same
   * day would be a repeat to readers; most edits are small fixes), while `/report` shows the edit.
   * So it is said loudly: logged here, and by `digest check`; `digest post DATE --repost` sends it.
   */
  private async warnIfEditedAfterDelivery(report: Report, outcome: DeliveryReport): Promise<void> {
    const skipped = outcome.results.filter((r) => r.outcome === 'skipped' && r.reason === 'already delivered');
    if (skipped.length === 0) return;
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(report.file)).mtimeMs;
    } catch {
      return;
    }
    const stale: typeof skipped = [];
    for (const r of skipped) {
      const row = await this.deps.store.getDelivery(report.slug, r.destination, outcome.kind);
      if (row !== null && isEditedAfterDelivery(row, report, mtimeMs)) stale.push(r);
    }
    if (stale.length === 0) return;
    this.logger.warn(
      { event: 'report.edited_after_delivery', slug: report.slug, file: report.file, destinations: stale.length },
      `report changed after it was delivered; readers have the earlier version (send it again with: digest post ${report.dateStart} --repost)`,
    );
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
    const destinations = request.target === 'all-subscriptions' ? await this.audience() : [request.target];
    return repostOutcomeOf(await this.deliverReport(report, destinations, { kind: 'repost', requestedBy: request.requestedBy }));
  }
}

/** What `/repost` answers about a fan-out: counts over both platforms and one line per failure. */
export function repostOutcomeOf(outcome: DeliveryReport): RepostOutcome {
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

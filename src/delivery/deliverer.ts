import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { silentLogger, type Logger } from '../log.ts';
import { SendError, type DigestPresentation, type Destination, type Platform, type PlatformName, type SendResult, type SentPart } from '../platforms/platform.ts';
import type { Digest } from '../report/digest-types.ts';
import type { ServiceHealth } from '../service-health.ts';
import type { Delivery, DeliveryKind, Store } from '../store/store.ts';
import { backoffDelayMs, type BackoffPolicy } from './backoff.ts';
import { LockStorageError, NO_LOCK, type FanoutLock } from './fanout-lock.ts';
import { LedgerWrites, type LedgerRetryPolicy } from './ledger-writes.ts';
import { describeDestination, type OwnerEvent } from './notices.ts';
import type { OwnerNotifier } from './owner-notifier.ts';
import type { OutcomeJournal } from './outcome-journal.ts';
import { runPool } from '../run-pool.ts';
import { UnrecordedSends, type UnrecordedSlot } from './unrecorded-sends.ts';

/** One report to many destinations, of one kind. */
export interface DeliveryRequest {
  slug: string;
  digest: Digest;
  destinations: readonly Destination[];
  kind: DeliveryKind;
  /** Who asked (`discord:<id>`, `telegram:<id>`, `cli`); null for the scheduler. */
  requestedBy?: string | null;
  /**
   * Each destination's presentation (its subscription's options), looked up by the destination
   * as asked (a supergroup move keeps it); undefined = the platform's default presentation.
   */
  presentation?: (destination: Destination) => DigestPresentation | undefined;
}

export type DestinationOutcome = 'delivered' | 'skipped' | 'deactivated' | 'failed';

/** What happened at one destination. */
export interface DestinationResult {
  /** The destination as asked. */
  destination: Destination;
  /** Where it ended up (differs after a Telegram supergroup migration). */
  deliveredTo: Destination;
  outcome: DestinationOutcome;
  migrated: boolean;
  messageIds: string[];
  imageDropped: boolean;
  /** Why it was skipped, deactivated or failed; null when delivered. */
  reason: string | null;
  /**
   * Telegram requests whose answer was lost (the request may have reached Telegram) and that were
   * sent again: each may have posted a message twice. Telegram has no idempotency key.
   */
  ambiguousSends: number;
  /**
   * Set when the ledger could not record this destination: delivered but the `delivered` mark is
   * held in memory, or not sent because the ledger could not record a send. Null otherwise.
   */
  ledgerProblem: string | null;
}

export interface PlatformCounts {
  delivered: number;
  skipped: number;
  deactivated: number;
  failed: number;
  /** Destinations that moved to a new chat id on the way (also counted in their outcome). */
  migrated: number;
}

export interface DeliveryReport {
  slug: string;
  kind: DeliveryKind;
  byPlatform: Record<PlatformName, PlatformCounts>;
  /** One per distinct destination asked, in the order asked. */
  results: DestinationResult[];
}

export interface DelivererDeps {
  store: Store;
  /** The platforms that can send now; a destination on another platform fails with a reason. */
  platforms: Partial<Record<PlatformName, Platform>>;
  policy: BackoffPolicy;
  notifier?: OwnerNotifier;
  logger?: Logger;
  /** Cross-process fan-out lock, one per platform (ScopedFileFanoutLock beside the database); none by default. */
  lock?: FanoutLock;
  /**
   * Sends in flight per platform. The adapters pace individual calls to the platform's limits;
   * this only has to be wide enough for them to reach the ceiling, and it keeps one slow
   * destination from holding up the others.
   */
  concurrency?: Partial<Record<PlatformName, number>>;
  /** 429 waits per destination before giving up until the next due time. */
  maxRateLimitWaits?: number;
  /** A single `retry_after` longer than this (Telegram flood waits run to hours) fails the send instead. */
  maxRateLimitWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Readiness: the `store` component goes not ready while the ledger cannot record. */
  health?: ServiceHealth;
  /** How a refused `delivered` mark is written again (LedgerWrites). */
  ledgerRetry?: Partial<LedgerRetryPolicy>;
  /**
   * Checked before each fan-out: why the database must not be used (its file was deleted or
   * replaced under the running process), or null. A problem means nothing is sent.
   */
  storeCheck?: () => string | null;
  /** Told as each destination finishes (progress display); never changes what is sent. */
  onResult?: (result: DestinationResult) => void;
  /**
   * Per platform, sends out whose outcome the ledger has not recorded yet (config
   * `delivery.maxUnrecordedSends`): what a database that stops answering, then a restart, can
   * repeat at most. Default 2.
   */
  maxUnrecordedSends?: number;
  /** A bound of its own for some platforms (Discord, paid broadcast's Telegram: createDelivery); the others keep `maxUnrecordedSends`. */
  unrecordedSendsByPlatform?: Partial<Record<PlatformName, number>>;
  /** Where outcomes the ledger still refuses at a stop are kept for the next start (LedgerWrites). */
  journal?: OutcomeJournal | null;
}

/** Sends of a platform allowed out unrecorded unless configured (`delivery.maxUnrecordedSends`). */
export const DEFAULT_MAX_UNRECORDED_SENDS = 2;

const DEFAULT_CONCURRENCY = 64;
/**
 * How far apart a fan-out's lanes open (64 per platform over about a third of a second). Each lane
 * claims, reads and renders before its first send reaches the pacer, and opened a turn of the loop
 * apart they did all that within the fan-out's first ~100 ms, for sends the pacers then hold for
 * a second or two (50 a second on Discord, 30 on Telegram): a reader's /report asked at that
 * moment took 60–80 ms against 8 idle. Spread, the same work costs the loop a little at a time.
 */
const FANOUT_LANE_OPENING_MS = 5;
/**
 * The longest the spread opening may take. A pool so wide that 5 ms apart would take longer
 * (paid broadcast's 1,200 lanes, for 1,000 sends a second) opens a turn of the loop apart as
 * before: spreading it over 6 s would hold back its own rate.
 */
const FANOUT_LANE_OPENING_SPAN_MS = 320;

/** The gap between two lanes' openings for a pool `width` wide (0: a turn of the event loop). */
function laneOpeningGapMs(width: number): number {
  return width * FANOUT_LANE_OPENING_MS <= FANOUT_LANE_OPENING_SPAN_MS ? FANOUT_LANE_OPENING_MS : 0;
}

function emptyCounts(): PlatformCounts {
  return { delivered: 0, skipped: 0, deactivated: 0, failed: 0, migrated: 0 };
}

function destinationKey(d: Destination): string {
  return describeDestination(d);
}

function toSendError(error: unknown, destination: Destination): SendError {
  if (error instanceof SendError) return error;
  // Anything an adapter did not classify (a network stack error, a timeout) is treated as
  // transient: retrying a bug a few times costs little, dropping a post for a blip costs a day.
  return new SendError('transient', destination, error instanceof Error ? error.message : String(error), { cause: error });
}

function describeSendError(error: SendError): string {
  const code = error.details.platformCode !== undefined ? `${error.details.platformCode} ` : '';
  return `${error.kind}: ${code}${error.message}`;
}

/**
 * Sends one digest to many destinations exactly once each, through the delivery ledger.
 *
 * Per destination: claim the ledger row (skip what was delivered; resume a `sending` row left by a
 * crash with the same idempotency key, so Discord's nonce drops the duplicate), record each
 * attempt, send, then mark delivered / failed / deactivated. 429 → wait `retry_after`; transient
 * → exponential backoff with full jitter up to `maxAttempts`; gone → deactivate the subscription
 * and tell the owners; migrated → move the subscription and send there; rejected → failed, owners
 * told. Destinations run in a bounded pool per platform, both platforms at once.
 *
 * Each part of a digest (a Telegram photo or text chunk, a Discord message) is recorded in the
 * ledger with its message id as soon as the platform accepts it; a row resumed after a crash, or
 * retried after a part-way failure, starts at its first unrecorded part, so a crash repeats at
 * most the parts in flight at that moment. `stop()` starts no new destination, part or retry;
 * rows left unfinished stay `sending` with their recorded parts, to be resumed at the next start.
 */
export class Deliverer {
  private readonly inFlight = new Map<string, Promise<DestinationResult>>();
  /** Consecutive failed fan-outs per destination in this process (the ledger covers restarts). */
  private readonly failureStreak = new Map<string, number>();
  private readonly logger: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Every ledger write after a claim goes through here, so a refused write never causes a resend. */
  readonly ledger: LedgerWrites;
  /** Aborted by stop(): no new destination, part, retry or wait starts after it. */
  private readonly stopping = new AbortController();
  private readonly stopped: Promise<void>;
  /** A send starts only while fewer than the bound of its platform's sends are unrecorded. */
  readonly unrecorded: UnrecordedSends;

  constructor(private readonly deps: DelivererDeps) {
    this.unrecorded = new UnrecordedSends(deps.maxUnrecordedSends ?? DEFAULT_MAX_UNRECORDED_SENDS, deps.unrecordedSendsByPlatform);
    this.logger = deps.logger ?? silentLogger();
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = deps.random ?? Math.random;
    this.ledger = new LedgerWrites({
      store: deps.store,
      logger: this.logger,
      sleep: this.sleep,
      ...(deps.health ? { health: deps.health } : {}),
      ...(deps.ledgerRetry ? { policy: deps.ledgerRetry } : {}),
      alert: (text) => void deps.notifier?.alert?.(text),
      journal: deps.journal ?? null,
    });
    // Every send waiting for its turn listens (up to the pool width per platform): not a leak.
    setMaxListeners(0, this.stopping.signal);
    this.stopped = new Promise((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /**
   * Stops starting sends: destinations not begun are left alone, a digest part-way stops before
   * its next part, waits for a retry end now. Sends in flight finish on their own (their parts
   * are recorded as they are accepted); every unfinished row stays `sending`, resumable.
   */
  stop(): void {
    if (this.stopping.signal.aborted) return;
    this.logger.info({ event: 'delivery.stopping', inFlight: this.inFlight.size }, 'delivery stopping: no new sends');
    this.stopping.abort();
  }

  /** Whether stop() was called. */
  get isStopping(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Waits `ms`, or less when stop() is called meanwhile. */
  private pause(ms: number): Promise<void> {
    return Promise.race([this.sleep(ms), this.stopped]);
  }

  /** Delivers `request.digest` to every destination; never throws for a destination's failure. */
  async deliver(request: DeliveryRequest): Promise<DeliveryReport> {
    const unique = new Map<string, Destination>();
    for (const d of request.destinations) unique.set(destinationKey(d), d);
    const destinations = [...unique.values()];
    const events: OwnerEvent[] = [];
    const runId = randomUUID().slice(0, 8);
    const storeProblem = this.deps.storeCheck?.() ?? null;
    if (storeProblem !== null) {
      this.logger.error({ event: 'store.unusable', slug: request.slug, reason: storeProblem }, 'fan-out refused: the database cannot be trusted');
      this.ledger.markUnavailable(storeProblem);
      const refused = destinations.map((d) => ({ ...result(d, d, 'failed', `not sent: ${storeProblem}`), ledgerProblem: storeProblem }));
      return this.finish(request, refused, events);
    }
    // Outcomes held from an earlier fan-out of this process are written first.
    await this.ledger.flush();
    const lock = this.deps.lock ?? NO_LOCK;
    const byPlatform = new Map<PlatformName, Destination[]>();
    // Appended in place: copying the list for each destination held the event loop for a time
    // growing with the square of the audience (seconds at 100,000 subscribers).
    for (const d of destinations) {
      const list = byPlatform.get(d.platform);
      if (list) list.push(d);
      else byPlatform.set(d.platform, [d]);
    }
    const settled = new Map<Destination, DestinationResult>();
    await Promise.all(
      [...byPlatform].map(async ([platform, list]) => {
        // One lock per platform: a platform that stops answering mid-fan-out holds only its own
        // lock, so another process's delivery to the other platform goes ahead meanwhile.
        let release: () => void;
        try {
          release = await lock.acquire(platform);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (error instanceof LockStorageError) {
            // The lock file sits beside the database: failing to create it (a full disk) is a
            // storage fault like a refused ledger write. Nothing is sent; the scheduler tries again.
            this.ledger.markUnavailable(message);
            for (const d of list) settled.set(d, { ...result(d, d, 'failed', `not sent: ${message}`), ledgerProblem: message });
            return;
          }
          // Another process kept this platform's lock past the wait limit: this platform's
          // destinations fail for now (retried at the next due time); the other platform goes on.
          const reason = `not sent: ${message}`;
          this.logger.warn({ platform, slug: request.slug, reason }, 'fan-out lock not acquired');
          for (const d of list) settled.set(d, result(d, d, 'failed', reason));
          return;
        }
        try {
          const width = this.deps.concurrency?.[platform] ?? DEFAULT_CONCURRENCY;
          const out = await runPool(
            list,
            width,
            (d) => this.deliverOnceGuarded(request, d, events, runId).then((r) => (this.deps.onResult?.(r), r)),
            { openEveryMs: laneOpeningGapMs(width) },
          );
          list.forEach((d, i) => settled.set(d, out[i] as DestinationResult));
        } finally {
          release();
        }
      }),
    );
    const results = destinations.map((d) => settled.get(d) as DestinationResult);
    return this.finish(request, results, events);
  }

  /** Tells the owners, counts the outcomes and logs the fan-out. */
  private async finish(request: DeliveryRequest, results: DestinationResult[], events: OwnerEvent[]): Promise<DeliveryReport> {
    if (events.length > 0 && this.deps.notifier) await this.deps.notifier.notify(events, request.slug);
    const report: DeliveryReport = {
      slug: request.slug,
      kind: request.kind,
      byPlatform: { discord: emptyCounts(), telegram: emptyCounts() },
      results,
    };
    for (const r of results) {
      const counts = report.byPlatform[r.destination.platform];
      counts[r.outcome]++;
      if (r.migrated) counts.migrated++;
    }
    const ambiguous = results.reduce((n, r) => n + r.ambiguousSends, 0);
    const unrecorded = results.filter((r) => r.ledgerProblem !== null).length;
    this.logger.info(
      { slug: request.slug, kind: request.kind, ...report.byPlatform, ...(ambiguous > 0 ? { ambiguous } : {}), ...(unrecorded > 0 ? { ledgerProblems: unrecorded } : {}) },
      'fan-out finished',
    );
    return report;
  }

  /** One destination, deduplicated within the process, never throwing. */
  private deliverOnceGuarded(
    request: DeliveryRequest,
    destination: Destination,
    events: OwnerEvent[],
    runId: string,
  ): Promise<DestinationResult> {
    const key = `${request.slug}|${request.kind}|${destinationKey(destination)}`;
    if (this.isStopping) return Promise.resolve(result(destination, destination, 'failed', STOPPED_REASON));
    const running = this.inFlight.get(key);
    if (running) {
      // The same row is being sent by a concurrent fan-out of this process: wait for it, then
      // report it as skipped here, so it is never sent twice and never counted twice.
      return running.then((r) => ({ ...r, outcome: 'skipped', reason: 'sent by a concurrent fan-out', messageIds: [] }));
    }
    const work = this.deliverOne(request, destination, events, runId)
      .catch((error: unknown): DestinationResult => {
        // Only the store can get here (a send failure is handled inside): report, don't crash the fan-out.
        this.logger.error({ err: error, destination: destinationKey(destination), slug: request.slug }, 'delivery failed unexpectedly');
        return result(destination, destination, 'failed', `internal error: ${(error as Error).message}`);
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async deliverOne(
    request: DeliveryRequest,
    destination: Destination,
    events: OwnerEvent[],
    runId: string,
  ): Promise<DestinationResult> {
    const { store } = this.deps;
    const { slug, kind } = request;
    const requestedBy = request.requestedBy ?? null;
    const platform = this.deps.platforms[destination.platform];
    if (!platform) return result(destination, destination, 'failed', `${destination.platform} is not configured (no token)`);

    if (kind === 'scheduled' && (await store.getDelivery(slug, destination, 'repost'))?.status === 'delivered') {
      return result(destination, destination, 'skipped', 'already delivered (reposted)');
    }
    if (this.ledger.isHeldFor(slug, kind, destination)) {
      // Delivered earlier by this process; only its ledger mark is pending. Never send it again.
      const pending = (await this.ledger.flush()) ? null : this.ledger.unavailable;
      return { ...result(destination, destination, 'skipped', 'already delivered (ledger mark was pending)'), ledgerProblem: pending };
    }
    let claim: Awaited<ReturnType<Store['claimDelivery']>>;
    try {
      claim = await this.ledger.write('cannot claim delivery', () => store.claimDelivery({ slug, destination, kind, requestedBy }));
    } catch (error) {
      return this.notSent(destination, error);
    }
    let row: Delivery = claim.delivery;
    const previousStatus = claim.created ? null : row.status;
    if (!claim.created) {
      const decision = await this.decideExisting(row, destination, kind);
      if (decision !== 'send') return result(destination, destination, 'skipped', decision);
      // A `sending` row is left by a process that died mid-send (the fan-out lock rules out a live
      // one): resend as is. Anything else starts a new run of the row.
      if (row.status !== 'sending') {
        // A failed row is tried again from where it stopped; a delivered or deactivated one
        // starts a fresh set of parts.
        try {
          await this.ledger.write('cannot restart delivery', () =>
            store.restartDelivery(row.id, kind === 'repost' ? requestedBy : row.requestedBy, { keepParts: row.status === 'failed' }),
          );
        } catch (error) {
          return this.notSent(destination, error);
        }
        row = { ...row, status: 'sending' };
      }
    }
    // Scheduled: the same key every time, so a resend after a crash is dropped by Discord's nonce.
    // Repost: a new key per request, since each request asks for a new post.
    const idempotencyKey =
      kind === 'scheduled'
        ? `${slug}:scheduled:${destinationKey(destination)}`
        : `${slug}:repost:${destinationKey(destination)}:${runId}`;
    const presentation = request.presentation?.(destination);
    return this.sendWithRetries(row, platform, destination, request.digest, idempotencyKey, previousStatus, events, presentation);
  }

  /** A ledger write whose failure is logged (by LedgerWrites) but does not change the outcome. */
  private async tryWrite(doing: string, fn: () => Promise<void>): Promise<void> {
    try {
      await this.ledger.write(doing, fn);
    } catch {
      // Logged and reflected in readiness by LedgerWrites.
    }
  }

  /** A destination not sent to because the ledger could not record the send. */
  private notSent(destination: Destination, error: unknown): DestinationResult {
    const why = this.ledger.unavailable ?? (error instanceof Error ? error.message : String(error));
    return { ...result(destination, destination, 'failed', `not sent: the ledger cannot record it (${why})`), ledgerProblem: why };
  }

  /** For an existing ledger row: 'send', or why it is skipped. */
  private async decideExisting(row: Delivery, destination: Destination, kind: DeliveryKind): Promise<'send' | string> {
    if (row.status === 'sending' || row.status === 'failed') return 'send';
    if (kind === 'repost') return 'send';
    if (row.status === 'delivered') return 'already delivered';
    // Deactivated for this report: send only if the destination subscribed again since.
    const subscription = await this.deps.store.getSubscription(destination);
    if (subscription?.active && subscription.subscribedAt > row.updatedAt) return 'send';
    return `deactivated earlier (${row.lastError ?? 'no reason recorded'})`;
  }

  private async sendWithRetries(
    row: Delivery,
    platform: Platform,
    destination: Destination,
    digest: Digest,
    idempotencyKey: string,
    previousStatus: Delivery['status'] | null,
    events: OwnerEvent[],
    presentation: DigestPresentation | undefined,
  ): Promise<DestinationResult> {
    const { store, policy } = this.deps;
    const maxRateLimitWaits = this.deps.maxRateLimitWaits ?? 10;
    const maxRateLimitWaitMs = this.deps.maxRateLimitWaitMs ?? 5 * 60_000;
    let target = destination;
    let migrated = false;
    let transientFailures = 0;
    let rateLimitWaits = 0;
    let migrations = 0;
    let ambiguousSends = 0;

    const fail = async (error: SendError, notifyAlways: boolean): Promise<DestinationResult> => {
      const reason = describeSendError(error);
      // A refused mark leaves the row `sending`: resent next time, which is right for a failed send.
      await this.tryWrite('cannot mark failed', () => store.markFailed(row.id, reason));
      const streakKey = destinationKey(destination);
      const streak = (this.failureStreak.get(streakKey) ?? 0) + 1;
      this.failureStreak.set(streakKey, streak);
      const repeated = previousStatus === 'failed' || streak >= 2;
      if (notifyAlways || repeated) events.push({ kind: 'failed', destination: target, slug: row.slug, reason, repeated });
      this.logger.warn({ destination: destinationKey(target), slug: row.slug, reason, repeated }, 'delivery failed');
      return { ...result(destination, target, 'failed', reason), migrated, ambiguousSends };
    };

    // The parts accepted so far: the ledger's (a crash-left row) plus those of this process's
    // attempts, kept here too so a retry never repeats a part whose ledger write failed.
    const accepted = new Map<number, SentPart>(
      (await store.listDeliveryParts(row.id)).map(({ index, messageId, plan }) => [index, { index, messageId, plan }]),
    );
    // The slot this destination's request in flight holds among its platform's unrecorded sends:
    // taken right before a request leaves (after the chat's own pacing), given back once the part
    // it posted is recorded (or held with it), or when the request failed.
    let slot: UnrecordedSlot | null = null;
    const beforeSend = async (): Promise<void> => {
      slot ??= await this.unrecorded.acquire(platform.name, this.stopping.signal);
    };
    const giveBackSlot = (): void => {
      slot?.release();
      slot = null;
    };
    // Awaited by the platform adapter before it sends the next part: a part is recorded (or held,
    // keeping its slot) before the next one goes out.
    const onPartAccepted = async (part: SentPart): Promise<void> => {
      accepted.set(part.index, part);
      const taken = slot;
      slot = null;
      await this.ledger.recordPart(row, target, part, taken);
    };
    const stoppedHere = (): DestinationResult => {
      this.logger.info(
        { event: 'delivery.left-sending', destination: destinationKey(target), slug: row.slug, partsSent: accepted.size },
        'left unfinished for the next start',
      );
      return { ...result(destination, target, 'failed', STOPPED_REASON), migrated };
    };

    for (;;) {
      if (this.isStopping) return stoppedHere();
      // Never start a send whose outcome the ledger could not record: write held outcomes first.
      if (!(await this.ledger.flush())) return { ...this.notSent(destination, null), migrated, ambiguousSends };
      try {
        await this.ledger.write('cannot record attempt', () => store.recordAttempt(row.id));
      } catch (error) {
        return { ...this.notSent(destination, error), migrated, ambiguousSends };
      }
      let sent: SendResult;
      try {
        sent = await platform.sendDigest(target, digest, idempotencyKey, {
          sentParts: [...accepted.values()],
          onPartAccepted,
          beforeSend,
          signal: this.stopping.signal,
          ...(presentation ? { presentation } : {}),
        });
        giveBackSlot();
      } catch (caught) {
        giveBackSlot();
        // Stopping: whatever the failure, the row stays `sending` with its parts, for the next start.
        if (this.isStopping) return stoppedHere();
        const error = toSendError(caught, target);
        ambiguousSends += error.details.ambiguousSends ?? 0;
        switch (error.kind) {
          case 'rate-limited': {
            const wait = error.details.retryAfterMs ?? policy.backoffBaseMs;
            if (rateLimitWaits >= maxRateLimitWaits || wait > maxRateLimitWaitMs) return fail(error, false);
            rateLimitWaits++;
            this.logger.debug({ destination: destinationKey(target), waitMs: wait }, 'rate limited; waiting');
            await this.pause(wait);
            continue;
          }
          case 'transient': {
            transientFailures++;
            if (transientFailures >= policy.maxAttempts) return fail(error, false);
            await this.pause(backoffDelayMs(transientFailures, policy, this.random));
            continue;
          }
          case 'gone': {
            const reason = describeSendError(error);
            await this.tryWrite('cannot deactivate', async () => {
              await store.deactivate(target, reason);
              await store.markDeactivated(row.id, reason);
            });
            this.failureStreak.delete(destinationKey(destination));
            events.push({ kind: 'deactivated', destination: target, reason });
            this.logger.warn({ destination: destinationKey(target), reason }, 'destination gone; subscription deactivated');
            return { ...result(destination, target, 'deactivated', reason), migrated, ambiguousSends };
          }
          case 'migrated': {
            const toChatId = error.details.migrateToChatId;
            if (!toChatId || migrations >= 2) return fail(error, true);
            migrations++;
            // Moves the subscription and this report's ledger row with it, then sends there.
            await this.ledger.write('cannot move subscription', () => store.moveSubscription(target, toChatId));
            this.logger.info({ from: destinationKey(target), toChatId }, 'chat migrated; subscription moved');
            target = { ...target, chatId: toChatId };
            migrated = true;
            continue;
          }
          case 'rejected':
            return fail(error, true);
        }
      }
      ambiguousSends += sent.ambiguousSends ?? 0;
      if (ambiguousSends > 0) {
        this.logger.warn(
          { event: 'delivery.ambiguous_destination', destination: destinationKey(target), slug: row.slug, ambiguousSends },
          'a request whose answer was lost was sent again: the destination may show a message twice',
        );
      }
      // The platform accepted it: from here on it must never be sent again, whatever the database says.
      const ledgerProblem = await this.ledger.recordDelivered(row, destination, sent.messageIds, digest.contentHash ?? null);
      this.failureStreak.delete(destinationKey(destination));
      return {
        destination,
        deliveredTo: target,
        outcome: 'delivered',
        migrated,
        messageIds: sent.messageIds,
        imageDropped: sent.imageDropped,
        reason: null,
        ambiguousSends,
        ledgerProblem,
      };
    }
  }
}

/** Why a destination was left for the next start when the Deliverer stopped. */
export const STOPPED_REASON = 'stopped: the bot is shutting down; the delivery resumes at the next start';

function result(destination: Destination, deliveredTo: Destination, outcome: DestinationOutcome, reason: string | null): DestinationResult {
  return { destination, deliveredTo, outcome, migrated: false, messageIds: [], imageDropped: false, reason, ambiguousSends: 0, ledgerProblem: null };
}

import { silentLogger, type Logger } from '../log.ts';
import type { Destination, SentPart } from '../words.ts';
import type { ServiceHealth } from '../service-health.ts';
import type { Delivery, DeliveryKind, Store } from '../store/store.ts';
import { describeDestination } from './notices.ts';
import type { JournalEntry, OutcomeJournal } from './outcome-journal.ts';
import type { UnrecordedSlot } from './unrecorded-sends.ts';

/** How a delivered outcome the ledger refused is written again. */
export interface LedgerRetryPolicy {
  /** Writes of one outcome before it is held for later (the first included). */
  attempts: number;
  /** Wait before the second write; doubles each time. */
  delayMs: number;
  /** While outcomes are held, they are written again this often in the background. */
  flushEveryMs: number;
}

export const DEFAULT_LEDGER_RETRY: LedgerRetryPolicy = { attempts: 4, delayMs: 500, flushEveryMs: 15_000 };

/** A row's `delivered` mark. */
interface HeldDelivered {
  type: 'delivered';
  rowId: number;
  slug: string;
  kind: DeliveryKind;
  /** As the fan-out asked for it (before any supergroup migration). */
  destination: Destination;
  messageIds: string[];
  /** The report version delivered (sha256), or null when unknown. */
  contentHash: string | null;
}

/** One accepted part of a digest, with the unrecorded-send slot it keeps taken until written. */
interface HeldPart {
  type: 'part';
  rowId: number;
  slug: string;
  destination: Destination;
  part: SentPart;
  slot: UnrecordedSlot | null;
}

type HeldOutcome = HeldDelivered | HeldPart;

function heldKey(outcome: Pick<HeldOutcome, 'type' | 'rowId'> & { part?: SentPart }): string {
  return outcome.type === 'part' ? `part:${outcome.rowId}:${outcome.part?.index ?? 0}` : `delivered:${outcome.rowId}`;
}

function journalEntryOf(outcome: HeldOutcome): JournalEntry {
  return outcome.type === 'part'
    ? { type: 'part', deliveryId: outcome.rowId, part: outcome.part }
    : { type: 'delivered', deliveryId: outcome.rowId, messageIds: outcome.messageIds, contentHash: outcome.contentHash };
}

/** The ServiceHealth component a ledger that cannot record sets to not ready. */
export const STORE_COMPONENT = 'store';

/**
 * The delivery ledger's writes, made safe against a database that refuses them (disk full,
 * read-only, file gone). A message the platform accepted must never be sent again because its
 * `delivered` mark failed to save, so such an outcome is *held* in memory, written again with
 * backoff and in the background, and reported at error level. While any outcome is held (or the
 * last ledger write failed) the ledger counts as unavailable: the Deliverer starts no new send
 * whose outcome could not be recorded, readiness (`store`) is false, and the owners are told once.
 *
 * A part of a digest whose record is refused is held the same way, and keeps its unrecorded-send
 * slot (UnrecordedSends) until written: at most `delivery.maxUnrecordedSends` messages of a platform
 * are ever out without their record. At a stop the held outcomes are written once more and what is
 * still refused goes to the outcome journal beside the database, applied by the next start.
 */
export class LedgerWrites {
  private readonly held = new Map<string, HeldOutcome>();
  private downReason: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The flush under way, shared by every caller meanwhile (one writer of the held outcomes at a time). */
  private flushing: Promise<boolean> | null = null;
  private readonly logger: Logger;
  private readonly policy: LedgerRetryPolicy;

  constructor(
    private readonly deps: {
      store: Store;
      logger?: Logger;
      health?: ServiceHealth;
      sleep: (ms: number) => Promise<void>;
      policy?: Partial<LedgerRetryPolicy>;
      /** Told once when the ledger goes down and once when it works again; must not throw. */
      alert?: (text: string) => void;
      /** Where outcomes still held at a stop are kept for the next start; none: they are logged. */
      journal?: OutcomeJournal | null;
    },
  ) {
    this.logger = deps.logger ?? silentLogger();
    this.policy = { ...DEFAULT_LEDGER_RETRY, ...deps.policy };
  }

  /** Why the ledger cannot record deliveries now, or null when it can. */
  get unavailable(): string | null {
    return this.downReason;
  }

  /** Outcomes delivered but not yet recorded. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Whether this report already reached this destination and only its ledger mark is pending. */
  isHeldFor(slug: string, kind: DeliveryKind, destination: Destination): boolean {
    const key = describeDestination(destination);
    for (const h of this.held.values()) {
      if (h.type === 'delivered' && h.slug === slug && h.kind === kind && describeDestination(h.destination) === key) return true;
    }
    return false;
  }

  /**
   * Runs one ledger write; a failure marks the ledger unavailable (logged at error, readiness
   * false) and is rethrown (the promise rejects), so the caller does not send on a row it could
   * not record.
   */
  async write<T>(doing: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      const value = await fn();
      // A write went through: the ledger works again unless outcomes are still held.
      if (this.downReason !== null && this.held.size === 0) this.up();
      return value;
    } catch (error) {
      this.down(`${doing}: ${messageOf(error)}`, error);
      throw error;
    }
  }

  /**
   * Marks a row delivered, writing again with backoff when the database refuses. Returns null
   * when recorded; otherwise the outcome is held (written again later) and the reason returned.
   */
  async recordDelivered(
    row: Pick<Delivery, 'id' | 'slug' | 'kind'>,
    destination: Destination,
    messageIds: string[],
    contentHash: string | null = null,
  ): Promise<string | null> {
    const { id: rowId, slug, kind } = row;
    let delay = this.policy.delayMs;
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= this.policy.attempts; attempt++) {
      try {
        await this.deps.store.markDelivered(rowId, messageIds, contentHash);
        if (this.held.size === 0 && this.downReason !== null) this.up();
        return null;
      } catch (error) {
        lastError = error;
        this.logger.error(
          { event: 'ledger.write_failed', slug, destination: describeDestination(destination), attempt, err: error },
          'delivered, but the ledger could not record it; writing again',
        );
        if (attempt < this.policy.attempts) {
          await this.deps.sleep(delay);
          delay *= 2;
        }
      }
    }
    const reason = `delivered but not recorded in the ledger: ${messageOf(lastError)}`;
    this.hold({ type: 'delivered', rowId, slug, kind, destination, messageIds, contentHash });
    this.down(reason, lastError);
    this.logger.error(
      { event: 'ledger.outcome_held', slug, destination: describeDestination(destination), messageIds, held: this.held.size },
      'delivery outcome held in memory until the database accepts it; no new sends until then',
    );
    this.startBackgroundFlush();
    return reason;
  }

  /**
   * Records a part the platform accepted, then gives back its unrecorded-send `slot`. When the
   * database refuses (or does not answer in time) the part is held with its slot, written again
   * in the background, and the ledger counts as unavailable meanwhile; never throws.
   */
  async recordPart(row: Pick<Delivery, 'id' | 'slug'>, destination: Destination, part: SentPart, slot: UnrecordedSlot | null): Promise<void> {
    try {
      await this.deps.store.recordDeliveryPart(row.id, part);
      slot?.release();
    } catch (error) {
      this.logger.error(
        { event: 'ledger.write_failed', err: error, destination: describeDestination(destination), slug: row.slug, part: part.index, messageId: part.messageId },
        'could not record a sent part in the ledger; held until it can',
      );
      this.hold({ type: 'part', rowId: row.id, slug: row.slug, destination, part, slot });
      this.down(`sent but not recorded in the ledger: ${messageOf(error)}`, error);
      this.startBackgroundFlush();
    }
  }

  private hold(outcome: HeldOutcome): void {
    this.held.set(heldKey(outcome), outcome);
  }

  /**
   * Writes the held outcomes; true when none is left. The Deliverer calls it before each new
   * send, and starts the send only when it resolves to true. Concurrent callers share one flush.
   */
  flush(): Promise<boolean> {
    if (this.held.size === 0) return Promise.resolve(true);
    this.flushing ??= this.flushHeld().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushHeld(): Promise<boolean> {
    for (const [key, outcome] of [...this.held]) {
      try {
        if (outcome.type === 'part') await this.deps.store.recordDeliveryPart(outcome.rowId, outcome.part);
        else await this.deps.store.markDelivered(outcome.rowId, outcome.messageIds, outcome.contentHash);
        this.held.delete(key);
        if (outcome.type === 'part') outcome.slot?.release();
        this.logger.warn(
          { event: 'ledger.outcome_recorded', slug: outcome.slug, destination: describeDestination(outcome.destination) },
          'held delivery outcome recorded',
        );
      } catch (error) {
        this.down(`delivered but not recorded in the ledger: ${messageOf(error)}`, error);
        return false;
      }
    }
    if (this.held.size > 0) return false;
    this.up();
    return true;
  }

  /** Stops the background flush (shutdown). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * At a clean stop, once sending has ended: writes the held outcomes once more and keeps those
   * still refused in the journal. Returns how many were journaled. A caller bounded by the stop
   * timeout calls `journalHeld` itself when this does not finish in time.
   */
  async finish(): Promise<number> {
    this.close();
    if (this.held.size === 0) return 0;
    await this.flush();
    return this.journalHeld();
  }

  /**
   * Appends every held outcome not journaled yet to the journal (synchronously, fsynced: it may run
   * right before a forced exit) and forgets them; returns how many. When there is no journal, or
   * writing it fails too, each outcome is logged at error with its message ids instead.
   */
  journalHeld(): number {
    const outcomes = [...this.held.values()];
    if (outcomes.length === 0) return 0;
    this.held.clear();
    const journal = this.deps.journal ?? null;
    try {
      if (!journal) throw new Error('no journal (in-memory database)');
      journal.append(outcomes.map(journalEntryOf));
      this.logger.warn(
        { event: 'ledger.outcomes_journaled', file: journal.file, outcomes: outcomes.length },
        'delivery outcomes the ledger refused kept in the journal; the next start records them before sending',
      );
      return outcomes.length;
    } catch (error) {
      for (const outcome of outcomes) {
        this.logger.error(
          { event: 'ledger.outcome_lost', err: error, ...journalEntryOf(outcome), slug: outcome.slug, destination: describeDestination(outcome.destination) },
          'a delivered outcome could be neither recorded nor journaled: the next start sends it again',
        );
      }
      return 0;
    }
  }

  /** Marks the ledger unavailable for a reason found before writing (an unusable database file). */
  markUnavailable(reason: string): void {
    this.down(reason, null);
  }

  private down(reason: string, error: unknown): void {
    const first = this.downReason === null;
    this.downReason = reason;
    this.deps.health?.set(STORE_COMPONENT, false, `ledger cannot record deliveries: ${reason}`);
    if (first) {
      this.logger.error({ event: 'ledger.unavailable', reason, err: error }, 'delivery ledger unavailable; new sends paused');
      this.deps.alert?.(`digest bot: the delivery ledger cannot record deliveries (${reason}); new sends are paused until it can. Free disk space / fix permissions of the database.`);
    }
  }

  private up(): void {
    this.downReason = null;
    this.deps.health?.set(STORE_COMPONENT, true, null);
    this.close();
    this.logger.warn({ event: 'ledger.available' }, 'delivery ledger records again; sends resume');
    this.deps.alert?.('digest bot: the delivery ledger records deliveries again; sends resume.');
  }

  private startBackgroundFlush(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // flush() never rejects: a refused write is caught and marks the ledger down.
      void this.flush().then((done) => {
        if (done) this.close();
      });
    }, this.policy.flushEveryMs);
    this.timer.unref();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

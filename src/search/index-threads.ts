import { availableParallelism } from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../log.ts';
import { SupervisedWorker } from '../supervised-worker.ts';
import type { IndexBatch } from './search-index.ts';

/** What a worker needs of a report to index it. */
export interface IndexEntry {
  slug: string;
  file: string;
  dateStart: string;
  dateEnd: string;
}

/** One batch asked of a worker. */
export interface IndexRequest {
  id: number;
  entries: IndexEntry[];
}

/** The worker's answers: ready once its jieba dictionaries are loaded, then one per batch. */
export type IndexReply =
  | { ready: true; dictionaryMs: number }
  | { id: number; batch: IndexBatch; unreadable: Array<{ file: string; message: string }> };

/**
 * What became of one batch, in the order the batches were cut: indexed on a worker (`batch`,
 * without the reports it could not read), to be indexed on the caller's thread because its worker
 * failed or none is left (`inThread`), or dropped because {@link IndexThreads.close} was called.
 */
export type BatchOutcome<E extends IndexEntry> =
  | { kind: 'indexed'; entries: E[]; batch: IndexBatch; unreadable: Array<{ file: string; message: string }> }
  | { kind: 'inThread'; entries: E[] }
  | { kind: 'closed'; entries: E[] };

export interface IndexThreadsOptions {
  /** Worker threads to start (at least 1). */
  threads: number;
  /** Reports per batch (default 192). */
  batchSize?: number;
  /** The worker module (a `.ts` file is loaded through tsx). Default: index-worker beside this file. */
  entry?: URL;
  /** A worker holding batches that answers none for this long counts as failed (default 60 s). */
  timeoutMs?: number;
  logger?: Logger;
}

/** Figures of one run, for the log and the benchmark. */
export interface IndexThreadsStats {
  /** How long each worker took to load jieba's dictionaries before its first batch. */
  dictionaryMs: number[];
  /** Batches indexed on workers, and handed back to be indexed on the caller's thread. */
  workerBatches: number;
  inThreadBatches: number;
  /** Workers that failed to start or died. */
  failures: number;
}

/** Worker threads by default: one per core, at most four (the merge on the bot's thread is the limit beyond). */
export function defaultIndexThreads(): number {
  return Math.min(4, Math.max(1, availableParallelism()));
}

// Compiled (`dist/`, npm start) this file is .js and so is the worker beside it; under tsx both are .ts.
const DEFAULT_ENTRY = new URL(`./index-worker${path.extname(import.meta.url)}`, import.meta.url);
/** A few hundred milliseconds of segmenting per batch: small enough that new reports are searchable early. */
const DEFAULT_BATCH_SIZE = 192;
/** Batches a worker holds at once: it starts the next while the bot's thread merges the last. */
const BATCHES_IN_FLIGHT = 2;
/** A batch takes well under a second; a minute without an answer is a stuck worker, not a busy one. */
const DEFAULT_TIMEOUT_MS = 60_000;

interface Pending<E extends IndexEntry> {
  entries: E[];
  outcome: Promise<BatchOutcome<E>>;
  settle: ((outcome: BatchOutcome<E>) => void) | null;
}

interface Slot {
  /** Watched for a crash, an unasked exit and for no answer within the timeout while it holds batches. */
  worker: SupervisedWorker<IndexReply>;
  inFlight: Set<number>;
}

/**
 * Indexes one large set of reports (the start-up index, or a cache that lost many reports) on a
 * few worker threads, off the bot's event loop. The reports are cut into batches in the order
 * given (newest first); each worker takes the next batch from that shared queue as it becomes
 * free, so the newest reports are still indexed first. {@link outcomes} yields each batch's
 * result in the queue's order, for the caller to merge into its index (`SearchIndex.addBatch`):
 * merged that way, the index is the same as one built report by report on the caller's thread.
 *
 * Single-use: the workers end as soon as the queue is empty and their batches are answered, so
 * the dictionaries they loaded are freed. A worker that fails to start, dies or answers nothing
 * for a minute is logged
 * (`search.index_threads_failed`); its batches, and every batch still queued once no worker is
 * left, come back as `inThread` for the caller to index itself: no report is lost.
 */
export class IndexThreads<E extends IndexEntry> {
  readonly #pending: Array<Pending<E>> = [];
  readonly #slots = new Set<Slot>();
  #next = 0;
  #closed = false;
  /** While the constructor starts the workers: one that fails then leaves the queue to the others. */
  #starting = true;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly stats: IndexThreadsStats = { dictionaryMs: [], workerBatches: 0, inThreadBatches: 0, failures: 0 };

  constructor(entries: readonly E[], options: IndexThreadsOptions) {
    this.#logger = options.logger ?? silentLogger();
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const size = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    for (let start = 0; start < entries.length; start += size) {
      const pending: Pending<E> = { entries: entries.slice(start, start + size), outcome: Promise.resolve(null as never), settle: null };
      pending.outcome = new Promise((resolve) => (pending.settle = resolve));
      this.#pending.push(pending);
    }
    const entry = options.entry ?? DEFAULT_ENTRY;
    const threads = Math.max(1, Math.min(options.threads, this.#pending.length));
    for (let i = 0; i < threads; i++) this.#start(entry);
    this.#starting = false;
    // The first batches one per worker, then a second each: the newest batches go to different workers.
    for (let depth = 1; depth <= BATCHES_IN_FLIGHT; depth++) for (const slot of this.#slots) this.#feed(slot, depth);
    // Not a single worker started: everything is the caller's.
    if (this.#slots.size === 0) this.#handBackQueued();
  }

  /** Each batch's outcome, in the order the batches were cut. Ends early once closed. */
  async *outcomes(): AsyncGenerator<BatchOutcome<E>> {
    for (const pending of this.#pending) {
      const outcome = await pending.outcome;
      yield outcome;
      if (outcome.kind === 'closed') return;
    }
  }

  /** Ends the workers; batches not yet answered come out as `closed`. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = [...this.#slots];
    this.#slots.clear();
    for (const pending of this.#pending) this.#settle(pending, { kind: 'closed', entries: pending.entries });
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #start(entry: URL): void {
    // The handlers run on the worker's events, after the slot below exists.
    let slot: Slot;
    let worker: SupervisedWorker<IndexReply>;
    try {
      worker = new SupervisedWorker<IndexReply>(
        entry,
        {
          onMessage: (reply) => {
            if ('ready' in reply) {
              this.stats.dictionaryMs.push(reply.dictionaryMs);
              return;
            }
            const pending = this.#pending[reply.id];
            slot.inFlight.delete(reply.id);
            slot.worker.answered(slot.inFlight.size);
            if (pending && this.#settle(pending, { kind: 'indexed', entries: pending.entries, batch: reply.batch, unreadable: reply.unreadable })) {
              this.stats.workerBatches += 1;
            }
            this.#feed(slot);
          },
          onFailure: ({ reason, cause }) => this.#failed(slot, reason, cause),
        },
        this.#timeoutMs,
      );
    } catch (error) {
      this.#failed(null, `failed to start: ${messageOf(error)}`, error);
      return;
    }
    slot = { worker, inFlight: new Set() };
    this.#slots.add(slot);
  }

  /**
   * Gives `slot` batches from the queue until it holds `depth`, or ends its worker when none is
   * left. Batches go out at once, before the worker says it is ready: they wait in its port while
   * jieba's dictionaries load.
   */
  #feed(slot: Slot, depth = BATCHES_IN_FLIGHT): void {
    if (!this.#slots.has(slot)) return;
    while (slot.inFlight.size < depth && this.#next < this.#pending.length) {
      const id = this.#next++;
      slot.inFlight.add(id);
      slot.worker.send({ id, entries: this.#pending[id]!.entries.map(({ slug, file, dateStart, dateEnd }) => ({ slug, file, dateStart, dateEnd })) } satisfies IndexRequest);
    }
    if (slot.inFlight.size === 0) {
      // Nothing left for it: end it now, which frees its dictionaries.
      this.#slots.delete(slot);
      void slot.worker.terminate();
    }
  }

  /** A worker is gone, stuck or never came: its batches, and the queue once no worker is left, go back to the caller. */
  #failed(slot: Slot | null, reason: string, cause?: unknown): void {
    if (slot !== null && !this.#slots.delete(slot)) return; // ended on purpose, or already counted
    this.stats.failures += 1;
    const batches = slot ? [...slot.inFlight] : [];
    const workersLeft = this.#slots.size;
    this.#logger.warn(
      { event: 'search.index_threads_failed', reason, batches: batches.length, workersLeft, err: cause },
      workersLeft > 0 ? 'search index worker failed: its reports are indexed on the main thread' : 'search index workers failed: the remaining reports are indexed on the main thread',
    );
    for (const id of batches) this.#handBack(this.#pending[id]!);
    if (workersLeft === 0 && !this.#starting) this.#handBackQueued();
  }

  #handBackQueued(): void {
    while (this.#next < this.#pending.length) this.#handBack(this.#pending[this.#next++]!);
  }

  #handBack(pending: Pending<E>): void {
    if (this.#settle(pending, { kind: 'inThread', entries: pending.entries })) this.stats.inThreadBatches += 1;
  }

  /** Gives the batch its outcome unless it has one already; says whether it did. */
  #settle(pending: Pending<E>, outcome: BatchOutcome<E>): boolean {
    const settle = pending.settle;
    if (settle === null) return false;
    pending.settle = null;
    settle(outcome);
    return true;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

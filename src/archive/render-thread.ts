import path from 'node:path';
import { silentLogger, type Logger } from '../log.ts';
import { SupervisedWorker } from '../supervised-worker.ts';
import { renderJob, type RenderJob, type RenderResult } from './render-jobs.ts';

/** One job asked of the worker. */
export interface RenderRequest {
  id: number;
  job: RenderJob;
}

/** The worker's answers: ready once at start, then one per request. */
export type RenderReply =
  | { ready: true }
  | { id: number; ok: true; result: unknown; threadId: number }
  | { id: number; ok: false; message: string };

/** How the archive renders what missed its caches. */
export interface PageRenderer {
  render<J extends RenderJob>(job: J): Promise<RenderResult<J>>;
}

/** Rendering on the calling thread (archive.renderWorker false, and the fallback). */
export const INLINE_RENDERER: PageRenderer = { render: renderJob };

export interface RenderThreadOptions {
  /** The worker module (a `.ts` file is loaded through tsx). Default: render-worker beside this file. */
  entry?: URL;
  /** A worker with jobs that answers none for this long counts as crashed: replaced, its jobs rendered inline. */
  timeoutMs?: number;
  logger?: Logger;
}

// Compiled (`dist/`, npm start) this file is .js and so is the worker beside it; under tsx both are .ts.
const DEFAULT_ENTRY = new URL(`./render-worker${path.extname(import.meta.url)}`, import.meta.url);
/** A page renders in milliseconds; a worker with jobs that answers none for this long is stuck. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Workers that die in a row before the archive stops starting new ones and renders inline. */
const MAX_FAILURES_IN_A_ROW = 3;

interface Pending {
  job: RenderJob;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * One worker thread that renders the archive's pages and feeds, so a cache miss costs the bot's
 * event loop a structured clone of the report, not 2–10 ms of templating. Started on the first
 * job, holding the process open only while jobs are under way, many jobs in flight at once.
 * Never fails a request for the worker's sake: a job whose worker crashes, exits, hangs or cannot
 * start is rendered inline (logged); the next job starts a fresh worker (see SupervisedWorker), and after
 * {@link MAX_FAILURES_IN_A_ROW} deaths without a job done in between, every job renders inline.
 */
export class RenderThread implements PageRenderer {
  #worker: SupervisedWorker<RenderReply> | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failuresInARow = 0;
  #closed = false;
  readonly #entry: URL;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  /** Jobs rendered on the worker and inline (tests, metrics). */
  readonly counts = { worker: 0, inline: 0, workerFailures: 0 };

  constructor(options: RenderThreadOptions = {}) {
    this.#entry = options.entry ?? DEFAULT_ENTRY;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#logger = options.logger ?? silentLogger();
  }

  /** True while jobs go to a worker (false once closed or given up after repeated deaths). */
  get usesWorker(): boolean {
    return !this.#closed && this.#failuresInARow < MAX_FAILURES_IN_A_ROW;
  }

  /** The running worker's thread id, or null when none is running (not started, dead or closed). */
  get workerThreadId(): number | null {
    return this.#worker?.threadId ?? null;
  }

  render<J extends RenderJob>(job: J): Promise<RenderResult<J>> {
    if (!this.usesWorker) return this.#inline(job);
    let worker: SupervisedWorker<RenderReply>;
    try {
      worker = this.#worker ?? this.#start();
    } catch (error) {
      this.#died(null, `failed to start: ${messageOf(error)}`, error);
      return this.#inline(job);
    }
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { job, resolve, reject });
      worker.send({ id, job } satisfies RenderRequest);
    }) as Promise<RenderResult<J>>;
  }

  /** Terminates the worker; jobs under way finish inline and later ones render inline. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    this.#fallBackPending();
    if (worker) await worker.terminate();
  }

  #inline<J extends RenderJob>(job: J): Promise<RenderResult<J>> {
    this.counts.inline++;
    return renderJob(job);
  }

  #start(): SupervisedWorker<RenderReply> {
    const worker: SupervisedWorker<RenderReply> = new SupervisedWorker<RenderReply>(
      this.#entry,
      {
        onMessage: (reply) => {
          if ('ready' in reply) return;
          const pending = this.#pending.get(reply.id);
          if (!pending) return;
          this.#pending.delete(reply.id);
          worker.answered(this.#pending.size);
          if (reply.ok) {
            this.#failuresInARow = 0;
            this.counts.worker++;
            pending.resolve(reply.result);
          } else {
            pending.reject(new Error(reply.message));
          }
        },
        onFailure: ({ reason, cause }) => this.#died(worker, reason, cause),
      },
      this.#timeoutMs,
    );
    this.#worker = worker;
    return worker;
  }

  /** The worker is gone (failed, or never started): its jobs render inline, the next job starts another. */
  #died(worker: SupervisedWorker<RenderReply> | null, why: string, cause?: unknown): void {
    if (worker !== null && this.#worker !== worker) return; // already replaced, or closed
    this.#worker = null;
    this.#failuresInARow++;
    this.counts.workerFailures++;
    const givingUp = this.#failuresInARow >= MAX_FAILURES_IN_A_ROW;
    this.#logger.warn(
      { event: 'archive.render_worker_failed', reason: why, pending: this.#pending.size, err: cause, renderingInline: givingUp },
      givingUp ? 'archive render worker failed repeatedly: rendering on the main thread from now on' : 'archive render worker failed: its pages render inline, the next starts a new worker',
    );
    this.#fallBackPending();
  }

  #fallBackPending(): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) this.#inline(p.job).then(p.resolve, p.reject);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { silentLogger, type Logger } from '../log.ts';
import { workerBootstrapCode } from '../worker-bootstrap.ts';
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
  /** A job unanswered this long counts as a crash: the worker is replaced, the job rendered inline. */
  timeoutMs?: number;
  logger?: Logger;
}

// Compiled (`dist/`, npm start) this file is .js and so is the worker beside it; under tsx both are .ts.
const DEFAULT_ENTRY = new URL(`./render-worker${path.extname(import.meta.url)}`, import.meta.url);
/** A page renders in milliseconds; far beyond that the worker is stuck. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Workers that die in a row before the archive stops starting new ones and renders inline. */
const MAX_FAILURES_IN_A_ROW = 3;

interface Pending {
  job: RenderJob;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One worker thread that renders the archive's pages and feeds, so a cache miss costs the bot's
 * event loop a structured clone of the report, not 2–10 ms of templating. Started on the first
 * job, unref'd while idle (it never keeps the process alive), many jobs in flight at once.
 * Never fails a request for the worker's sake: a job whose worker crashes, exits, hangs or cannot
 * start is rendered inline (logged); the next job starts a fresh worker, and after
 * {@link MAX_FAILURES_IN_A_ROW} deaths without a job done in between, every job renders inline.
 */
export class RenderThread implements PageRenderer {
  #worker: Worker | null = null;
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
    let worker: Worker;
    try {
      worker = this.#worker ?? this.#start();
    } catch (error) {
      this.#died(null, `failed to start: ${messageOf(error)}`, error);
      return this.#inline(job);
    }
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.#died(worker, `no answer within ${this.#timeoutMs} ms`), this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, { job, resolve, reject, timer });
      // Held while jobs are under way, released when idle.
      worker.ref();
      worker.postMessage({ id, job } satisfies RenderRequest);
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

  #start(): Worker {
    const worker = new Worker(workerBootstrapCode(this.#entry), { eval: true });
    worker.unref();
    let ready = false;
    worker.on('message', (reply: RenderReply) => {
      if ('ready' in reply) {
        ready = true;
        return;
      }
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      clearTimeout(pending.timer);
      if (this.#pending.size === 0) worker.unref();
      if (reply.ok) {
        this.#failuresInARow = 0;
        this.counts.worker++;
        pending.resolve(reply.result);
      } else {
        pending.reject(new Error(reply.message));
      }
    });
    worker.on('error', (error) => this.#died(worker, `${ready ? 'crashed' : 'failed to start'}: ${messageOf(error)}`, error));
    worker.on('exit', (code) => this.#died(worker, `exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }

  /** The worker is gone (or must go): its jobs render inline, the next job starts another. */
  #died(worker: Worker | null, why: string, cause?: unknown): void {
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
    if (worker) void worker.terminate();
  }

  #fallBackPending(): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      this.#inline(p.job).then(p.resolve, p.reject);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

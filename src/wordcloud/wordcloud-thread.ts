import path from 'node:path';
import { DigestError } from '../errors.ts';
import { SupervisedWorker } from '../supervised-worker.ts';
import type { Report } from '../report/types.ts';
import type { WordcloudResult } from './generate-wordcloud.ts';

/** One drawing asked of the worker. */
export interface DrawRequest {
  id: number;
  report: Report;
  markdown: string;
  size: { width: number; height: number };
}

/** The worker's answers: ready once at start, then one per request. */
export type DrawReply =
  | { ready: true }
  | ({ id: number; ok: true; png: ArrayBuffer; threadId: number } & Omit<WordcloudResult, 'png'>)
  | { id: number; ok: false; message: string };

/** A cloud drawn on the worker, with the thread that drew it. */
export type DrawnCloud = WordcloudResult & { threadId: number };

/**
 * The worker could not start, crashed or exited: the drawing did not happen and no later one
 * will on this thread. The caller draws in-process instead.
 */
export class WorkerUnavailableError extends DigestError {
  override name = 'WorkerUnavailableError';
}

export interface WordcloudThreadOptions {
  /** The worker module (a `.ts` file is loaded through tsx). Default: wordcloud-worker.ts beside this file. */
  entry?: URL;
  /** A drawing that takes longer fails and its worker is replaced (a stuck layout must not hang digests). */
  timeoutMs?: number;
}

// Compiled (`dist/`, npm start) this file is .js and so is the worker beside it; under tsx both are .ts.
const DEFAULT_ENTRY = new URL(`./wordcloud-worker${path.extname(import.meta.url)}`, import.meta.url);
/** Far above a cold 1200×675 cloud on a busy 2-core machine (~2 s), far below "hung". */
const DEFAULT_TIMEOUT_MS = 60_000;

interface Pending {
  id: number;
  resolve: (cloud: DrawnCloud) => void;
  reject: (error: Error) => void;
}

/**
 * One long-lived worker thread that draws word clouds with {@link generateWordcloud}, so
 * segmentation, layout and painting never block the bot's event loop. Started on the first
 * drawing, holding the process open only while it draws, fed one request at a time, the PNG
 * transferred back rather than copied. A worker that fails to start or crashes rejects its
 * drawing (and every later one) with {@link WorkerUnavailableError}; one that does not answer in
 * time fails its drawing and is replaced by the next; {@link close} terminates it.
 */
export class WordcloudThread {
  private worker: SupervisedWorker<DrawReply> | null = null;
  private current: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private failure: WorkerUnavailableError | null = null;
  private closed = false;
  private readonly entry: URL;
  private readonly timeoutMs: number;

  constructor(options: WordcloudThreadOptions = {}) {
    this.entry = options.entry ?? DEFAULT_ENTRY;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Draws `report`'s cloud on the worker, after any drawing already queued. Rejects with
   * WorkerUnavailableError when the worker cannot draw at all, with DigestError when the drawing
   * itself fails (e.g. no words), times out or the thread was closed.
   */
  draw(report: Report, markdown: string, size: { width: number; height: number }): Promise<DrawnCloud> {
    const drawing = this.queue.then(() => this.send({ id: this.nextId++, report, markdown, size }));
    this.queue = drawing.catch(() => undefined);
    return drawing;
  }

  /** The running worker's thread id, or null when none is running (not started, failed or closed). */
  get workerThreadId(): number | null {
    return this.worker?.threadId ?? null;
  }

  /** Terminates the worker; drawings queued or under way fail. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.settle(null, new DigestError('word cloud worker closed'));
    if (worker) await worker.terminate();
  }

  private send(request: DrawRequest): Promise<DrawnCloud> {
    if (this.closed) return Promise.reject(new DigestError('word cloud worker closed'));
    if (this.failure) return Promise.reject(this.failure);
    let worker: SupervisedWorker<DrawReply>;
    try {
      worker = this.worker ?? this.start();
    } catch (cause) {
      return Promise.reject(this.fail(`word cloud worker failed to start: ${messageOf(cause)}`, cause));
    }
    return new Promise<DrawnCloud>((resolve, reject) => {
      this.current = { id: request.id, resolve, reject };
      worker.send(request);
    });
  }

  private start(): SupervisedWorker<DrawReply> {
    const worker: SupervisedWorker<DrawReply> = new SupervisedWorker<DrawReply>(
      this.entry,
      {
        onMessage: (reply) => {
          if ('ready' in reply) return;
          worker.answered(0);
          if (reply.ok) {
            const { png, id, ok: _ok, ...rest } = reply;
            this.settle({ ...rest, png: Buffer.from(png) }, null, id);
          } else {
            this.settle(null, new DigestError(reply.message), reply.id);
          }
        },
        onFailure: ({ kind, reason, cause }) => {
          if (this.worker === worker) this.worker = null;
          // A stuck drawing fails alone, and the next drawing starts a fresh worker; a worker that
          // cannot start or dies fails this drawing and every later one (they are drawn in-process).
          if (kind === 'timeout') this.settle(null, new DigestError(`word cloud worker: ${reason}`));
          else this.settle(null, this.fail(`word cloud worker ${reason}`, cause));
        },
      },
      this.timeoutMs,
    );
    this.worker = worker;
    return worker;
  }

  private fail(message: string, cause?: unknown): WorkerUnavailableError {
    this.failure ??= new WorkerUnavailableError(message, { cause });
    return this.failure;
  }

  /** Ends the current request (only the one with `id`, when given) with a cloud or an error. */
  private settle(cloud: DrawnCloud | null, error: Error | null, id?: number): void {
    const pending = this.current;
    if (!pending || (id !== undefined && pending.id !== id)) return;
    this.current = null;
    if (cloud) pending.resolve(cloud);
    else pending.reject(error ?? new DigestError('word cloud worker: no result'));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

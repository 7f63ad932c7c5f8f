import { Worker, type Transferable } from 'node:worker_threads';
import { workerBootstrapCode } from './worker-bootstrap.ts';

/** How a worker failed: an `error` event, an exit nobody asked for, or no answer in time. */
export interface WorkerFailure {
  kind: 'error' | 'exit' | 'timeout';
  /** `crashed: …`, `failed to start: …`, `exited with code 3`, `no answer within 300 ms`: for logs and errors. */
  reason: string;
  cause?: unknown;
}

export interface SupervisedWorkerHandlers<Reply> {
  /** Every message the worker posts (its `{ ready: true }` one included). */
  onMessage(reply: Reply): void;
  /** The worker failed: called once, the worker already being terminated. Never after {@link SupervisedWorker.terminate}. */
  onFailure(failure: WorkerFailure): void;
}

/**
 * A worker thread started from a module (see workerBootstrapCode), watched for the three ways it
 * can fail: an `error` event (`failed to start` before its first message, `crashed` after), an
 * exit nobody asked for, and no answer within `timeoutMs` while requests are outstanding. Each is
 * reported once, the worker terminated; ending it on purpose ({@link terminate}) reports nothing.
 * The worker holds the process open only while requests are outstanding.
 *
 * The word cloud, archive render and search index threads run on it: what their requests are and
 * what a failure means for them (fail the drawing, render inline, index in-thread) is theirs.
 */
export class SupervisedWorker<Reply> {
  readonly #worker: Worker;
  readonly #handlers: SupervisedWorkerHandlers<Reply>;
  readonly #timeoutMs: number;
  #answered = false;
  #ended = false;
  #clock: NodeJS.Timeout | null = null;

  /** Throws when the worker cannot even be created (the caller's "failed to start"). */
  constructor(entry: URL, handlers: SupervisedWorkerHandlers<Reply>, timeoutMs: number) {
    this.#handlers = handlers;
    this.#timeoutMs = timeoutMs;
    this.#worker = new Worker(workerBootstrapCode(entry), { eval: true });
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => {
      if (this.#ended) return;
      this.#answered = true;
      handlers.onMessage(reply);
    });
    this.#worker.on('error', (error) => this.#fail({ kind: 'error', reason: `${this.#answered ? 'crashed' : 'failed to start'}: ${messageOf(error)}`, cause: error }));
    this.#worker.on('exit', (code) => this.#fail({ kind: 'exit', reason: `exited with code ${code}` }));
  }

  get threadId(): number {
    return this.#worker.threadId;
  }

  /** False once it failed or was terminated. */
  get alive(): boolean {
    return !this.#ended;
  }

  /** Posts a request: the worker holds the process open, and the clock runs unless it already does. */
  send(message: unknown, transfer?: readonly Transferable[]): void {
    if (this.#ended) return;
    this.#worker.ref();
    this.#worker.postMessage(message, transfer as Transferable[] | undefined);
    if (this.#clock === null) this.#startClock();
  }

  /**
   * The owner got an answer and has `outstanding` requests left: the clock starts over for them,
   * or, with none left, stops and the worker no longer holds the process open.
   */
  answered(outstanding: number): void {
    this.#stopClock();
    if (this.#ended) return;
    if (outstanding > 0) this.#startClock();
    else this.#worker.unref();
  }

  /** Ends the worker on purpose: no failure is reported. Idempotent. */
  async terminate(): Promise<void> {
    this.#ended = true;
    this.#stopClock();
    await this.#worker.terminate();
  }

  #startClock(): void {
    this.#clock = setTimeout(() => this.#fail({ kind: 'timeout', reason: `no answer within ${this.#timeoutMs} ms` }), this.#timeoutMs);
    // The worker's own ref keeps the process open while it works; the clock must not.
    this.#clock.unref();
  }

  #stopClock(): void {
    if (this.#clock !== null) clearTimeout(this.#clock);
    this.#clock = null;
  }

  #fail(failure: WorkerFailure): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stopClock();
    void this.#worker.terminate();
    this.#handlers.onFailure(failure);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

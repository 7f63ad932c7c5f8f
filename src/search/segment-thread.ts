import { Worker } from 'node:worker_threads';
import { bootstrapCode } from '../wordcloud/wordcloud-thread.ts';
import type { ReportTerms } from './report-terms.ts';

/** Files to read and segment, in order. */
export interface SegmentRequest {
  id: number;
  files: string[];
}

/** One answer per request, the results in the request's order. */
export interface SegmentReply {
  id: number;
  results: Array<({ ok: true } & ReportTerms) | { ok: false; message: string }>;
}

const DEFAULT_ENTRY = new URL('./segment-worker.ts', import.meta.url);

/**
 * A worker thread that reads and segments report files for the search index, started for one
 * large indexing run (the first start, a new content folder) and terminated after it. Requests
 * are answered in order. Any failure of the thread itself (it cannot start, crashes, exits)
 * rejects every pending and later request; the caller then segments in-process.
 */
export class SegmentThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (reply: SegmentReply) => void; reject: (error: Error) => void }>();
  #failure: Error | null = null;
  #nextId = 1;

  constructor(entry: URL = DEFAULT_ENTRY) {
    this.#worker = new Worker(bootstrapCode(entry), { eval: true });
    this.#worker.on('message', (reply: SegmentReply | { ready: true }) => {
      if ('ready' in reply) return;
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      pending?.resolve(reply);
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`search segment worker exited with code ${code}`)));
  }

  /** Reads and segments `files` on the thread. */
  segment(files: string[]): Promise<SegmentReply['results']> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<SegmentReply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, files } satisfies SegmentRequest);
    }).then((reply) => reply.results);
  }

  /** Terminates the thread; pending requests fail. */
  async close(): Promise<void> {
    this.#fail(new Error('search segment worker closed'));
    await this.#worker.terminate();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }
}

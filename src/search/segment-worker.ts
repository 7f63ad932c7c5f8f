/**
 * The search indexer's worker thread: reads report files and segments them (jieba), the slow part
 * of indexing, so the bot's event loop stays free while ten years of reports are indexed. Loaded
 * by {@link SegmentThread}; not imported elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { reportTerms } from './report-terms.ts';
import type { SegmentReply, SegmentRequest } from './segment-thread.ts';

if (!parentPort) throw new Error('segment-worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', (request: SegmentRequest) => {
  void (async () => {
    const results: SegmentReply['results'] = [];
    for (const file of request.files) {
      try {
        results.push({ ok: true, ...reportTerms(await readFile(file, 'utf8')) });
      } catch (error) {
        results.push({ ok: false, message: error instanceof Error ? error.message : String(error) });
      }
    }
    port.postMessage({ id: request.id, results } satisfies SegmentReply);
  })();
});

port.postMessage({ ready: true } satisfies SegmentReply | { ready: true });

/**
 * The search index's worker thread entry: indexes each batch of reports it is sent with the same
 * {@link visitReportTerms} the bot's thread uses, straight into the batch's partial index packed
 * flat ({@link IndexBatchBuilder}: the batch `SearchIndex.addEach` then `exportBatch` would give),
 * and sends it back, its buffers transferred. Loaded by {@link IndexThreads}; not imported elsewhere.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { cutChinese } from '../text/chinese-words.ts';
import { IndexBatchBuilder } from './index-batch-builder.ts';
import type { IndexReply, IndexRequest } from './index-threads.ts';
import { visitReportTerms } from './report-terms.ts';

if (!parentPort) throw new Error('index-worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', (request: IndexRequest) => {
  const builder = new IndexBatchBuilder();
  const unreadable: Array<{ file: string; message: string }> = [];
  for (const entry of request.entries) {
    let text: string;
    try {
      text = readFileSync(entry.file, 'utf8');
    } catch (error) {
      unreadable.push({ file: entry.file, message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    builder.add({ slug: entry.slug, dateStart: entry.dateStart, dateEnd: entry.dateEnd }, (visit) => visitReportTerms(text, visit));
  }
  const batch = builder.finish();
  port.postMessage({ id: request.id, batch, unreadable } satisfies IndexReply, [batch.ends.buffer as ArrayBuffer, batch.postings.buffer as ArrayBuffer]);
});

// jieba's dictionaries load before the first batch comes, and the owner learns how long they took.
const start = performance.now();
cutChinese('加载词典', true);
port.postMessage({ ready: true, dictionaryMs: performance.now() - start } satisfies IndexReply);

/**
 * The search index's worker thread entry: indexes each batch of reports it is sent with the same
 * {@link SearchIndex.addEach} and {@link visitReportTerms} the bot's thread uses, and sends back
 * the batch's partial index packed flat (see {@link IndexBatch}), its buffers transferred. Loaded
 * by {@link IndexThreads}; not imported elsewhere.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { cutChinese } from '../text/chinese-words.ts';
import type { IndexReply, IndexRequest } from './index-threads.ts';
import { visitReportTerms } from './report-terms.ts';
import { SearchIndex } from './search-index.ts';

if (!parentPort) throw new Error('index-worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', (request: IndexRequest) => {
  const index = new SearchIndex();
  const unreadable: Array<{ file: string; message: string }> = [];
  for (const entry of request.entries) {
    let text: string;
    try {
      text = readFileSync(entry.file, 'utf8');
    } catch (error) {
      unreadable.push({ file: entry.file, message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    index.addEach({ slug: entry.slug, dateStart: entry.dateStart, dateEnd: entry.dateEnd }, (visit) => visitReportTerms(text, visit));
  }
  const batch = index.exportBatch();
  port.postMessage({ id: request.id, batch, unreadable } satisfies IndexReply, [batch.ends.buffer as ArrayBuffer, batch.postings.buffer as ArrayBuffer]);
});

// jieba's dictionaries load before the first batch comes, and the owner learns how long they took.
const start = performance.now();
cutChinese('加载词典', true);
port.postMessage({ ready: true, dictionaryMs: performance.now() - start } satisfies IndexReply);

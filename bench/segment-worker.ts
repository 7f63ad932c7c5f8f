/**
 * A worker thread of bench/search.ts's parallel floor: loads jieba's dictionaries, says `ready`,
 * then segments each list of texts it is sent, as the index hands them to jieba, and answers with
 * how long that took on this thread.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { cutChinese } from '../src/text/chinese-words.ts';

const port = parentPort;
if (!port) throw new Error('segment-worker runs as a worker thread');
cutChinese('加载词典', true);
port.on('message', (texts: string[]) => {
  const start = performance.now();
  for (const text of texts) cutChinese(text, true);
  port.postMessage(performance.now() - start);
});
port.postMessage('ready');

/**
 * The word-cloud worker thread's entry: draws one cloud per request with the same
 * {@link generateWordcloud} the main thread would run, so segmentation, layout and painting
 * never block the bot's event loop. Loaded by {@link WordcloudThread}; not imported elsewhere.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { generateWordcloud } from './generate-wordcloud.ts';
import type { DrawReply, DrawRequest } from './wordcloud-thread.ts';

if (!parentPort) throw new Error('wordcloud-worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', (request: DrawRequest) => {
  void draw(request).then(({ reply, transfer }) => port.postMessage(reply, transfer));
});

async function draw(request: DrawRequest): Promise<{ reply: DrawReply; transfer: ArrayBuffer[] }> {
  try {
    const { png, placed, words } = await generateWordcloud(request.report, request.markdown, request.size);
    // Copy into an ArrayBuffer of its own (a small Buffer may sit in Node's shared pool) and
    // hand it over rather than clone it.
    const bytes = png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer;
    return { reply: { id: request.id, ok: true, png: bytes, placed, words, threadId }, transfer: [bytes] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { reply: { id: request.id, ok: false, message }, transfer: [] };
  }
}

// Tells the owner the module (and tsx before it) loaded: a worker that never says so failed to start.
port.postMessage({ ready: true } satisfies DrawReply);

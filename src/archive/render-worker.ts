/**
 * The archive render worker's entry: renders each {@link RenderJob} it is sent with the same
 * {@link renderJob} the bot's thread would run, so a page that misses the cache costs the bot's
 * event loop a message, not the rendering. Loaded by {@link RenderThread}; not imported elsewhere.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { renderJob } from './render-jobs.ts';
import type { RenderReply, RenderRequest } from './render-thread.ts';

if (!parentPort) throw new Error('render-worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', (request: RenderRequest) => {
  renderJob(request.job).then(
    (result) => port.postMessage({ id: request.id, ok: true, result, threadId } satisfies RenderReply),
    (error: unknown) => port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies RenderReply),
  );
});

// Tells the owner the module (and tsx before it) loaded: a worker that never says so failed to start.
port.postMessage({ ready: true } satisfies RenderReply);

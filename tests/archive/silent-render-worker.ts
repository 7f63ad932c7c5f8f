/** A render worker that starts and then never answers a job (the render thread's timeout test). */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', () => undefined);
parentPort!.postMessage({ ready: true });

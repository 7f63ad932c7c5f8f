/** A render worker that starts, then dies on its first job (the render thread's crash tests). */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', () => process.exit(3));
parentPort!.postMessage({ ready: true });

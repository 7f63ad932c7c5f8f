// A word-cloud worker that starts, then dies on its first request (as an out-of-memory worker would).
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', () => process.exit(3));
parentPort!.postMessage({ ready: true });

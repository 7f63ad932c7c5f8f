// A word-cloud worker that starts and never answers (as a stuck layout would).
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', () => undefined);
parentPort!.postMessage({ ready: true });

import { ensureBuilt } from '../bin/build.mjs';

/**
 * Before any test file: dist/ current with src/, so the child bots and `digest` commands the
 * process tests start run the compiled JavaScript, as `npm start` and an installed CLI do (and
 * start without transforming TypeScript). Builds only when a source changed since the last build.
 */
export default async function setup(): Promise<void> {
  await ensureBuilt((line) => console.log(line));
}

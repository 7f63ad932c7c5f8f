import { ensureBuilt } from '../bin/build.mjs';

/**
 * Before any test file: dist/ current with src/, so the child bots and `digest` commands the
 * process tests start run the compiled JavaScript, as `npm start` and an installed CLI do (and
 * start without transforming TypeScript). Builds only when a source changed since the last build.
 * A build that fails (a type error being worked on) stops nothing: dist/ stays stale, so the child
 * processes run the sources through tsx, and `npm run typecheck` names the error.
 */
export default async function setup(): Promise<void> {
  try {
    await ensureBuilt((line) => console.log(line));
  } catch (error) {
    console.warn(`tests: dist/ not rebuilt, child processes run the sources through tsx: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

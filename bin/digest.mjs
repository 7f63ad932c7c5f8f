#!/usr/bin/env node
// The `digest` operator command. Runs the compiled JavaScript in dist/ when it is current (npm
// install builds it), and otherwise the TypeScript sources through tsx: `npx digest …` works in a
// checkout with no build, or right after a `git pull` that changed src/, and never runs stale code.
// Compiled, a command starts without transforming TypeScript first (about half a second less).
import { isStale } from './build.mjs';

let runCli;
if (isStale()) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli/main.ts'));
} else {
  ({ runCli } = await import('../dist/cli/main.js'));
}
process.exitCode = await runCli(process.argv.slice(2));

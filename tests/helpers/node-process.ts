import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { isStale } from '../../bin/build.mjs';

/** The repository root, where `npm start` and `bin/digest.mjs` run. */
export const ROOT_DIR = path.resolve(import.meta.dirname, '../..');
export const MAIN = path.join(ROOT_DIR, 'src/main.ts');
/** The compiled bot, as `npm start` runs it. */
export const DIST_MAIN = path.join(ROOT_DIR, 'dist/main.js');
export const BIN = path.join(ROOT_DIR, 'bin/digest.mjs');

/** A node child process with its output collected. */
export interface NodeProcess {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

/**
 * Spawns node (asynchronously: the fakes it talks to run in this process) with only what the bot
 * reads: nothing of the developer's own environment or .env leaks in.
 */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string } = {}): NodeProcess {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

/**
 * node's arguments that start the bot: the compiled dist/main.js, as `npm start` runs it, while
 * dist/ is current (the suite's global set-up builds it); otherwise the sources through tsx, so a
 * source changed during a watch run is never tested as its stale build. Compiled, a child bot
 * starts without transforming TypeScript: the suite starts a few hundred of them.
 */
export function botArgs(): string[] {
  return isStale() ? ['--import', 'tsx', MAIN] : [DIST_MAIN];
}

/** The bot as a child process (see {@link botArgs}; `npm start` itself: tests/main/npm-start.test.ts). */
export const startBotProcess = (env: NodeJS.ProcessEnv): NodeProcess => spawnNode(botArgs(), env);

/** One `digest …` command run to its end. */
export async function runCliProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnNode([BIN, ...args], env, options);
  const { code } = await run.exit;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

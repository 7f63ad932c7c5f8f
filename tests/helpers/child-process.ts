import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

/** The repository root, where `npm start` and `bin/digest.mjs` run. */
export const ROOT_DIR = path.resolve(import.meta.dirname, '../..');
/** `npm start`'s entry. */
export const MAIN = path.join(ROOT_DIR, 'src/main.ts');
/** The `digest` CLI. */
export const BIN = path.join(ROOT_DIR, 'bin/digest.mjs');

/** A node child process with its output collected. */
export interface NodeChild {
  exit: Promise<number | null>;
  exited: () => boolean;
  stdout: () => string;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

/**
 * Spawns node with `args` (asynchronously: the fakes it talks to live in this process), in the
 * repository root, with only PATH, HOME, NODE_ENV and `env`: nothing of the developer's own
 * environment or .env leaks in.
 */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv): NodeChild {
  const child = spawn(process.execPath, args, {
    cwd: ROOT_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      done = true;
      resolve(code);
    }),
  );
  return { exit, exited: () => done, stdout: () => stdout, stderr: () => stderr, kill: (signal) => child.kill(signal) };
}

/**
 * Mounts a tmpfs of `size` (e.g. `2m`) on `dir`, for tests that need a disk that really fills up.
 * Returns false where that is not allowed (not root, no mount permission): such tests skip.
 */
export function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Undoes mountTmpfs (every file on it must be closed first). */
export function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'ignore' });
}

import { execFileSync } from 'node:child_process';
import { spawnNode as spawnNodeProcess } from './node-process.ts';

export { BIN, botArgs, MAIN, ROOT_DIR } from './node-process.ts';

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
 * repository root, with only PATH, HOME, NODE_ENV and `env` (see node-process.ts).
 */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv): NodeChild {
  const run = spawnNodeProcess(args, env);
  let done = false;
  const exit = run.exit.then(({ code }) => {
    done = true;
    return code;
  });
  return { exit, exited: () => done, stdout: run.stdout, stderr: run.stderr, kill: (signal) => run.child.kill(signal) };
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

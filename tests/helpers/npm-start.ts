import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { ROOT_DIR } from './node-process.ts';
import { until } from './until.ts';

/** `npm start` as an operator runs it (npm itself the child), with its output collected. */
export interface NpmStart {
  /** The npm process: what a supervisor starts and signals. */
  npm: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once every process writing to npm's output (npm and the bot) has closed it. */
  outputClosed: Promise<void>;
}

/** Runs `npm start` in the repository root with only PATH, HOME and `env`. */
export function startNpm(env: NodeJS.ProcessEnv): NpmStart {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', npm_config_update_notifier: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  npm.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close' waits for the pipes: the bot inherits them, so this is the last process gone.
  const outputClosed = new Promise<void>((resolve) => npm.on('close', () => resolve()));
  return { npm, stdout: () => stdout, stderr: () => stderr, outputClosed };
}

/** The live (not zombie) descendants of `pid`, read from /proc. */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parents.set(Number(name), Number(ppid));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of parents) if (ppid === parent) (found.push(child), visit(child));
  };
  visit(pid);
  return found;
}

/** True while `pid` runs (a zombie, exited but not yet reaped, counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The port of the bot's `http.listening` log line. */
export async function listeningPort(run: NpmStart, timeoutMs = 120_000): Promise<number> {
  return until(
    'the http.listening log line',
    () => {
      const match = /"event":"http\.listening"[^\n]*"port":(\d+)/.exec(run.stderr());
      return match ? Number(match[1]) : null;
    },
    timeoutMs,
    () => `stdout:\n${run.stdout()}\nstderr:\n${run.stderr().slice(-3000)}`,
  );
}

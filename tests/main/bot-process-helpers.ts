import { runCliProcess, spawnNode, startBotProcess, type NodeProcess } from '../helpers/node-process.ts';

/**
 * Running the bot as a newcomer runs it (the compiled entry `npm start` runs; see botArgs) and the
 * `digest` CLI beside it, as real child processes, for the process-level tests.
 */

export { ROOT_DIR } from '../helpers/node-process.ts';
export { spawnNode };

/** Logged once the scheduler runs (the platforms start on their own: see `waitUntilServing`). */
export const SCHEDULER_STARTED = '"event":"scheduler.started"';
/** Logged when a platform has started (connected, commands registered). */
export const platformStarted = (platform: 'discord' | 'telegram'): string => `"event":"platform.started","platform":"${platform}"`;

export type BotProcess = NodeProcess;

export const startBot = startBotProcess;
export const runCli = runCliProcess;

/** Resolves once the bot's log (pino JSON lines on stderr) contains `text`; fails early if it exits. */
export async function waitForLog(bot: BotProcess, text: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void bot.exit.then(() => (exited = true));
  while (!bot.stderr().includes(text)) {
    if (exited || Date.now() > deadline) {
      throw new Error(`bot did not log ${text}${exited ? ' (it exited)' : ''}\nstdout:\n${bot.stdout()}\nstderr:\n${bot.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once the scheduler runs and each of `platforms` has started. */
export async function waitUntilServing(bot: BotProcess, platforms: ReadonlyArray<'discord' | 'telegram'> = ['discord', 'telegram'], timeoutMs = 120_000): Promise<void> {
  await waitForLog(bot, SCHEDULER_STARTED, timeoutMs);
  for (const platform of platforms) await waitForLog(bot, platformStarted(platform), timeoutMs);
}

/**
 * Sends SIGTERM and resolves with the exit. A bot still running after 10 s is killed, which shows
 * up as `signal: 'SIGKILL'` in the caller's assertion rather than as a hung suite.
 */
export async function stopBot(bot: BotProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  bot.child.kill('SIGTERM');
  const hang = setTimeout(() => bot.child.kill('SIGKILL'), 10_000);
  const result = await bot.exit;
  clearTimeout(hang);
  return { ...result, ms: Date.now() - started };
}

/** Waits up to `timeoutMs` for the process to exit on its own; a bot still running then is killed (signal SIGKILL). */
export async function exitWithin(bot: BotProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  const hang = setTimeout(() => bot.child.kill('SIGKILL'), timeoutMs);
  const result = await bot.exit;
  clearTimeout(hang);
  return { ...result, ms: Date.now() - started };
}

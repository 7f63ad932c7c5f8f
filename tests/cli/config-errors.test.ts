import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';

const root = mkdtempSync(path.join(tmpdir(), 'digest-config-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd: root };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('configuration problems in every digest command', () => {
  const env = { SHUTDOWN_TIMEOUT_SECONDS: 'abc', TIMEZONE: 'Mars/Olympus', DATABASE_PATH: path.join(root, 'never.db') };
  const commands = [['preview'], ['check'], ['status'], ['subs', 'list'], ['post'], ['wordcloud'], ['subs', 'add', 'telegram', '1']];

  it.each(commands)('digest %s: every problem on its own line, named by the variable set', async (...argv) => {
    const result = await run(argv, env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      `digest ${argv[0]}: invalid configuration:`,
      '  - SHUTDOWN_TIMEOUT_SECONDS: must be a number, not "abc"',
      expect.stringMatching(/^ {2}- TIMEZONE: not an IANA timezone/),
      '',
    ]);
  });
});

import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import type { FakeDiscord } from '../helpers/fake-discord.ts';
import type { FakeTelegram } from '../helpers/fake-telegram.ts';

const ROOT_DIR = path.resolve(import.meta.dirname, '../..');

/**
 * The seed reports: the shared folder beside the clone (`../shared/reports`, as CI lays it out),
 * else the copy kept in the repository.
 */
const SHARED_REPORTS = path.resolve(ROOT_DIR, '../shared/reports');
export const SEED_REPORTS = existsSync(SHARED_REPORTS) ? SHARED_REPORTS : path.join(ROOT_DIR, 'tests/fixtures/reports/seeds');

/** A project folder for `digest post`: seed reports, a config, a database path and the fakes' env. */
export function postProject(
  root: string,
  name: string,
  fakes: { telegram?: FakeTelegram; discord?: FakeDiscord },
  config: Record<string, unknown> = {},
) {
  const dir = mkdtempSync(path.join(root, `${name}-`));
  const contentDir = path.join(dir, 'content');
  cpSync(SEED_REPORTS, contentDir, { recursive: true });
  mkdirSync(path.join(dir, 'config'));
  const configFile = path.join(dir, 'config', 'local.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      wordcloud: { cacheDir: path.join(root, 'wordclouds') },
      delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 50 },
      logLevel: 'error',
      ...config,
    }),
  );
  const dbPath = path.join(dir, 'data', 'bot.db');
  const env: NodeJS.ProcessEnv = {
    DATABASE_PATH: dbPath,
    CONTENT_DIR: contentDir,
    ...(fakes.telegram ? { TELEGRAM_BOT_TOKEN: fakes.telegram.token, TELEGRAM_API_ROOT: fakes.telegram.apiRoot } : {}),
    ...(fakes.discord ? { DISCORD_TOKEN: fakes.discord.token, DISCORD_API_BASE: fakes.discord.apiBase } : {}),
  };
  return {
    dir,
    dbPath,
    env,
    async post(...argv: string[]) {
      let stdout = '';
      let stderr = '';
      const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd: dir };
      const code = await runCli(['post', ...argv], io);
      return { code, stdout, stderr };
    },
  };
}

export function tempRoot(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

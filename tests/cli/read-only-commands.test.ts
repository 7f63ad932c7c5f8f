import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { SEED_REPORTS } from './post-helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'digest-read-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { CONTENT_DIR: SEED_REPORTS, ...env }, cwd: root };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('read-only commands never create a database', () => {
  const typo = path.join(root, 'typo.db');

  it.each([['status'], ['subs', 'list']])('digest %s with a DATABASE_PATH that does not exist says so, exit 1, and creates nothing', async (...argv) => {
    const result = await run(argv, { DATABASE_PATH: typo });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `digest ${argv[0]}: database ${typo}: no such file (DATABASE_PATH): the bot creates it on its first start, as does \`digest subs add\`; check the path\n`,
    });
    expect(existsSync(typo)).toBe(false);
  });

  it('digest check and digest preview run without one and leave none behind', async () => {
    expect((await run(['check'], { DATABASE_PATH: typo })).code).toBe(0);
    expect((await run(['preview', '--json'], { DATABASE_PATH: typo })).code).toBe(0);
    expect(readdirSync(root).filter((name) => name.startsWith('typo'))).toEqual([]);
  }, 60_000);

  it('digest subs add still creates the database (a write is what creating is for)', async () => {
    const fresh = path.join(root, 'fresh', 'bot.db');
    expect((await run(['subs', 'add', 'telegram', '-1'], { DATABASE_PATH: fresh })).code).toBe(0);
    expect((await run(['subs', 'list'], { DATABASE_PATH: fresh })).stdout).toContain('1 subscription, 1 active');
  });
});

const enabled = await runPostgresTests('read-only-commands');
const schema = uniqueSchema('digest_readonly');
const databaseUrl = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
afterAll(async () => {
  if (enabled) await dropSchema(schema);
});

describe.runIf(enabled)('read-only commands on PostgreSQL', () => {
  it('status on a database without the bot tables says so and creates no table', async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      const result = await run(['status'], { DATABASE_URL: databaseUrl });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^digest status: database postgres:\/\/.*: has no bot tables \(DATABASE_URL\)/);
      const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
      expect(tables.rows).toEqual([]);
      // Once a write has created them, status reads them.
      expect((await run(['subs', 'add', 'telegram', '-5'], { DATABASE_URL: databaseUrl })).code).toBe(0);
      expect((await run(['status', '--json'], { DATABASE_URL: databaseUrl })).code).toBe(0);
    } finally {
      await client.end();
    }
  });
});

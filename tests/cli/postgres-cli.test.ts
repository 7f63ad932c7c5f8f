import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';

// DATABASE_URL selects PostgreSQL for the CLI: `digest subs` writes there (and not to a SQLite
// file at DATABASE_PATH), `digest status` reads there. The URL's search_path puts this file's
// tables in a schema of its own.
const enabled = await runPostgresTests('postgres-cli');
const schema = uniqueSchema('digest_cli');
const root = mkdtempSync(path.join(tmpdir(), 'digest-pg-cli-'));
const databaseUrl = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

beforeAll(async () => {
  if (!enabled) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.end();
});
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  if (enabled) await dropSchema(schema);
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { DATABASE_URL: databaseUrl, DATABASE_PATH: path.join(root, 'data', 'unused.db') },
    cwd: root,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe.runIf(enabled)('the digest CLI on PostgreSQL (DATABASE_URL)', () => {
  it('subs add / list / remove and status read and write the PostgreSQL database, never a SQLite file', async () => {
    expect(await run('subs', 'add', 'telegram', '-1001234567890123')).toMatchObject({ code: 0, stdout: 'added: telegram -1001234567890123\n', stderr: '' });
    expect(await run('subs', 'add', 'discord', '1234567890123456789', '--role', '223456789012345678')).toMatchObject({ code: 0, stderr: '' });
    const listed = await run('subs', 'list', '--json');
    const options = { mentionRoleId: null, silent: false, wordcloud: true, language: null, layout: null, forumTagId: null, publish: null, collapseDetails: null };
    expect(JSON.parse(listed.stdout)).toEqual([
      { platform: 'telegram', chatId: '-1001234567890123', threadId: null, active: true, reason: null, options },
      { platform: 'discord', chatId: '1234567890123456789', threadId: null, active: true, reason: null, options: { ...options, mentionRoleId: '223456789012345678' } },
    ]);
    expect(await run('subs', 'remove', 'discord', '1234567890123456789')).toMatchObject({ code: 0, stdout: 'removed: discord 1234567890123456789\n' });
    const status = await run('status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).subscriptions).toMatchObject({ telegram: { active: 1, inactive: 0 }, discord: { active: 0, inactive: 1 } });

    // The rows are in that schema, seen by a store of its own.
    const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
    try {
      expect((await store.listSubscriptions({ activeOnly: true })).map((s) => s.chatId)).toEqual(['-1001234567890123']);
    } finally {
      await store.close();
    }
    // Nothing was written to DATABASE_PATH.
    expect(existsSync(path.join(root, 'data', 'unused.db'))).toBe(false);
  });
});

import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import type { Store } from '../../src/store/store.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';

// `digest db copy <from> <to>`: SQLite ↔ PostgreSQL, the refusals included. The source is the
// fixture written by main before the Migrator (tests/fixtures/databases/main-v5.db).
const enabled = await runPostgresTests('db-copy');
const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'databases', 'main-v5.db');
const root = mkdtempSync(path.join(tmpdir(), 'db-copy-'));
const schemas: string[] = [];
let n = 0;
const file = (name: string) => path.join(root, `${++n}-${name}`);

/** A URL whose tables live in a fresh schema of their own. */
async function freshUrl(): Promise<{ url: string; schema: string }> {
  const schema = uniqueSchema('digest_copy');
  schemas.push(schema);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.end();
  return { url: `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`, schema };
}

async function digest(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: ROOT };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** Everything a store holds, without the database's own ids. */
async function contents(store: Store) {
  const subscriptions = (await store.listSubscriptions()).map(({ id: _id, ...rest }) => rest);
  const deliveries = await Promise.all(
    (await store.listDeliveries()).map(async ({ id, ...rest }) => ({ ...rest, parts: (await store.listDeliveryParts(id)).map(({ deliveryId: _d, ...part }) => part) })),
  );
  return { subscriptions, deliveries };
}

async function withStore<T>(open: Promise<Store>, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await open;
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema);
});

describe.runIf(enabled)('digest db copy', () => {
  let source: string;
  let expected: Awaited<ReturnType<typeof contents>>;
  beforeAll(async () => {
    source = file('digest.db');
    copyFileSync(FIXTURE, source);
    expected = await withStore(SqliteStore.open(source), contents);
  });

  it('SQLite → PostgreSQL → SQLite: every subscription, option, ledger row, part, hash and handled update arrives', async () => {
    const { url, schema } = await freshUrl();
    const toPg = await digest('db', 'copy', source, url);
    expect(toPg.stderr).toBe('');
    expect(toPg.code).toBe(0);
    expect(toPg.stdout).toMatch(/subscriptions\s+3 copied\n\s+deliveries\s+3 copied\n\s+delivery_parts\s+3 copied\n\s+handled_updates\s+2 copied/);
    await withStore(PostgresStore.open(TEST_DATABASE_URL, { schema }), async (store) => {
      expect(await contents(store)).toEqual(expected);
      expect(await store.claimUpdate('telegram', '123456:1001')).toBe(false);
    });

    const backup = file('backup.db');
    const toSqlite = await digest('db', 'copy', url, backup);
    expect(toSqlite.code).toBe(0);
    await withStore(SqliteStore.open(backup), async (store) => {
      expect(await contents(store)).toEqual(expected);
      expect(await store.claimUpdate('telegram', '123456:1002')).toBe(false);
    });
  });

  it('refuses a target that holds rows, writing nothing; --merge keeps the rows already there and counts the skipped', async () => {
    const target = file('target.db');
    await withStore(SqliteStore.open(target), async (store) => {
      await store.subscribe({ platform: 'discord', chatId: '1234567890123456789', threadId: null, title: 'kept', subscribedBy: 'cli' });
    });
    const refused = await digest('db', 'copy', source, target);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(`digest db copy: ${target} already holds 1 subscriptions and 0 deliveries; nothing written (with --merge the rows already there win)\n`);
    await withStore(SqliteStore.open(target), async (store) => expect(await store.listSubscriptions()).toHaveLength(1));

    const merged = await digest('db', 'copy', source, target, '--merge');
    expect(merged.code).toBe(0);
    expect(merged.stdout).toContain('subscriptions          2 copied, 1 skipped (already there)');
    expect(merged.stdout).toContain('deliveries             3 copied, 0 skipped (already there)');
    await withStore(SqliteStore.open(target), async (store) => {
      const subs = await store.listSubscriptions();
      expect(subs).toHaveLength(3);
      expect(subs.find((s) => s.platform === 'discord')?.title).toBe('kept');
    });
  });

  it.each([
    ['a source that is not a database', () => {
      const text = file('notes.db');
      writeFileSync(text, 'date,title\n2026-01-03,hello\n'.repeat(200));
      return text;
    }, /^digest db copy: database .*notes\.db: cannot open: not a SQLite database/],
    ['a source path with no file', () => file('missing.db'), /^digest db copy: database .*missing\.db: no database file there\n$/],
    ['a source URL that does not answer', () => 'postgres://postgres@127.0.0.1:1/test', /^digest db copy: database postgres:\/\/postgres@127\.0\.0\.1:1\/test: cannot open: .*ECONNREFUSED/],
    ['a source at a newer schema', () => {
      const newer = file('newer.db');
      copyFileSync(FIXTURE, newer);
      const db = new Database(newer);
      db.pragma('user_version = 9');
      db.close();
      return newer;
    }, /^digest db copy: database .*newer\.db: schema version 9 is newer than this bot understands \(\d+\)/],
  ])('refuses %s with one line, exit 1, nothing written', async (_what, makeSource, message) => {
    const target = file('never.db');
    const result = await digest('db', 'copy', makeSource(), target);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a target URL that does not answer, with one line', async () => {
    const result = await digest('db', 'copy', source, 'postgres://postgres:secret@127.0.0.1:1/test');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^digest db copy: database postgres:\/\/postgres@127\.0\.0\.1:1\/test: cannot open: .*ECONNREFUSED.*\n$/);
    expect(result.stderr).not.toContain('secret');
  });
});

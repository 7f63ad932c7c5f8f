import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.ts';
import { STORE_MIGRATION_NAMES } from '../../src/store/kysely-schema.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const root = mkdtempSync(path.join(tmpdir(), 'digest-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name = 'digest.db') => path.join(root, `case-${++n}`, name);

async function rejectionOf(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

describe('opening a database file', () => {
  it('creates missing parent folders, migrates from empty, and uses WAL', async () => {
    const file = fresh(path.join('nested', 'deeper', 'digest.db'));
    const store = await SqliteStore.open(file);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(STORE_MIGRATION_NAMES.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['deliveries', 'delivery_parts', 'handled_updates', 'kysely_migration', 'kysely_migration_lock', 'subscriptions']);
    expect(db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all()).toEqual(STORE_MIGRATION_NAMES);
    db.close();
  });

  it('loses nothing across close and reopen', async () => {
    const file = fresh();
    const first = await SqliteStore.open(file);
    await first.subscribe({ platform: 'telegram', chatId: '-1001', threadId: '7', title: '群', subscribedBy: 'cli' });
    await first.subscribe({ platform: 'discord', chatId: '2', threadId: null, subscribedBy: 'cli' });
    await first.unsubscribe({ platform: 'discord', chatId: '2', threadId: null }, 'unsubscribed by cli');
    const { delivery } = await first.claimDelivery({
      slug: '2026-01-03',
      destination: { platform: 'telegram', chatId: '-1001', threadId: '7' },
      kind: 'scheduled',
    });
    await first.markDelivered(delivery.id, ['10', '11']);
    const subs = await first.listSubscriptions();
    const deliveries = await first.listDeliveries();
    await first.close();

    const second = await SqliteStore.open(file);
    expect(await second.listSubscriptions()).toEqual(subs);
    expect(await second.listDeliveries()).toEqual(deliveries);
    expect(deliveries[0]?.messageIds).toEqual(['10', '11']);
    await second.close();
  });

  it('reopening an up-to-date database runs no migration again', async () => {
    const file = fresh();
    await (await SqliteStore.open(file)).close();
    const recorded = () => {
      const db = new Database(file, { readonly: true });
      const rows = db.prepare('SELECT name, timestamp FROM kysely_migration ORDER BY name').all();
      db.close();
      return rows;
    };
    const before = recorded();
    await (await SqliteStore.open(file)).close();
    expect(recorded()).toEqual(before);
  });

  it('refuses a database from a newer schema version and leaves it untouched', async () => {
    const file = fresh();
    await (await SqliteStore.open(file)).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${STORE_MIGRATION_NAMES.length + 3}`);
    raw.close();
    const error = (await rejectionOf(SqliteStore.open(file)));
    expect(error.message).toBe(
      `database ${file}: schema version ${STORE_MIGRATION_NAMES.length + 3} is newer than this bot understands (${STORE_MIGRATION_NAMES.length}); upgrade the bot or use a different DATABASE_PATH`,
    );
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(STORE_MIGRATION_NAMES.length + 3);
    check.close();
  });

  it.each([
    ['random bytes', () => Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256))],
    ['a text file', () => Buffer.from('date,title\n2026-01-03,hello\n'.repeat(200))],
    ['a SQLite header over garbage', () => Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0xab)])],
  ])('refuses %s with "not a SQLite database"', async (_what, bytes) => {
    const file = fresh();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes());
    const error = (await rejectionOf(SqliteStore.open(file)));
    expect(error.message).toBe(`database ${file}: cannot open: not a SQLite database (the file is corrupt or something else entirely)`);
    expect(error.cause).toBeDefined();
  });

  it('says when a directory is in the way of the database file', async () => {
    const file = fresh();
    mkdirSync(file, { recursive: true });
    expect((await rejectionOf(SqliteStore.open(file))).message).toBe(
      `database ${file}: the path is a directory, not a database file`,
    );
  });

  it('says when the folder cannot be created because a file is in the way', async () => {
    const blocker = fresh('not-a-folder');
    mkdirSync(path.dirname(blocker), { recursive: true });
    writeFileSync(blocker, 'x');
    const file = path.join(blocker, 'data', 'digest.db');
    const message = (await rejectionOf(SqliteStore.open(file))).message;
    expect(message).toBe(
      `database ${file}: cannot create directory ${path.dirname(file)}: a part of the path is a file, not a directory`,
    );
  });

  it('says when the database file is where a folder should be', async () => {
    const blocker = fresh('data');
    mkdirSync(path.dirname(blocker), { recursive: true });
    writeFileSync(blocker, 'x');
    const file = path.join(blocker, 'digest.db');
    expect((await rejectionOf(SqliteStore.open(file))).message).toMatch(/^database .*: cannot create directory .*: a file is in the way$/);
  });

  it('turns a failure after opening into a StoreError naming what was being done', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.close();
    const error = await rejectionOf(store.listSubscriptions());
    expect(error.message).toMatch(/^database :memory:: cannot list subscriptions: The database connection is not open$/);
  });
});

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.ts';
import { STORE_MIGRATION_NAMES } from '../../src/store/kysely-schema.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

// SQLite files written before the Migrator kept the history (PRAGMA user_version 1 to 5) join it
// in place. Fixtures: tests/fixtures/databases/main-v5.db, written through the store of main at
// 3f7b307 (user_version 5), and schema-v1.db, the oldest schema (user_version 1).
const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'databases');
const root = mkdtempSync(path.join(tmpdir(), 'digest-upgrade-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function copyOf(fixture: string): string {
  const file = path.join(root, `${++n}-${fixture}`);
  copyFileSync(path.join(fixtures, fixture), file);
  return file;
}

function inspect(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    return {
      userVersion: db.pragma('user_version', { simple: true }),
      tables,
      history: tables.includes('kysely_migration') ? db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all() : [],
    };
  } finally {
    db.close();
  }
}

const discord = { platform: 'discord' as const, chatId: '1234567890123456789', threadId: null };
const topic = { platform: 'telegram' as const, chatId: '-1001234567890123', threadId: '42' };

describe('a SQLite file from before the Migrator', () => {
  it('at user_version 5 (main today): every row, option, part, hash and handled update is kept', async () => {
    const file = copyOf('main-v5.db');
    const store = await SqliteStore.open(file);
    try {
      expect(inspect(file)).toMatchObject({ userVersion: STORE_MIGRATION_NAMES.length, history: STORE_MIGRATION_NAMES });
      const subs = await store.listSubscriptions();
      expect(subs.map((s) => [s.platform, s.chatId, s.threadId, s.active])).toEqual([
        ['discord', '1234567890123456789', null, true],
        ['telegram', '-1001234567890123', '42', true],
        ['telegram', '-1009', null, false],
      ]);
      expect(subs[0]).toMatchObject({ guildId: '987654321987654321', title: '#ai-news', options: { mentionRoleId: '555', silent: true, wordcloud: true, language: null } });
      expect(subs[1]).toMatchObject({ timeOfDay: '08:30', timezone: 'Asia/Shanghai', options: { wordcloud: false, language: 'en', silent: false } });
      expect(subs[2]?.reason).toBe('unsubscribed by cli');

      const delivered = await store.getDelivery('2026-01-02', discord, 'scheduled');
      expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, messageIds: ['111000111000111000', '111000111000111001'], contentHash: 'a'.repeat(64) });
      expect((await store.listDeliveryParts(delivered!.id)).map((p) => p.messageId)).toEqual(['111000111000111000', '111000111000111001']);
      const failed = await store.getDelivery('2026-01-02', topic, 'scheduled');
      expect(failed).toMatchObject({ status: 'failed', lastError: '429 Too Many Requests' });
      expect(await store.listDeliveryParts(failed!.id)).toEqual([expect.objectContaining({ index: 0, messageId: '77', plan: 'text-only' })]);
      expect((await store.listDeliveries()).length).toBe(3);
      // The handled update ids are still remembered; a new one is not.
      expect(await store.claimUpdate('telegram', '123456:1001')).toBe(false);
      expect(await store.claimUpdate('telegram', '123456:1003')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('at user_version 1 (the oldest schema): upgraded to the last step, rows kept with the defaults of what came later', async () => {
    const file = copyOf('schema-v1.db');
    const store = await SqliteStore.open(file);
    try {
      expect(inspect(file)).toMatchObject({
        userVersion: STORE_MIGRATION_NAMES.length,
        history: STORE_MIGRATION_NAMES,
        tables: ['deliveries', 'delivery_parts', 'handled_updates', 'kysely_migration', 'kysely_migration_lock', 'subscriptions'],
      });
      const subs = await store.listSubscriptions();
      expect(subs).toHaveLength(3);
      expect(subs.every((s) => s.options.wordcloud && !s.options.silent && s.options.mentionRoleId === null)).toBe(true);
      expect(subs[2]).toMatchObject({ active: false, reason: '403 bot was kicked from the group chat' });
      const delivered = await store.getDelivery('2025-06-01', discord, 'scheduled');
      expect(delivered).toMatchObject({ status: 'delivered', messageIds: ['900', '901'], contentHash: null });
      // The new columns and tables work on the old rows.
      expect((await store.setSubscriptionOptions(topic, { language: 'en' }))?.options.language).toBe('en');
      await store.recordDeliveryPart(delivered!.id, { index: 0, messageId: '900', plan: '' });
      expect(await store.listDeliveryParts(delivered!.id)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('an upgrade that fails part-way leaves the file exactly at its old version (one transaction)', async () => {
    const file = copyOf('schema-v1.db');
    const raw = new Database(file);
    // Something in the way of step 0004 (an operator's own table of that name).
    raw.exec('CREATE TABLE handled_updates (x INTEGER)');
    raw.close();
    const error = await SqliteStore.open(file).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/migration 0004-handled-updates failed: .*handled_updates already exists/);
    const after = inspect(file);
    expect(after.userVersion).toBe(1);
    expect(after.tables).not.toContain('delivery_parts');
    expect(after.history).toEqual([]);
  });
});

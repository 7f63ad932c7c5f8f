import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const root = mkdtempSync(path.join(tmpdir(), 'digest-deleted-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(root, `case-${++n}`, 'digest.db');
const chat = (chatId: string) => ({ platform: 'telegram' as const, chatId, threadId: null });

async function fortySubscriptions(store: SqliteStore): Promise<void> {
  for (let i = 0; i < 40; i++) await store.subscribe({ ...chat(String(-1000 - i)), subscribedBy: 'cli' });
}

describe('the database file deleted or replaced under a running process', () => {
  it('refuses writes to a deleted file instead of saying "saved", and names the problem', async () => {
    const file = fresh();
    const store = await SqliteStore.open(file);
    await fortySubscriptions(store);
    expect(store.fileProblem()).toBeNull();
    unlinkSync(file);
    expect(store.fileProblem()).toContain('was deleted');
    await expect(store.subscribe({ ...chat('-1'), subscribedBy: 'telegram:1' })).rejects.toThrow(StoreError);
    await expect(store.subscribe({ ...chat('-1'), subscribedBy: 'telegram:1' })).rejects.toThrow(/was deleted while the bot was running/);
    await store.close();
  });

  it('notices a file replaced by another one (same path, other inode)', async () => {
    const file = fresh();
    const store = await SqliteStore.open(file);
    const other = await SqliteStore.open(`${file}.other`);
    await other.close();
    renameSync(`${file}.other`, file);
    expect(store.fileProblem()).toContain('replaced by another file');
    await store.close();
  });

  it('rescues the deleted database through its open connection: all 40 subscriptions and the ledger', async () => {
    const file = fresh();
    const store = await SqliteStore.open(file);
    await fortySubscriptions(store);
    const { delivery } = await store.claimDelivery({ slug: 's', destination: chat('-1000'), kind: 'scheduled' });
    await store.markDelivered(delivery.id, ['7']);
    unlinkSync(file);
    const copy = store.rescue();
    await store.close();
    expect(copy.startsWith(`${file}.rescued-`)).toBe(true);
    const rescued = await SqliteStore.open(copy);
    expect(await rescued.listSubscriptions()).toHaveLength(40);
    expect(await rescued.listDeliveries()).toEqual([expect.objectContaining({ status: 'delivered', messageIds: ['7'] })]);
    await rescued.close();
  });

  it('does not open a fresh empty database where the file vanished but its -wal / -shm are still there', async () => {
    const file = fresh();
    const running = await SqliteStore.open(file);
    await fortySubscriptions(running);
    unlinkSync(file);
    // What `digest subs list` or a restarted bot would do while the first process still runs.
    await expect(SqliteStore.open(file)).rejects.toThrow(/database file is missing but digest\.db-wal and digest\.db-shm are still there/);
    expect(existsSync(file)).toBe(false);
    await running.close();
  });

  it('opens a fresh database when there is nothing left of an old one', async () => {
    const file = fresh();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(path.join(path.dirname(file), 'unrelated.txt'), 'x');
    const store = await SqliteStore.open(file);
    expect(await store.listSubscriptions()).toEqual([]);
    await store.close();
  });
});

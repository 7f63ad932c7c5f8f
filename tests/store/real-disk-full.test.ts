import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { ScriptedPlatform, testDigest } from '../delivery/scripted-platform.ts';
import { mountTmpfs, unmount } from '../helpers/child-process.ts';

/**
 * A real full disk, not an injected error: the database on a 2 MB tmpfs that is filled up while a
 * fan-out is under way. Needs root with permission to mount (a developer machine or container run
 * as root); skipped elsewhere, where tests/delivery/ledger-faults.test.ts covers the same with the
 * SQLITE_FULL error injected.
 */
const mountPoint = mkdtempSync(path.join(tmpdir(), 'disk-full-'));
const mounted = mountTmpfs(mountPoint, '2m');
let store: SqliteStore | null = null;
afterAll(async () => {
  // Closed first even when the test failed: a tmpfs with an open file cannot be unmounted.
  await store?.close();
  if (mounted) unmount(mountPoint);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a disk that fills up mid-fan-out (real tmpfs)', () => {
  it('never sends a chat the digest twice, and records every delivery once space is back', async () => {
    const file = path.join(mountPoint, 'digest.db');
    const filler = path.join(mountPoint, 'filler');
    store = await SqliteStore.open(file);
    const chats = Array.from({ length: 40 }, (_, i) => ({ platform: 'telegram' as const, chatId: String(-1000 - i), threadId: null }));
    for (const c of chats) await store.subscribe({ ...c, subscribedBy: 'cli' });
    const telegram = new ScriptedPlatform('telegram');
    const send = telegram.sendDigest.bind(telegram);
    let filled = false;
    telegram.sendDigest = async (...args) => {
      if (!filled) {
        filled = true;
        try {
          writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
        } catch {
          // ENOSPC: the disk is now full, which is the point.
        }
      }
      return send(...args);
    };
    const deliverer = new Deliverer({
      store,
      platforms: { telegram },
      policy: { maxAttempts: 2, backoffBaseMs: 1, backoffCapMs: 1 },
      sleep: async () => undefined,
    });
    const slug = 'twitter_ai_20260103_20260103';
    const request = { slug, digest: testDigest(slug), destinations: chats, kind: 'scheduled' as const };

    const first = await deliverer.deliver(request);
    expect(first.results.some((r) => r.ledgerProblem?.includes('the disk is full'))).toBe(true);
    expect(deliverer.ledger.unavailable).not.toBeNull();

    rmSync(filler);
    for (let run = 0; run < 5 && telegram.delivered.length < 40; run++) await deliverer.deliver(request);
    await deliverer.deliver(request);
    for (const c of chats) expect(telegram.deliveredTo(c.chatId)).toBe(1);
    expect((await store.listDeliveries({ slug })).filter((d) => d.status === 'delivered')).toHaveLength(40);
    expect(deliverer.ledger.unavailable).toBeNull();
    await store.close();
    store = null;
  });
});

describe.skipIf(!mounted)('a database on a read-only file system (real tmpfs remounted read-only)', () => {
  it('is reported unwritable before any fan-out, even to root', async () => {
    const { execFileSync } = await import('node:child_process');
    const { unwritableProblem } = await import('../../src/store/database-file.ts');
    const file = path.join(mountPoint, 'readonly.db');
    await (await SqliteStore.open(file)).close();
    expect(unwritableProblem(file)).toBeNull();
    execFileSync('mount', ['-o', 'remount,ro', mountPoint], { stdio: 'ignore' });
    try {
      expect(unwritableProblem(file)).toMatch(/readonly\.db is not writable \(EROFS\)/);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint], { stdio: 'ignore' });
    }
  });
});

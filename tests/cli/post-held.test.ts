import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { postProject, SEED_REPORTS, tempRoot } from './post-helpers.ts';

/**
 * `digest post` and a report held as incomplete (issue 16 §5): refused with the reason and the
 * way out, sent as it is with `--force`, through the real grammY client to the fake Telegram.
 */

const GROUP = -1009100;
const root = tempRoot('digest-post-held-');
let telegram: FakeTelegram;

beforeAll(async () => {
  telegram = await startFakeTelegram();
  telegram.addChat({ id: GROUP, type: 'group', title: 'held' });
});
afterAll(async () => {
  await telegram.close();
  rmSync(root, { recursive: true, force: true });
});

describe('digest post of a report with fewer points than its heading announces', () => {
  it('is refused with the reason (exit 1, nothing sent); --force sends it as it is', async () => {
    const p = postProject(root, 'held', { telegram }, { wordcloud: { enabled: false } });
    const seed = readFileSync(path.join(SEED_REPORTS, 'twitter_ai_20260122_20260122.md'), 'utf8');
    const file = path.join(p.env['CONTENT_DIR']!, 'twitter_ai_20260122_20260122.md');
    writeFileSync(file, seed.slice(0, seed.search(/\n4\.\s+\*\*/)));
    const when = new Date(Date.now() - 60_000);
    utimesSync(file, when, when);
    const store = await SqliteStore.open(p.dbPath);
    await store.subscribe({ platform: 'telegram', chatId: String(GROUP), threadId: null, subscribedBy: 'cli' });
    await store.close();

    const held = await p.post('2026-01-22');
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('digest post: report twitter_ai_20260122_20260122 is held: only 3 of 10 core points');
    expect(held.stderr).toContain('digest post 2026-01-22 --force sends it as it is');
    expect(telegram.sent.filter((m) => m.chatId === GROUP)).toEqual([]);

    const forced = await p.post('2026-01-22', '--force');
    expect(forced.stdout).toBe('telegram: 1 delivered, 0 skipped (already delivered), 0 deactivated, 0 failed\n');
    expect(forced.code).toBe(0);
    expect(telegram.sent.filter((m) => m.chatId === GROUP).length).toBeGreaterThan(0);
  });
});

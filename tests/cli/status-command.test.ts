import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { formatLocal } from '../../src/status/collect-status.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function status(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd: ROOT };
  const code = await runCli(['status', ...argv], io);
  return { code, stdout, stderr };
}

describe('digest status', () => {
  it('--json: subscriptions per platform, the last fan-out from the ledger, every active subscription next due', async () => {
    const dbPath = path.join(mkdtempSync(path.join(tmpdir(), 'status-')), 'bot.db');
    const env = { DATABASE_PATH: dbPath, TIMEZONE: 'Asia/Shanghai' };
    await (await SqliteStore.open(dbPath)).close();
    const empty = await status(['--json'], env);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual({
      subscriptions: { discord: { active: 0, inactive: 0 }, telegram: { active: 0, inactive: 0 } },
      lastFanout: null,
      nextDue: [],
    });

    const store = await SqliteStore.open(dbPath);
    await store.subscribe({ platform: 'telegram', chatId: '-100', threadId: null, subscribedBy: 'cli', timeOfDay: '08:30', timezone: 'Europe/Berlin' });
    await store.subscribe({ platform: 'discord', chatId: '900', threadId: null, subscribedBy: 'cli' });
    await store.subscribe({ platform: 'telegram', chatId: '-200', threadId: null, subscribedBy: 'cli' });
    await store.deactivate({ platform: 'telegram', chatId: '-200', threadId: null }, '403 bot was kicked');
    const older = await store.claimDelivery({ slug: 'twitter_ai_20260102_20260102', destination: { platform: 'discord', chatId: '900', threadId: null }, kind: 'scheduled' });
    await store.markDelivered(older.delivery.id, ['1']);
    const a = await store.claimDelivery({ slug: 'twitter_ai_20260103_20260103', destination: { platform: 'discord', chatId: '900', threadId: null }, kind: 'scheduled' });
    await store.markDelivered(a.delivery.id, ['2']);
    const b = await store.claimDelivery({ slug: 'twitter_ai_20260103_20260103', destination: { platform: 'telegram', chatId: '-100', threadId: null }, kind: 'scheduled' });
    await store.markFailed(b.delivery.id, 'transient: 502 Bad Gateway');
    await store.close();

    const before = Date.now();
    const { code, stdout, stderr } = await status(['--json'], env);
    expect(code, stderr).toBe(0);
    const json = JSON.parse(stdout) as {
      subscriptions: unknown;
      lastFanout: { slug: string; finishedAt: string; delivered: number; failed: number };
      nextDue: { platform: string; chatId: string; at: string }[];
    };
    expect(Object.keys(json)).toEqual(['subscriptions', 'lastFanout', 'nextDue']);
    expect(json.subscriptions).toEqual({ discord: { active: 1, inactive: 0 }, telegram: { active: 1, inactive: 1 } });
    expect(json.lastFanout).toMatchObject({ slug: 'twitter_ai_20260103_20260103', delivered: 1, failed: 1 });
    expect(Number.isNaN(Date.parse(json.lastFanout.finishedAt))).toBe(false);
    expect(json.nextDue.map((d) => Object.keys(d))).toEqual([['platform', 'chatId', 'at'], ['platform', 'chatId', 'at']]);
    const byChat = Object.fromEntries(json.nextDue.map((d) => [d.chatId, Date.parse(d.at)]));
    // Due in the next day, at each one's own local time: 08:30 in Berlin, 09:00 (the global schedule) in Shanghai.
    for (const at of Object.values(byChat)) {
      expect(at).toBeGreaterThan(before);
      expect(at).toBeLessThanOrEqual(before + 86_400_000 + 60_000);
    }
    expect(formatLocal(byChat['-100']!, 'Europe/Berlin')).toMatch(/ 08:30$/);
    expect(formatLocal(byChat['900']!, 'Asia/Shanghai')).toMatch(/ 09:00$/);
    expect(json.nextDue.map((d) => d.at)).toEqual([...json.nextDue.map((d) => d.at)].sort());

    const text = await status([], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('telegram 1 active, 1 deactivated');
    expect(text.stdout).toContain('deactivated (403 bot was kicked)');
    expect(text.stdout).toContain('telegram -100: failed: transient: 502 Bad Gateway');
    expect(text.stdout).toMatch(/telegram -100: \d{4}-\d\d-\d\d 08:30 Europe\/Berlin = /);

    const bad = await status(['--nope'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^digest status: /);
  });
});

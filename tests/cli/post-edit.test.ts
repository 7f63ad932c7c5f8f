import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { postProject, tempRoot } from './post-helpers.ts';

const GUILD = '820000000000000001';
const CHANNEL = '820000000000000101';
const GROUP = -2001;
const NEWEST = 'twitter_ai_20260122_20260122';

let telegram: FakeTelegram;
let discord: FakeDiscord;
const root = tempRoot('digest-post-edit-');

beforeAll(async () => {
  telegram = await startFakeTelegram({ enforceRateLimits: true });
  discord = await startFakeDiscord({ enforceRateLimits: true });
  discord.addGuild({ id: GUILD, name: 'guild', channels: [{ id: CHANNEL, type: 0 as const, name: 'news' }] });
  telegram.addChat({ id: GROUP, type: 'group', title: 'g' });
});
afterAll(async () => {
  await telegram.close();
  await discord.close();
  rmSync(root, { recursive: true, force: true });
});

describe('digest post --edit', () => {
  it('corrects the delivered messages of an edited report in place; nothing is sent anew; a second run finds nothing to do', async () => {
    const p = postProject(root, 'edit', { telegram, discord });
    const store = await SqliteStore.open(p.dbPath);
    await store.subscribe({ platform: 'telegram', chatId: String(GROUP), threadId: null, subscribedBy: 'cli' });
    await store.subscribe({ platform: 'discord', chatId: CHANNEL, threadId: null, subscribedBy: 'cli' });
    await store.close();
    expect((await p.post()).code).toBe(0);
    const sent = telegram.sent.length;
    const posted = discord.messages.length;

    const file = path.join(p.dir, 'content', `${NEWEST}.md`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('大幅提升效率', '【更正】效率提升有限'));
    const edited = await p.post('--edit');
    expect(edited).toMatchObject({ code: 0, stdout: 'discord: 1 edited, 0 not editable, 0 failed\ntelegram: 1 edited, 0 not editable, 0 failed\n' });
    expect(telegram.sent.length).toBe(sent);
    expect(discord.messages.length).toBe(posted);
    expect(telegram.edits.length).toBeGreaterThan(0);
    const shown = telegram.sent.map((m) => telegram.message(m.chatId, m.messageId)?.plainText ?? '').join('\n');
    expect(shown).toContain('【更正】效率提升有限');
    expect(JSON.stringify(discord.messages.map((m) => m.body))).toContain('【更正】效率提升有限');

    const edits = telegram.edits.length + discord.messageEdits.length;
    const again = await p.post('--edit');
    expect(again).toMatchObject({ code: 0, stdout: `discord: 0 edited, 0 not editable, 0 failed\ntelegram: 0 edited, 0 not editable, 0 failed\n${NEWEST}: nothing to correct (2 delivered with this version)\n` });
    expect(telegram.edits.length + discord.messageEdits.length).toBe(edits);
  });

  it('refuses --edit with --repost, naming why', async () => {
    const p = postProject(root, 'edit-usage', { telegram });
    const result = await p.post('--edit', '--repost');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--edit corrects what was delivered: it cannot be combined with --repost or --force');
  });
});

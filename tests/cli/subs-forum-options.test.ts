import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';

/**
 * `digest subs add … --tag NAME` looks the forum tag up on Discord (the fake) with the bot's token,
 * as /subscribe does; `--publish` / `--no-publish` set publishing in announcement channels.
 */

const FORUM = '740000000000000010';
const NEWS = '740000000000000011';
const TAG = '740000000000000100';

const root = mkdtempSync(path.join(tmpdir(), 'digest-subs-forum-'));
let fake: FakeDiscord;
let n = 0;

beforeAll(async () => {
  fake = await startFakeDiscord({ enforceRateLimits: false });
  fake.addGuild({
    id: '740000000000000001',
    name: 'AI 读书会',
    channels: [
      { id: FORUM, type: 15, name: 'digests', availableTags: [{ id: TAG, name: 'daily' }, { id: '740000000000000101', name: 'weekly' }] },
      { id: NEWS, type: 5, name: 'announcements' },
    ],
  });
});
afterAll(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
});

function project(withToken = true) {
  const dbPath = path.join(root, `case-${++n}`, 'data', 'bot.db');
  return async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const env: Record<string, string> = { DATABASE_PATH: dbPath };
    if (withToken) Object.assign(env, { DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase });
    const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd: root };
    const code = await runCli(['subs', ...argv], io);
    return { code, stdout, stderr };
  };
}

describe('digest subs add: forum tags and publishing', () => {
  it('--tag NAME stores the forum tag found by that name; --no-publish turns publishing off', async () => {
    const run = project();
    const added = await run('add', 'discord', FORUM, '--tag', 'daily');
    expect(added).toEqual({ code: 0, stdout: `added: discord ${FORUM}\noptions: role none, silent off, wordcloud on, language default, tag ${TAG}\n`, stderr: '' });
    const news = await run('add', 'discord', NEWS, '--no-publish');
    expect(news.stdout).toContain('publish off');
    const listed = JSON.parse((await run('list', '--json')).stdout) as { chatId: string; options: { forumTagId: string | null; publish: boolean | null } }[];
    expect(listed.find((s) => s.chatId === FORUM)!.options.forumTagId).toBe(TAG);
    expect(listed.find((s) => s.chatId === NEWS)!.options.publish).toBe(false);
  });

  it('an unknown tag is refused listing the forum\'s tags, and nothing is stored', async () => {
    const run = project();
    const refused = await run('add', 'discord', FORUM, '--tag', 'monthly');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('This forum has no tag "monthly". Its tags: daily, weekly.');
    // Nothing stored: not even the database was created for it.
    expect((await run('list', '--json')).stdout).not.toContain(FORUM);
  });

  it('--tag without DISCORD_TOKEN says the token is needed; on Telegram it is refused', async () => {
    const run = project(false);
    expect((await run('add', 'discord', FORUM, '--tag', 'daily')).stderr).toContain('--tag needs DISCORD_TOKEN');
    expect((await run('add', 'telegram', '-100777', '--publish')).stderr).toContain('publish applies on Discord only');
    expect((await run('add', 'discord', NEWS, '--publish', '--no-publish')).stderr).toContain('contradict');
  });
});

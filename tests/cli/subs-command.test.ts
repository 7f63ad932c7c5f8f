import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const root = mkdtempSync(path.join(tmpdir(), 'digest-subs-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A project root with no config/ (defaults) and DATABASE_PATH pointing at a fresh file. */
function project() {
  const dbPath = path.join(root, `case-${++n}`, 'data', 'bot.db');
  return {
    dbPath,
    async run(...argv: string[]) {
      let stdout = '';
      let stderr = '';
      const io: CliIo = {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        env: { DATABASE_PATH: dbPath },
        cwd: root,
      };
      const code = await runCli(['subs', ...argv], io);
      return { code, stdout, stderr };
    },
  };
}

describe('digest subs', () => {
  it('add → list --json → remove → list --json round-trips exactly', async () => {
    const p = await project();
    expect(await p.run('add', 'telegram', '-1001234567890123')).toEqual({
      code: 0,
      stdout: 'added: telegram -1001234567890123\n',
      stderr: '',
    });
    expect((await p.run('add', 'telegram', '-1001234567890123', '--thread', '42')).stdout).toBe(
      'added: telegram -1001234567890123 thread 42\n',
    );
    expect((await p.run('add', 'discord', '1234567890123456789')).stdout).toBe('added: discord 1234567890123456789\n');

    const listed = await p.run('list', '--json');
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe('');
    // Every field of before, plus the delivery options (defaults here).
    const options = { mentionRoleId: null, silent: false, wordcloud: true, language: null, layout: null, forumTagId: null, publish: null, collapseDetails: null };
    expect(JSON.parse(listed.stdout)).toEqual([
      { platform: 'telegram', chatId: '-1001234567890123', threadId: null, active: true, reason: null, options },
      { platform: 'telegram', chatId: '-1001234567890123', threadId: '42', active: true, reason: null, options },
      { platform: 'discord', chatId: '1234567890123456789', threadId: null, active: true, reason: null, options },
    ]);

    expect(await p.run('remove', 'discord', '1234567890123456789')).toEqual({
      code: 0,
      stdout: 'removed: discord 1234567890123456789\n',
      stderr: '',
    });
    const after = JSON.parse((await p.run('list', '--json')).stdout) as unknown[];
    expect(after[2]).toEqual({
      platform: 'discord',
      chatId: '1234567890123456789',
      threadId: null,
      active: false,
      reason: 'unsubscribed by cli',
      options,
    });
  });

  it('add takes delivery options (new or already active); list --json shows them', async () => {
    const p = await project();
    expect(await p.run('add', 'discord', '555', '--role', '223456789012345678', '--language', 'en')).toEqual({
      code: 0,
      stdout: 'added: discord 555\noptions: role 223456789012345678, silent off, wordcloud on, language en\n',
      stderr: '',
    });
    await p.run('add', 'telegram', '-100777');
    const again = await p.run('add', 'telegram', '-100777', '--silent', 'on', '--wordcloud', 'off');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('options: role none, silent on, wordcloud off, language default');
    expect(JSON.parse((await p.run('list', '--json')).stdout)).toEqual([
      expect.objectContaining({ chatId: '555', options: { mentionRoleId: '223456789012345678', silent: false, wordcloud: true, language: 'en', layout: null, forumTagId: null, publish: null, collapseDetails: null } }),
      expect.objectContaining({ chatId: '-100777', options: { mentionRoleId: null, silent: true, wordcloud: false, language: null, layout: null, forumTagId: null, publish: null, collapseDetails: null } }),
    ]);
  });

  it('add --layout sets a Discord subscription\'s layout; default gives it back to discord.layout', async () => {
    const p = await project();
    expect(await p.run('add', 'discord', '555', '--layout', 'embeds')).toEqual({
      code: 0,
      stdout: 'added: discord 555\noptions: role none, silent off, wordcloud on, language default, layout embeds\n',
      stderr: '',
    });
    const listed = () => p.run('list', '--json').then((r) => (JSON.parse(r.stdout) as { options: { layout: unknown } }[])[0]!.options.layout);
    expect(await listed()).toBe('embeds');
    await p.run('add', 'discord', '555', '--layout', 'components');
    expect(await listed()).toBe('components');
    const reset = await p.run('add', 'discord', '555', '--layout', 'default');
    expect(reset.stdout).toContain('options: role none, silent off, wordcloud on, language default\n');
    expect(await listed()).toBeNull();
  });

  it('--collapse / --no-collapse set a Telegram chat\'s folded details, on add and on an active one; import lines take them too', async () => {
    const p = await project();
    expect((await p.run('add', 'telegram', '-100888', '--no-collapse')).stdout).toBe(
      'added: telegram -100888\noptions: role none, silent off, wordcloud on, language default, collapse off\n',
    );
    expect((await p.run('add', 'telegram', '-100888', '--collapse')).stdout).toContain('collapse on');
    const file = path.join(root, `import-${n}.txt`);
    writeFileSync(file, 'telegram -100999 --no-collapse\n');
    expect((await p.run('import', file)).code).toBe(0);
    const listed = JSON.parse((await p.run('list', '--json')).stdout) as { chatId: string; options: { collapseDetails: boolean | null } }[];
    expect(listed.map((s) => [s.chatId, s.options.collapseDetails])).toEqual([
      ['-100888', true],
      ['-100999', false],
    ]);
  });

  it.each([
    [['add', 'telegram', '-100777', '--layout', 'embeds'], 'Telegram has one layout'],
    [['add', 'discord', '555', '--layout', 'cards'], 'write components or embeds, for example --layout embeds'],
    [['add', 'discord', '555', '--collapse'], 'Discord digests always show the details in full'],
    [['add', 'telegram', '-100777', '--collapse', '--no-collapse'], 'contradict'],
    [['list', '--no-collapse'], 'only apply to "add"'],
    [['add', 'telegram', '-100777', '--role', '123456'], 'Telegram has no roles'],
    [['add', 'discord', '555', '--silent', 'loud'], 'write on or off'],
    [['add', 'discord', '555', '--language', 'fr'], 'write zh or en'],
    [['list', '--silent', 'on'], 'only apply to "add"'],
  ])('refuses bad delivery options %j with exit 1', async (argv, words) => {
    const p = await project();
    const result = await p.run(...argv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(words);
    // Refused before the database is opened: nothing was created, let alone added.
    expect(existsSync(p.dbPath)).toBe(false);
  });

  it('writes to the same database the bot opens', async () => {
    const p = await project();
    await p.run('add', 'discord', '42', '--thread', '43');
    const store = await SqliteStore.open(p.dbPath);
    expect(await store.listSubscriptions({ activeOnly: true })).toMatchObject([
      { platform: 'discord', chatId: '42', threadId: '43', subscribedBy: 'cli', active: true },
    ]);
    await store.close();
  });

  it('says whether add created, reactivated or found the subscription', async () => {
    const p = await project();
    await p.run('add', 'telegram', '-5');
    const again = await p.run('add', 'telegram', '-5');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already active: telegram -5 \(since \d{4}-\d\d-\d\dT[\d:.]+Z, by cli\)\n$/);
    await p.run('remove', 'telegram', '-5');
    expect((await p.run('add', 'telegram', '-5')).stdout).toBe(
      'reactivated: telegram -5 (was inactive: unsubscribed by cli)\n',
    );
  });

  it('remove of something not subscribed exits 0 and says so, hinting at subscribed threads', async () => {
    const p = await project();
    expect(await p.run('remove', 'discord', '7')).toEqual({
      code: 0,
      stdout: 'no active subscription for discord 7; nothing to do\n',
      stderr: '',
    });
    await p.run('add', 'discord', '7', '--thread', '8');
    expect((await p.run('remove', 'discord', '7')).stdout).toBe(
      'no active subscription for discord 7; nothing to do (its threads 8 are subscribed; use --thread <id>)\n',
    );
    expect((await p.run('remove', 'discord', '7', '--thread', '8')).stdout).toBe('removed: discord 7 thread 8\n');
  });

  it('prints a readable table, CJK titles aligned, one line per subscription', async () => {
    const p = await project();
    await p.run('add', 'discord', '123');
    const store = await SqliteStore.open(p.dbPath, { now: () => new Date('2026-01-03T01:00:00Z') });
    await store.subscribe({ platform: 'telegram', chatId: '-100200', threadId: '9', title: 'AI 群\n聊', subscribedBy: 'cli' });
    await store.deactivate({ platform: 'discord', chatId: '123', threadId: null }, '403 Missing Access');
    await store.close();
    const { code, stdout } = await p.run('list');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('PLATFORM  CHAT     THREAD  ACTIVE  REASON              TITLE     SINCE');
    expect(lines[1]).toMatch(/^discord   123      -       no      403 Missing Access  -         \d{4}-/);
    expect(lines[2]).toBe('telegram  -100200  9       yes     -                   AI 群 聊  2026-01-03T01:00:00.000Z');
    expect(lines[3]).toBe('2 subscriptions, 1 active');
  });

  it('list on an empty database', async () => {
    const p = await project();
    mkdirSync(path.dirname(p.dbPath), { recursive: true });
    await (await SqliteStore.open(p.dbPath)).close();
    expect((await p.run('list')).stdout).toBe('no subscriptions\n');
    expect((await p.run('list', '--json')).stdout).toBe('[]\n');
  });

  it.each([
    [['add', 'slack', '1'], 'unknown platform "slack" (use discord or telegram)'],
    [['add', 'discord', '-1'], `not a Discord channel id: "-1" (digits only)`],
    [['add', 'discord', '12a'], `not a Discord channel id: "12a" (digits only)`],
    [['add', 'telegram', '--', '1.5'], `not a Telegram chat id: "1.5" (digits, optionally starting with '-')`],
    [['add', 'telegram', '-100', '--thread', 'general'], 'not a thread id: "general" (digits only)'],
    [['add', 'telegram', '-100', '--thread', '-3'], 'not a thread id: "-3" (digits only)'],
    [['add', 'discord'], '"add" needs a platform and an id'],
    [['remove', 'discord', '1', '2'], 'unexpected argument "2"'],
    [['add', 'discord', '1', '--json'], '--json only applies to "list"'],
    [['list', '--thread', '5'], '--thread only applies to "add" and "remove"'],
    [['list', 'extra'], 'unexpected argument "extra"'],
    [['purge'], 'unknown action "purge"'],
    [[], 'missing action'],
  ])('bad usage %j exits 1 with a reason and the usage', async (argv, reason) => {
    const p = await project();
    const result = await p.run(...argv);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`digest subs: ${reason}`);
    expect(result.stderr).toContain('usage: digest subs add <discord|telegram> <id> [--thread <id>]');
  });

  it('an unknown option is bad usage too', async () => {
    const result = await (await project()).run('list', '--yaml');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^digest subs: .*--yaml/);
  });

  it('--help prints the help and exits 0', async () => {
    const result = await (await project()).run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('exits 0 even when it was not subscribed');
  });

  it('a corrupt database is a one-line error, not a stack trace', async () => {
    const p = await project();
    mkdirSync(path.dirname(p.dbPath), { recursive: true });
    writeFileSync(p.dbPath, 'not a database at all '.repeat(300));
    const result = await p.run('list');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `digest subs: database ${p.dbPath}: cannot open: not a SQLite database (the file is corrupt or something else entirely)\n`,
    );
  });
});

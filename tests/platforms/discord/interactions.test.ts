import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommandArgs, CommandContext, CommandDefinition, CommandReply, CommandRouter } from '../../../src/commands/types.ts';
import { createLogger, silentLogger } from '../../../src/log.ts';
import { DiscordPlatform } from '../../../src/platforms/discord/discord-platform.ts';
import { renderDiscordMessages } from '../../../src/render/discord.ts';
import { DISCORD_LIMITS } from '../../../src/render/limits.ts';
import type { FakeDiscord } from '../../helpers/fake-discord.ts';
import { startDiscordHarness, type DiscordHarness, SAMPLE_GUILD_IDS, sampleGuild, MANAGER_PERMISSIONS, MEMBER_PERMISSIONS } from '../../helpers/fake-discord-harness.ts';
import { makeDigest, oversizedPoints } from '../../render/digest-factory.ts';

const { guild: GUILD, text: TEXT, thread: THREAD, other: OTHER } = SAMPLE_GUILD_IDS;
const OWNER = '900000000000000001';

const text = (zh: string, en: string) => ({ zh, en });
const definitions: CommandDefinition[] = [
  {
    name: 'report',
    description: text('查看某天的报告', 'Show the report of a day'),
    options: [{ name: 'date', type: 'string', required: true, autocomplete: true, description: text('日期', 'Date') }],
    permission: 'anyone',
    run: async () => ({ kind: 'text', text: 'unused' }),
  },
  {
    name: 'subscribe',
    description: text('订阅每日摘要', 'Subscribe to the daily digest'),
    options: [
      { name: 'channel', type: 'channel', required: false, description: text('频道', 'Channel') },
      { name: 'time', type: 'string', required: false, description: text('时间', 'Time') },
    ],
    permission: 'manage',
    run: async () => ({ kind: 'text', text: 'unused' }),
  },
  {
    name: 'repost',
    description: text('重新发送', 'Post again'),
    options: [
      { name: 'date', type: 'string', required: false, autocomplete: true, description: text('日期', 'Date') },
      { name: 'all', type: 'boolean', required: false, description: text('全部订阅', 'All subscriptions') },
    ],
    permission: 'manage',
    run: async () => ({ kind: 'text', text: 'unused' }),
  },
];

/** Forty report dates, newest first. */
const DATES = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2026, 0, 40 - i)).toISOString().slice(0, 10));

/** Records what the adapter hands over and answers with whatever the test scripts. */
class ScriptedRouter implements CommandRouter {
  readonly definitions = definitions;
  readonly calls: { name: string; args: CommandArgs; context: CommandContext; canManage: boolean | null }[] = [];
  readonly typed: { typed: string; limit: number }[] = [];
  answer: (name: string, args: CommandArgs) => Promise<CommandReply> = async () => ({ kind: 'text', text: 'ok' });

  async handle(name: string, args: CommandArgs, context: CommandContext): Promise<CommandReply> {
    const target = args.channel ? { platform: 'discord' as const, chatId: args.channel, threadId: null } : context.destination;
    const canManage = context.guildId ? await context.canManage(target) : null;
    this.calls.push({ name, args, context, canManage });
    return this.answer(name, args);
  }

  autocompleteDates(typed: string, limit: number): string[] {
    this.typed.push({ typed, limit });
    // Deliberately ignores `limit`: the adapter must still never offer more than Discord allows.
    return DATES.filter((d) => d.includes(typed));
  }
}

let fake: FakeDiscord;
let router: ScriptedRouter;
let platform: DiscordPlatform;
let dir: string;

let harness: DiscordHarness;

beforeAll(async () => {
  router = new ScriptedRouter();
  harness = await startDiscordHarness({
    router,
    guild: sampleGuild(),
    platform: { owners: [OWNER], replyBudgetMs: 300, layout: 'embeds' },
  });
  ({ fake, platform } = harness);
  dir = mkdtempSync(path.join(tmpdir(), 'discord-interactions-'));
});

afterAll(async () => {
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  router.answer = async () => ({ kind: 'text', text: 'ok' });
});

const member = (userId: string, permissions: string, channelPermissions?: Record<string, string>) => ({
  userId,
  permissions,
  ...(channelPermissions ? { channelPermissions } : {}),
});

async function runCommand(input: Parameters<FakeDiscord['sendSlashCommand']>[0]) {
  const before = router.calls.length;
  const id = fake.sendSlashCommand(input);
  const response = await fake.waitForInteractionResponse(id);
  await fake.waitFor(() => router.calls.length > before, 5000, 'the router call');
  return { id, response, call: router.calls[before]! };
}

describe('DiscordPlatform over the gateway', () => {
  it('logs in through the gateway and registers guild commands with localized descriptions and permissions', () => {
    expect(fake.connectedSessions).toBe(1);
    const set = fake.registeredCommands.find((s) => s.scope === GUILD);
    expect(set?.commands.map((c) => c['name'])).toEqual(['report', 'subscribe', 'repost']);
    const byName = new Map(set!.commands.map((c) => [c['name'], c]));

    const report = byName.get('report')!;
    expect(report['description']).toBe('查看某天的报告');
    expect(report['description_localizations']).toEqual({ 'en-US': 'Show the report of a day', 'en-GB': 'Show the report of a day' });
    expect(report['default_member_permissions']).toBeNull();
    expect(report['options']).toEqual([
      expect.objectContaining({ name: 'date', type: 3, required: true, autocomplete: true, description: '日期' }),
    ]);

    const subscribe = byName.get('subscribe')!;
    expect(BigInt(subscribe['default_member_permissions'] as string)).toBe(PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageChannels);
    expect(subscribe['dm_permission']).toBe(false);
    expect(subscribe['options']).toContainEqual(expect.objectContaining({ name: 'channel', type: 7, channel_types: [0, 5, 11, 12] }));
    expect(byName.get('repost')!['options']).toContainEqual(expect.objectContaining({ name: 'all', type: 5 }));
  });

  it('without a guild id it registers the commands globally', async () => {
    const global = new DiscordPlatform({ token: fake.token, apiBase: fake.apiBase, router, logger: silentLogger(), owners: [] });
    try {
      await global.start();
      expect(fake.registeredCommands.find((s) => s.scope === 'global')?.commands).toHaveLength(definitions.length);
    } finally {
      await global.stop();
    }
  });

  it('a failed command registration is logged and the bot still starts', async () => {
    fake.failNext('PUT /applications/:app/commands', { status: 503, times: 3 });
    const lines: string[] = [];
    const logger = createLogger({ level: 'error', destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }) });
    const unlucky = new DiscordPlatform({ token: fake.token, apiBase: fake.apiBase, router, logger, owners: [] });
    try {
      await unlucky.start();
    } finally {
      await unlucky.stop();
    }
    expect(lines.some((l) => l.includes('discord-commands-not-registered'))).toBe(true);
  });

  it('answers date autocomplete with at most 25 dates matching what was typed', async () => {
    const id = fake.sendAutocomplete({ name: 'report', guildId: GUILD, channelId: TEXT, member: member('1', MEMBER_PERMISSIONS), focused: { name: 'date', value: '2026-01' } });
    const response = await fake.waitForInteractionResponse(id);
    expect(response.type).toBe(8);
    const choices = response.data!['choices'] as { name: string; value: string }[];
    expect(router.typed.at(-1)).toEqual({ typed: '2026-01', limit: DISCORD_LIMITS.autocompleteChoices });
    expect(choices.length).toBe(DISCORD_LIMITS.autocompleteChoices);
    expect(choices.every((c) => c.value.startsWith('2026-01') && c.name === c.value)).toBe(true);

    const narrow = fake.sendAutocomplete({ name: 'report', guildId: GUILD, channelId: TEXT, member: member('1', MEMBER_PERMISSIONS), focused: { name: 'date', value: '2026-02-0' } });
    const narrowed = (await fake.waitForInteractionResponse(narrow)).data!['choices'] as { value: string }[];
    expect(narrowed.map((c) => c.value)).toEqual(['2026-02-09', '2026-02-08', '2026-02-07', '2026-02-06', '2026-02-05', '2026-02-04', '2026-02-03', '2026-02-02', '2026-02-01']);
  });

  it('a quick command is answered directly within the window; ephemeral stays ephemeral and mentions are silenced', async () => {
    router.answer = async () => ({ kind: 'text', text: '没有这一天的报告 @everyone', ephemeral: true });
    const { response, call } = await runCommand({ name: 'report', options: { date: '2025-12-31' }, guildId: GUILD, channelId: TEXT, member: member('2', MEMBER_PERMISSIONS) });

    // Within the window: the fake refuses (10062) an answer later than Discord's 3 s and records none.
    expect(response.type).toBe(4);
    expect(response.data!['content']).toBe('没有这一天的报告 @everyone');
    expect(response.data!['flags']).toBe(64);
    expect(response.data!['allowed_mentions']).toEqual({ parse: [] });
    expect(call.name).toBe('report');
    expect(call.args).toEqual({ date: '2025-12-31' });
    expect(call.context.locale).toBe('zh');
  });

  it('a slow command is deferred inside the window, then the digest is edited in with its word cloud', async () => {
    const name = 'wordcloud_twitter_ai_20260103_20260103.png';
    const file = path.join(dir, name);
    writeFileSync(file, Buffer.from('89504e470d0a1a0a', 'hex'));
    const digest = makeDigest({ image: { path: file, name, bytes: 8, generated: false } });
    router.answer = () => new Promise((resolve) => setTimeout(() => resolve({ kind: 'digest', digest }), 600));
    const { id, response } = await runCommand({ name: 'report', options: { date: '2026-01-03' }, guildId: GUILD, channelId: TEXT, member: member('3', MEMBER_PERMISSIONS) });

    expect(response.type).toBe(5);
    const edit = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'));
    const embeds = edit.body['embeds'] as { title: string; image?: { url: string } }[];
    expect(embeds[0]!.title).toBe(digest.title);
    // Uploaded under a name from Discord's attachment alphabet, made from the digest's date.
    expect(embeds[0]!.image?.url).toBe('attachment://wordcloud-2026-01-03.png');
    expect(edit.files.map((f) => f.name)).toEqual(['wordcloud-2026-01-03.png']);
    expect(edit.body['allowed_mentions']).toEqual({ parse: [] });
  });

  it('a slow refusal stays private: the public deferral is deleted and the answer follows ephemerally', async () => {
    router.answer = () => new Promise((resolve) => setTimeout(() => resolve({ kind: 'text', text: '需要管理频道权限', ephemeral: true }), 600));
    const { id, response } = await runCommand({ name: 'subscribe', guildId: GUILD, channelId: TEXT, member: member('3', MEMBER_PERMISSIONS) });

    expect(response.type).toBe(5);
    const followup = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && f.kind === 'followup'));
    expect(followup.body['content']).toBe('需要管理频道权限');
    expect(Number(followup.body['flags']) & 64).toBe(64);
    const kinds = fake.followups.filter((f) => f.interactionId === id).map((f) => f.kind);
    expect(kinds).toEqual(['delete-original', 'followup']);
  });

  it('a command in a thread is addressed to the thread inside its parent channel', async () => {
    const { call } = await runCommand({ name: 'subscribe', guildId: GUILD, channelId: THREAD, member: member('4', MANAGER_PERMISSIONS) });
    expect(call.context.destination).toEqual({ platform: 'discord', chatId: TEXT, threadId: THREAD });
    expect(call.context.chatTitle).toBe('日报讨论');
    expect(call.context.isPrivateChat).toBe(false);
    expect(call.context.guildId).toBe(GUILD);
  });

  it('canManage follows the member permission bits: Manage Channels yes, plain member no', async () => {
    const manager = await runCommand({ name: 'subscribe', guildId: GUILD, channelId: TEXT, member: member('5', MANAGER_PERMISSIONS) });
    expect(manager.call.canManage).toBe(true);
    const plain = await runCommand({ name: 'subscribe', guildId: GUILD, channelId: TEXT, member: member('6', MEMBER_PERMISSIONS) });
    expect(plain.call.canManage).toBe(false);
    const guildManager = await runCommand({ name: 'subscribe', guildId: GUILD, channelId: TEXT, member: member('7', PermissionFlagsBits.ManageGuild.toString()) });
    expect(guildManager.call.canManage).toBe(true);
  });

  it('for a picked channel canManage uses the permissions Discord resolved in that channel', async () => {
    const denied = await runCommand({
      name: 'subscribe',
      options: { channel: OTHER },
      guildId: GUILD,
      channelId: TEXT,
      member: member('8', MANAGER_PERMISSIONS, { [OTHER]: MEMBER_PERMISSIONS }),
    });
    expect(denied.call.args.channel).toBe(OTHER);
    expect(denied.call.canManage).toBe(false);
    const allowed = await runCommand({
      name: 'subscribe',
      options: { channel: OTHER },
      guildId: GUILD,
      channelId: TEXT,
      member: member('9', MEMBER_PERMISSIONS, { [OTHER]: MANAGER_PERMISSIONS }),
    });
    expect(allowed.call.canManage).toBe(true);
  });

  it('reads English from an en-US client, owners from config, and booleans as booleans', async () => {
    const { call } = await runCommand({ name: 'repost', options: { date: '2026-01-03', all: true }, guildId: GUILD, channelId: TEXT, member: member(OWNER, MANAGER_PERMISSIONS), locale: 'en-US' });
    expect(call.context.locale).toBe('en');
    expect(call.context.isOwner).toBe(true);
    expect(call.args).toEqual({ date: '2026-01-03', all: true });
    const other = await runCommand({ name: 'repost', guildId: GUILD, channelId: TEXT, member: member('10', MANAGER_PERMISSIONS), locale: 'en-GB' });
    expect(other.call.context.isOwner).toBe(false);
    expect(other.call.context.locale).toBe('en');
  });

  it('a direct message is a private chat addressed to the DM channel', async () => {
    const dm = '800000000000000099';
    const { call } = await runCommand({ name: 'report', options: { date: '2026-01-03' }, guildId: null, channelId: dm, member: member('12', '0') });
    expect(call.context.isPrivateChat).toBe(true);
    expect(call.context.guildId).toBeNull();
    expect(call.context.destination).toEqual({ platform: 'discord', chatId: dm, threadId: null });
    expect(call.context.userId).toBe('12');
  });

  it('a long digest continues in follow-ups after the first reply', async () => {
    const digest = makeDigest({ points: oversizedPoints(12, 900) });
    router.answer = async () => ({ kind: 'digest', digest });
    const { id, response } = await runCommand({ name: 'report', options: { date: '2026-01-03' }, guildId: GUILD, channelId: TEXT, member: member('13', MEMBER_PERMISSIONS) });
    const parts = renderDiscordMessages(digest, { color: 0x1d9bf0 });
    expect(parts.length).toBeGreaterThan(1);
    const followups = await fake.waitFor(() => {
      const found = fake.followups.filter((f) => f.interactionId === id && f.kind === 'followup');
      return found.length === parts.length - 1 && found;
    });
    const first = response.type === 4 ? response.data! : fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original')!.body;
    expect(first['embeds']).toEqual(parts[0]!.body.embeds);
    expect(followups.map((f) => f.body['embeds'])).toEqual(parts.slice(1).map((p) => p.body.embeds));
  });

  it('after the gateway drops the connection the client resumes and keeps answering', async () => {
    const resumesBefore = fake.gatewayReceived.filter((p) => p.op === 6).length;
    fake.disconnectGateway(4000);
    await fake.waitFor(() => fake.gatewayReceived.filter((p) => p.op === 6).length > resumesBefore && fake.connectedSessions === 1, 10_000, 'a RESUME');
    const { response } = await runCommand({ name: 'report', options: { date: '2026-01-03' }, guildId: GUILD, channelId: TEXT, member: member('14', MEMBER_PERMISSIONS) });
    expect(response.type).toBe(4);
  });

  it('a router failure still gets an apology instead of a dead interaction', async () => {
    router.answer = async () => {
      throw new Error('boom');
    };
    const { response } = await runCommand({ name: 'report', options: { date: '2026-01-03' }, guildId: GUILD, channelId: TEXT, member: member('11', MEMBER_PERMISSIONS) });
    expect(response.type).toBe(4);
    expect(String(response.data!['content']).length).toBeGreaterThan(0);
    expect(response.data!['flags']).toBe(64);
  });
});

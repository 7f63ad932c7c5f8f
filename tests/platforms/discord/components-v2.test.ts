import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { enableValidators } from '@discordjs/builders';
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRouter } from '../../../src/commands/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { DiscordPlatform } from '../../../src/platforms/discord/discord-platform.ts';
import { DEFAULT_PRESENTATION, type Destination } from '../../../src/platforms/platform.ts';
import { DISCORD_LIMITS } from '../../../src/render/limits.ts';
import { IS_COMPONENTS_V2 } from '../../../src/render/payload-types.ts';
import type { DigestImage } from '../../../src/report/digest-types.ts';
import { startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.ts';
import { makeDigest, oversizedPoints } from '../../render/digest-factory.ts';
import { componentsV2Problems } from '../../render/payload-checks.ts';

/**
 * Components V2 digests sent through discord.js's REST client to the fake Discord, which holds them
 * to Discord's V2 rules; and the fake itself refusing what Discord refuses, with Discord's 400.
 */

const GUILD = '710000000000000001';
const TEXT = '710000000000000010';
const OTHER = '710000000000000011';
const noRouter: CommandRouter = { definitions: [], handle: () => Promise.reject(new Error('no commands')), autocompleteDates: () => [] };
const at = (chatId: string): Destination => ({ platform: 'discord', chatId, threadId: null });

let fake: FakeDiscord;
let platform: DiscordPlatform;
let embedsPlatform: DiscordPlatform;
let rest: REST;
let dir: string;
let image: DigestImage;

beforeAll(async () => {
  enableValidators();
  fake = await startFakeDiscord({ enforceRateLimits: false });
  fake.addGuild({ id: GUILD, name: 'AI 读书会', channels: [{ id: TEXT, type: 0, name: 'ai-news' }, { id: OTHER, type: 0, name: 'general' }] });
  dir = mkdtempSync(path.join(tmpdir(), 'discord-v2-'));
  const name = 'wordcloud_twitter_ai_20260103_20260103.png';
  writeFileSync(path.join(dir, name), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  image = { path: path.join(dir, name), name, bytes: 16, generated: false };
  const common = { token: fake.token, apiBase: fake.apiBase, router: noRouter, logger: silentLogger(), owners: [], mode: 'rest-only' as const };
  // No layout given: Components V2 is the default.
  platform = new DiscordPlatform(common);
  embedsPlatform = new DiscordPlatform({ ...common, layout: 'embeds' });
  rest = new REST({ api: fake.apiBase, retries: 0 }).setToken(fake.token);
});

afterAll(async () => {
  await Promise.all([platform.stop(), embedsPlatform.stop()]);
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const recorded = (id: string) => fake.messages.find((m) => m.id === id)!;

describe('DiscordPlatform.sendDigest in the Components V2 layout', () => {
  it('posts one V2 message with the word cloud uploaded in the same request; the fake and the builders accept it', async () => {
    const digest = makeDigest({ image, url: 'https://example.com/r.html', navigation: { previous: '2026-01-02', next: null } });
    const result = await platform.sendDigest(at(TEXT), digest, 'v2:1');
    expect(result).toEqual({ messageIds: [expect.any(String)], imageDropped: false });
    const message = recorded(result.messageIds[0]!);
    expect(message.body['flags']).toBe(IS_COMPONENTS_V2);
    expect(message.body).not.toHaveProperty('embeds');
    expect(message.files.map((f) => f.name)).toEqual(['wordcloud-2026-01-03.png']);
    expect(JSON.stringify(message.body)).toContain('"url":"attachment://wordcloud-2026-01-03.png"');
    expect(componentsV2Problems(message.body, message.files)).toEqual([]);
  });

  it('a long report goes out condensed in one message, within 40 components and 4,000 characters', async () => {
    const digest = makeDigest({ image, points: oversizedPoints(10, 1500), navigation: { previous: '2026-01-02', next: '2026-01-04' } });
    const result = await platform.sendDigest(at(TEXT), digest, 'v2:long');
    expect(result.messageIds).toHaveLength(1);
    const message = recorded(result.messageIds[0]!);
    expect(componentsV2Problems(message.body, message.files)).toEqual([]);
  });

  it('each subscription’s layout is honoured whatever the configured one; null means the configured one', async () => {
    const digest = makeDigest({ image });
    const flagsOf = async (sender: DiscordPlatform, layout: 'components' | 'embeds' | null, key: string) => {
      const result = await sender.sendDigest(at(OTHER), digest, key, { presentation: { ...DEFAULT_PRESENTATION, layout } });
      const body = recorded(result.messageIds[0]!).body;
      return { v2: ((body['flags'] as number | undefined) ?? 0) === IS_COMPONENTS_V2, embeds: Array.isArray(body['embeds']) && body['embeds'].length > 0 };
    };
    expect(await flagsOf(platform, null, 'v2:a')).toEqual({ v2: true, embeds: false });
    expect(await flagsOf(platform, 'embeds', 'v2:b')).toEqual({ v2: false, embeds: true });
    expect(await flagsOf(embedsPlatform, null, 'v2:c')).toEqual({ v2: false, embeds: true });
    expect(await flagsOf(embedsPlatform, 'components', 'v2:d')).toEqual({ v2: true, embeds: false });
  });

  it('a word cloud over the upload limit is dropped with its gallery; the text still goes out as V2', async () => {
    const bigPath = path.join(dir, 'big.png');
    writeFileSync(bigPath, Buffer.alloc(DISCORD_LIMITS.attachmentBytes + 1));
    const digest = makeDigest({ image: { path: bigPath, name: 'big.png', bytes: DISCORD_LIMITS.attachmentBytes + 1, generated: true } });
    const result = await platform.sendDigest(at(TEXT), digest, 'v2:big');
    expect(result.imageDropped).toBe(true);
    const message = recorded(result.messageIds[0]!);
    expect(message.files).toEqual([]);
    expect(message.body['attachments']).toBeUndefined();
    expect(JSON.stringify(message.body)).not.toContain('"type":12');
    expect(componentsV2Problems(message.body, message.files)).toEqual([]);
  });
});

describe('the fake Discord refuses what Discord refuses for V2 (400, code 50035)', () => {
  const text = (content: string) => ({ type: 10, content });
  const container = (components: unknown[]) => ({ type: 17, accent_color: 1, components });
  const refusal = async (body: Record<string, unknown>, files: { name: string; data: Buffer }[] = []): Promise<unknown> => {
    const error = await rest.post(Routes.channelMessages(TEXT), { body, ...(files.length > 0 ? { files } : {}) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).status).toBe(400);
    expect((error as DiscordAPIError).code).toBe(50035);
    return (error as DiscordAPIError).rawError;
  };

  it('content or embeds together with the flag', async () => {
    const components = [container([text('正文')])];
    expect(JSON.stringify(await refusal({ flags: IS_COMPONENTS_V2, content: '你好', components }))).toContain('MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2');
    expect(JSON.stringify(await refusal({ flags: IS_COMPONENTS_V2, embeds: [{ description: 'x' }], components }))).toContain('embeds');
  });

  it('more than 40 components, nested ones counted', async () => {
    // One container with 40 text displays: 41 components.
    await refusal({ flags: IS_COMPONENTS_V2, components: [container(Array.from({ length: 40 }, (_, i) => text(`第 ${i} 段`)))] });
    // 39 text displays in one container is 40: accepted.
    await rest.post(Routes.channelMessages(TEXT), { body: { flags: IS_COMPONENTS_V2, components: [container(Array.from({ length: 39 }, (_, i) => text(`第 ${i} 段`)))] } });
  });

  it('more than 4,000 characters across the text displays', async () => {
    await refusal({ flags: IS_COMPONENTS_V2, components: [container([text('字'.repeat(2000)), text('字'.repeat(2001))])] });
  });

  it('a media gallery item naming a file that was not uploaded', async () => {
    const gallery = { type: 12, items: [{ media: { url: 'attachment://wordcloud.png' } }] };
    expect(JSON.stringify(await refusal({ flags: IS_COMPONENTS_V2, components: [container([text('x'), gallery])] }))).toContain('ATTACHMENT_NOT_FOUND');
    const uploaded = await rest.post(Routes.channelMessages(TEXT), {
      body: { flags: IS_COMPONENTS_V2, components: [container([text('x'), gallery])], attachments: [{ id: 0, filename: 'wordcloud.png' }] },
      files: [{ name: 'wordcloud.png', data: Buffer.from('png') }],
    });
    expect(uploaded).toMatchObject({ flags: IS_COMPONENTS_V2 });
  });

  it('V2 components without the flag are refused as before (only action rows at the top)', async () => {
    const error = await rest.post(Routes.channelMessages(TEXT), { body: { components: [container([text('x')])] } }).catch((e: unknown) => e);
    expect((error as DiscordAPIError).code).toBe(50035);
  });
});

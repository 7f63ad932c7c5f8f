import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { DiscordPlatform } from '../../../src/platforms/discord/discord-platform.ts';
import { createHarness, type Harness } from '../../commands/command-harness.ts';
import { writeWordCloudFiles } from '../../helpers/word-cloud-files.ts';
import type { FakeDiscord, SlashCommandInput } from '../../helpers/fake-discord.ts';
import { startDiscordHarness, type DiscordHarness, MEMBER_PERMISSIONS, SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';

const { guild: GUILD, text: TEXT } = SAMPLE_GUILD_IDS;
const MEMBER = { userId: '11', permissions: MEMBER_PERMISSIONS };
/** Someone else than the one who ran the command: reading is public. */
const OTHER = { userId: '12', permissions: MEMBER_PERMISSIONS };

let fake: FakeDiscord;
let harness: Harness;
let discord: DiscordHarness;
let resumed: DiscordPlatform | null = null;

beforeAll(async () => {
  // 2026-01-02 and 2026-01-03 have a word cloud ready; the other days none.
  const clouds = writeWordCloudFiles(['twitter_ai_20260102_20260102', 'twitter_ai_20260103_20260103'], 'discord-buttons-');
  harness = await createHarness({
    reportUrlTemplate: 'https://example.com/{yyyy}/{mm}/{dd}/{slug}.html',
    imageOf: (report) => clouds.get(report.slug) ?? null,
  });
  discord = await startDiscordHarness({ router: harness.router, guild: sampleGuild(), platform: { layout: 'embeds' } });
  fake = discord.fake;
});

afterAll(async () => {
  await resumed?.stop();
  await discord.close();
  await harness.store.close();
});

interface Shown {
  id: string;
  body: Record<string, unknown>;
}

type Button = { label: string; style: number; custom_id?: string; url?: string; disabled?: boolean };

function buttonsOf(body: Record<string, unknown>): Button[] {
  return ((body['components'] ?? []) as { components: Button[] }[]).flatMap((row) => row.components);
}

function titleOf(body: Record<string, unknown>): string {
  return ((body['embeds'] as { title?: string }[])[0]?.title ?? '') as string;
}

/** Runs a slash command and returns the message the channel sees (direct reply or deferred edit). */
async function command(input: Omit<SlashCommandInput, 'guildId' | 'channelId' | 'member'>): Promise<Shown> {
  const id = fake.sendSlashCommand({ ...input, guildId: GUILD, channelId: TEXT, member: MEMBER });
  const response = await fake.waitForInteractionResponse(id);
  if (response.type === 4) return { id: `reply-${id}`, body: response.data! };
  const edit = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'));
  return { id: edit.id, body: edit.body };
}

/** Presses the button labelled with `label` (a prefix) on `shown`; returns the interaction response. */
async function press(shown: Shown, pick: (b: Button) => boolean, member = OTHER) {
  const button = buttonsOf(shown.body).find(pick);
  if (!button?.custom_id) throw new Error(`no such button on ${titleOf(shown.body)}: ${JSON.stringify(buttonsOf(shown.body))}`);
  const id = fake.pressButton({ message: { id: shown.id, body: shown.body }, customId: button.custom_id, guildId: GUILD, channelId: TEXT, member });
  return fake.waitForInteractionResponse(id);
}

const previous = (b: Button): boolean => b.label.startsWith('◀');
const next = (b: Button): boolean => b.label.endsWith('▶');

describe('Discord previous / next buttons', () => {
  it('a /report reply carries previous and next dates and a link to the full report', async () => {
    const shown = await command({ name: 'report', options: { date: '2026-01-02' } });
    expect(titleOf(shown.body)).toContain('2026-01-02');
    const buttons = buttonsOf(shown.body);
    expect(buttons.map((b) => b.label)).toEqual(['◀ 2026-01-01', '2026-01-03 ▶', '完整报告']);
    expect(buttons[2]!.url).toBe('https://example.com/2026/01/02/twitter_ai_20260102_20260102.html');
  });

  it('pressing previous replaces the digest in place (UPDATE_MESSAGE) and next brings it back', async () => {
    const shown = await command({ name: 'report', options: { date: '2026-01-02' } });
    const messagesBefore = fake.messages.length;

    const back = await press(shown, previous);
    expect(back.type).toBe(7);
    expect(titleOf(back.data!)).toContain('2026-01-01');
    expect(buttonsOf(back.data!).map((b) => b.label).slice(0, 2)).toEqual(['◀ 2025-12-27', '2026-01-02 ▶']);

    const forward = await press({ id: shown.id, body: back.data! }, next);
    expect(forward.type).toBe(7);
    expect(titleOf(forward.data!)).toContain('2026-01-02');
    const again = await press({ id: shown.id, body: forward.data! }, next);
    expect(titleOf(again.data!)).toContain('2026-01-03');
    // The word cloud is replaced with the new day's: the old attachment dropped, the new one uploaded.
    expect(again.files.map((f) => f.name)).toEqual(['wordcloud-2026-01-03.png']);
    expect((again.data!['embeds'] as { image?: { url: string } }[])[0]!.image?.url).toBe('attachment://wordcloud-2026-01-03.png');
    // Only the new upload is kept (Discord drops attachments the update does not list).
    expect(again.data!['attachments']).toHaveLength(1);
    // And a day without one shows none.
    expect((back.data!['embeds'] as { image?: unknown }[])[0]!.image).toBeUndefined();
    expect(back.data!['attachments']).toEqual([]);
    // Nothing new was posted in the channel for everyone.
    expect(fake.messages.length).toBe(messagesBefore);
    expect(fake.followups.filter((f) => f.kind === 'followup' && [back, forward, again].some((r) => r.interactionId === f.interactionId))).toEqual([]);
  });

  it('at the ends of the archive the button that would leave it is disabled', async () => {
    const oldest = await command({ name: 'report', options: { date: '2025-12-27' } });
    const [prev, nxt] = buttonsOf(oldest.body);
    expect(prev).toMatchObject({ label: '◀', disabled: true });
    expect(nxt).toMatchObject({ label: '2026-01-01 ▶' });
    expect(() => fake.pressButton({ message: { id: oldest.id, body: oldest.body }, customId: prev!.custom_id!, guildId: GUILD, channelId: TEXT })).toThrow(/no enabled button/);

    const latest = await command({ name: 'latest' });
    expect(titleOf(latest.body)).toContain('2026-01-22');
    const latestButtons = buttonsOf(latest.body);
    expect(latestButtons[0]).toMatchObject({ label: '◀ 2026-01-03' });
    expect(latestButtons[1]).toMatchObject({ label: '▶', disabled: true });
  });

  it('a button press after a restart (a new client, nothing in memory) still moves between days', async () => {
    const shown = await command({ name: 'report', options: { date: '2026-01-03' } });
    await discord.platform.stop();
    const restarted = new DiscordPlatform({ layout: 'embeds', guildId: GUILD, logger: silentLogger(), owners: [], token: fake.token, apiBase: fake.apiBase, router: harness.router });
    await restarted.start();
    try {
      const response = await press(shown, previous);
      expect(response.type).toBe(7);
      expect(titleOf(response.data!)).toContain('2026-01-02');
    } finally {
      await restarted.stop();
      resumed = await restartOriginal();
    }
  });

  it('a button this bot does not know is answered privately, the message untouched', async () => {
    const shown = { id: '1', body: { embeds: [], components: [{ type: 1, components: [{ type: 2, style: 2, label: 'x', custom_id: 'legacy:whatever' }] }] } };
    const id = fake.pressButton({ message: shown, customId: 'legacy:whatever', guildId: GUILD, channelId: TEXT, member: OTHER });
    const response = await fake.waitForInteractionResponse(id);
    expect(response.type).toBe(4);
    expect(response.data!['flags']).toBe(64);
  });
});

/** A started platform like the harness's, so afterAll can close it. */
async function restartOriginal(): Promise<DiscordPlatform> {
  const platform = new DiscordPlatform({ layout: 'embeds', guildId: GUILD, logger: silentLogger(), owners: [], token: fake.token, apiBase: fake.apiBase, router: harness.router });
  await platform.start();
  return platform;
}

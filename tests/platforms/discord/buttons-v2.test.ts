import { enableValidators } from '@discordjs/builders';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDiscordMessages } from '../../../src/render/discord.ts';
import { IS_COMPONENTS_V2 } from '../../../src/render/payload-types.ts';
import { createHarness, type Harness } from '../../commands/command-harness.ts';
import { writeWordCloudFiles } from '../../helpers/word-cloud-files.ts';
import type { FakeDiscord, SlashCommandInput } from '../../helpers/fake-discord.ts';
import { startDiscordHarness, type DiscordHarness, MEMBER_PERMISSIONS, SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';
import { makeDigest } from '../../render/digest-factory.ts';
import { componentsText, componentsV2Problems } from '../../render/payload-checks.ts';

/** Previous / next on a Components V2 digest (the default layout): the message is edited in place and stays V2. */

const { guild: GUILD, text: TEXT } = SAMPLE_GUILD_IDS;
const MEMBER = { userId: '21', permissions: MEMBER_PERMISSIONS };

let fake: FakeDiscord;
let harness: Harness;
let discord: DiscordHarness;

beforeAll(async () => {
  enableValidators();
  const clouds = writeWordCloudFiles(['twitter_ai_20260102_20260102', 'twitter_ai_20260103_20260103'], 'discord-buttons-v2-');
  harness = await createHarness({
    reportUrlTemplate: 'https://example.com/{yyyy}/{mm}/{dd}/{slug}.html',
    imageOf: (report) => clouds.get(report.slug) ?? null,
  });
  discord = await startDiscordHarness({ router: harness.router, guild: sampleGuild() });
  fake = discord.fake;
});

afterAll(async () => {
  await discord.close();
  await harness.store.close();
});

interface Shown {
  id: string;
  body: Record<string, unknown>;
  files?: { name: string }[];
}
type Button = { label: string; custom_id?: string; url?: string; disabled?: boolean };

/** Every button in a V2 tree or in top-level rows. */
function buttonsOf(body: Record<string, unknown>): Button[] {
  const out: Button[] = [];
  const visit = (c: Record<string, unknown>): void => {
    if (c['type'] === 2) out.push(c as unknown as Button);
    for (const child of (c['components'] ?? []) as Record<string, unknown>[]) visit(child);
    if (c['accessory']) visit(c['accessory'] as Record<string, unknown>);
  };
  ((body['components'] ?? []) as Record<string, unknown>[]).forEach(visit);
  return out;
}

async function command(input: Omit<SlashCommandInput, 'guildId' | 'channelId' | 'member'>): Promise<Shown> {
  const id = fake.sendSlashCommand({ ...input, guildId: GUILD, channelId: TEXT, member: MEMBER });
  const response = await fake.waitForInteractionResponse(id);
  if (response.type === 4) return { id: `reply-${id}`, body: response.data!, files: response.files };
  const edit = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'));
  return { id: edit.id, body: edit.body, files: edit.files };
}

async function press(shown: Shown, pick: (b: Button) => boolean) {
  const button = buttonsOf(shown.body).find((b) => b.custom_id !== undefined && !b.disabled && pick(b));
  if (!button) throw new Error(`no such button: ${JSON.stringify(buttonsOf(shown.body))}`);
  const flags = typeof shown.body['flags'] === 'number' ? shown.body['flags'] : 0;
  const id = fake.pressButton({ message: { id: shown.id, body: shown.body, flags }, customId: button.custom_id!, guildId: GUILD, channelId: TEXT, member: MEMBER });
  return fake.waitForInteractionResponse(id);
}
const previous = (b: Button): boolean => b.label.startsWith('◀');
const next = (b: Button): boolean => b.label.endsWith('▶');
const textOf = (body: Record<string, unknown>) => componentsText(body);

describe('Discord previous / next on a Components V2 digest', () => {
  it('a /report reply is one V2 message with the previous / next / full report row', async () => {
    const shown = await command({ name: 'report', options: { date: '2026-01-02' } });
    expect((shown.body['flags'] as number) & IS_COMPONENTS_V2).toBe(IS_COMPONENTS_V2);
    expect(shown.body['embeds']).toBeUndefined();
    expect(textOf(shown.body)).toContain('2026-01-02');
    expect(buttonsOf(shown.body).slice(-3).map((b) => b.label)).toEqual(['◀ 2026-01-01', '2026-01-03 ▶', '完整报告']);
    expect(componentsV2Problems(shown.body, shown.files ?? [])).toEqual([]);
  });

  it('pressing previous edits the message in place with the flag kept and components, not embeds; next brings the new word cloud', async () => {
    const shown = await command({ name: 'report', options: { date: '2026-01-02' } });
    const before = fake.messages.length;
    const back = await press(shown, previous);
    expect(back.type).toBe(7);
    expect(back.data!['flags']).toBe(IS_COMPONENTS_V2);
    expect(back.data!['embeds']).toBeUndefined();
    expect(textOf(back.data!)).toContain('2026-01-01');
    // The day without a word cloud: no gallery, and the old upload dropped.
    expect(back.data!['attachments']).toEqual([]);
    expect(JSON.stringify(back.data)).not.toContain('"type":12');

    const forward = await press({ id: shown.id, body: back.data! }, next);
    const again = await press({ id: shown.id, body: forward.data! }, next);
    expect(textOf(again.data!)).toContain('2026-01-03');
    expect(again.files.map((f) => f.name)).toEqual(['wordcloud-2026-01-03.png']);
    expect(JSON.stringify(again.data)).toContain('attachment://wordcloud-2026-01-03.png');
    expect(componentsV2Problems(again.data!, again.files)).toEqual([]);
    expect(fake.messages.length).toBe(before);
  });

  it('an embed digest posted before the switch stays an embed digest when its buttons are pressed', async () => {
    const digest = makeDigest({ dateStart: '2026-01-02', dateEnd: '2026-01-02', navigation: { previous: '2026-01-01', next: '2026-01-03' } });
    const [embedMessage] = renderDiscordMessages(digest, { color: 1 });
    const shown = { id: '1234567890123456789', body: embedMessage!.body as unknown as Record<string, unknown> };
    const back = await press(shown, previous);
    expect(back.type).toBe(7);
    expect(back.data!['flags']).toBeUndefined();
    expect((back.data!['embeds'] as { title: string }[])[0]!.title).toContain('2026-01-01');
  });
});

describe('a deferred command reply in the V2 layout', () => {
  it('the deferred answer is edited into a V2 message: the edit carries the flag, the components and the word cloud', async () => {
    const deferring = await startDiscordHarness({ router: harness.router, guild: sampleGuild(), platform: { replyBudgetMs: 0 } });
    try {
      const id = deferring.fake.sendSlashCommand({ name: 'report', options: { date: '2026-01-03' }, guildId: GUILD, channelId: TEXT, member: MEMBER });
      expect((await deferring.fake.waitForInteractionResponse(id)).type).toBe(5);
      const edit = await deferring.fake.waitFor(() => deferring.fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'));
      expect(edit.body['flags']).toBe(IS_COMPONENTS_V2);
      expect(edit.files.map((f) => f.name)).toEqual(['wordcloud-2026-01-03.png']);
      expect(componentsV2Problems(edit.body, edit.files)).toEqual([]);
    } finally {
      await deferring.close();
    }
  });
});

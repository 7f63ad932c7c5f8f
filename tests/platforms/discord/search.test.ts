import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSearch } from '../../../src/search/report-search.ts';
import { contentLibrary, createHarness, type Harness } from '../../commands/command-harness.ts';
import type { FakeDiscord } from '../../helpers/fake-discord.ts';
import { startDiscordHarness, type DiscordHarness, MEMBER_PERMISSIONS, SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';

const { guild: GUILD, text: TEXT } = SAMPLE_GUILD_IDS;
const MEMBER = { userId: '21', permissions: MEMBER_PERMISSIONS };

let fake: FakeDiscord;
let harness: Harness;
let discord: DiscordHarness;
let search: ReportSearch;

beforeAll(async () => {
  search = new ReportSearch(await contentLibrary());
  await search.start();
  harness = await createHarness({ search });
  discord = await startDiscordHarness({ router: harness.router, guild: sampleGuild(), platform: { layout: 'embeds' } });
  fake = discord.fake;
});

afterAll(async () => {
  await search.stop();
  await discord.close();
  await harness.store.close();
});

async function searchFor(query: string): Promise<Record<string, unknown>> {
  const id = fake.sendSlashCommand({ name: 'search', options: { query }, guildId: GUILD, channelId: TEXT, member: MEMBER });
  const response = await fake.waitForInteractionResponse(id);
  if (response.type === 4) return response.data!;
  return (await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'))).body;
}

type Button = { label: string; custom_id?: string };
const buttonsOf = (body: Record<string, unknown>): Button[] =>
  ((body['components'] ?? []) as { components: Button[] }[]).flatMap((row) => row.components);

describe('Discord /search', () => {
  it('registers /search with a required string option named query', () => {
    const command = fake.registeredCommands.find((s) => s.scope === GUILD)!.commands.find((c) => c['name'] === 'search')!;
    expect(command['options']).toEqual([expect.objectContaining({ name: 'query', type: 3, required: true })]);
  });

  it('lists the one report with the word, highlighted, and a button that opens that day for the presser only', async () => {
    const body = await searchFor('具身智能');
    const embed = (body['embeds'] as { title: string; description: string }[])[0]!;
    expect(embed.title).toContain('具身智能');
    expect(embed.description).toContain('**1. 2026-01-02**');
    expect(embed.description).toContain('**具身智能**');
    expect(buttonsOf(body)).toEqual([expect.objectContaining({ label: '2026-01-02', custom_id: 'open:20260102' })]);

    const press = fake.pressButton({ message: { id: '900', body }, customId: 'open:20260102', guildId: GUILD, channelId: TEXT, member: { userId: '22', permissions: MEMBER_PERMISSIONS } });
    const response = await fake.waitForInteractionResponse(press);
    expect(response.type).toBe(4);
    expect(response.data!['flags']).toBe(64);
    expect((response.data!['embeds'] as { title: string }[])[0]!.title).toContain('2026-01-02');
    // The digest opened from a search has its own previous / next buttons.
    expect(buttonsOf(response.data!).map((b) => b.label)).toEqual(['◀ 2026-01-01', '2026-01-03 ▶']);
  });

  it('ranks the report with more mentions first', async () => {
    const body = await searchFor('RLM');
    expect(buttonsOf(body).map((b) => b.label)).toEqual(['2026-01-03', '2026-01-02']);
  });

  it('no match says so and suggests the closest terms', async () => {
    const body = await searchFor('Cluade');
    expect(body['embeds']).toEqual([]);
    expect(String(body['content'])).toContain('Cluade');
    expect(String(body['content'])).toContain('claude');
  });

  it('<script> and a 2,000-character query come back escaped and within Discord limits', async () => {
    const script = await searchFor('<script>alert(1)</script>');
    expect(String(script['content'])).toContain('\\<script\\>');
    const long = await searchFor('模型'.repeat(1000));
    // The fake refuses anything over a limit; the title echoes only the start of the query.
    const title = (long['embeds'] as { title: string }[])[0]!.title;
    expect(title.length).toBeLessThan(120);
    expect(title).toContain('…');
  });
});

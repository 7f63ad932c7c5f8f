import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../src/i18n/index.ts';
import { createLogger } from '../../../src/log.ts';
import { createHarness, type Harness } from '../../commands/command-harness.ts';
import type { FakeDiscord, SlashCommandInput } from '../../helpers/fake-discord.ts';
import { startDiscordHarness, type DiscordHarness, MEMBER_PERMISSIONS, SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';

/**
 * Gateway events Discord itself never sends (forged or malformed INTERACTION_CREATEs), dispatched
 * by the fake gateway to the real discord.js client behind DiscordPlatform, with the real router
 * and store. None may take the process down or slip past a permission check.
 */

const { guild: GUILD, text: TEXT, other: OTHER } = SAMPLE_GUILD_IDS;

let fake: FakeDiscord;
let harness: Harness;
let discord: DiscordHarness;
const logLines: string[] = [];
/** Errors that escaped to the process (each would kill `npm start`). */
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => {
  escaped.push(error);
};

beforeAll(async () => {
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  harness = await createHarness();
  const logger = createLogger({ level: 'warn', destination: new Writable({ write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString()), done()) }) });
  discord = await startDiscordHarness({ router: harness.router, guild: sampleGuild(), platform: { logger } });
  fake = discord.fake;
});

afterAll(async () => {
  await discord.close();
  await harness.store.close();
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

const report = (userId: string, forge?: SlashCommandInput['forge']): SlashCommandInput => ({
  name: 'report',
  options: { date: '2026-01-03' },
  guildId: GUILD,
  channelId: TEXT,
  member: { userId, permissions: MEMBER_PERMISSIONS },
  ...(forge ? { forge } : {}),
});

/** The bot still answers an ordinary command: nothing was taken down. */
async function expectStillServing(userId: string): Promise<void> {
  const id = fake.sendSlashCommand(report(userId));
  const response = await fake.waitForInteractionResponse(id, 10_000);
  expect([4, 5]).toContain(response.type);
}

/** Lets a dispatched event reach discord.js and anything it throws surface. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200));

describe('forged and malformed Discord interactions', () => {
  it('a guild interaction without a member (a forged event) is refused, not treated as a DM, and nothing is stored', async () => {
    const id = fake.sendSlashCommand({
      name: 'subscribe',
      guildId: GUILD,
      channelId: OTHER,
      member: { userId: '61', permissions: '0' },
      // What a forger sends: the guild, and the user at the top level as in a DM.
      forge: (payload) => {
        payload['user'] = (payload['member'] as { user: unknown }).user;
        delete payload['member'];
      },
    });
    const response = await fake.waitForInteractionResponse(id);
    expect(response.type).toBe(4);
    expect(response.data!['flags']).toBe(64);
    expect(response.data!['content']).toBe(messages('zh').refusals.unverifiedMember);
    expect(await harness.store.listSubscriptions({ platform: 'discord' })).toEqual([]);
    expect(logLines.join('')).toContain('discord-interaction-refused');
  });

  it('a forged guild autocomplete without a member gets no choices', async () => {
    const id = fake.sendAutocomplete({
      name: 'report',
      guildId: GUILD,
      channelId: TEXT,
      member: { userId: '62', permissions: MEMBER_PERMISSIONS },
      focused: { name: 'date', value: '2026' },
      forge: (payload) => {
        payload['user'] = (payload['member'] as { user: unknown }).user;
        delete payload['member'];
      },
    });
    const response = await fake.waitForInteractionResponse(id);
    expect(response.data!['choices']).toEqual([]);
  });

  const malformed: { what: string; forge: NonNullable<SlashCommandInput['forge']> }[] = [
    { what: 'no entitlements', forge: (p) => delete p['entitlements'] },
    { what: 'no authorizing_integration_owners', forge: (p) => delete p['authorizing_integration_owners'] },
    { what: 'neither', forge: (p) => (delete p['entitlements'], delete p['authorizing_integration_owners']) },
    { what: 'no member and no user', forge: (p) => delete p['member'] },
    { what: 'no data', forge: (p) => delete p['data'] },
  ];

  it('other malformed dispatches (no ids, wrong shapes) never escape either; the bot keeps answering', async () => {
    fake.dispatch('GUILD_CREATE', { id: GUILD, channels: 'not a list' });
    fake.dispatch('CHANNEL_UPDATE', {});
    fake.dispatch('GUILD_MEMBER_UPDATE', { guild_id: GUILD });
    fake.dispatch('THREAD_CREATE', { id: null, guild_id: GUILD, type: 11 });
    fake.dispatch('INTERACTION_CREATE', null);
    await settle();
    expect(escaped).toEqual([]);
    await expectStillServing('90');
    expect(escaped).toEqual([]);
  });

  for (const [index, { what, forge }] of malformed.entries()) {
    it(`an interaction with ${what} is contained and logged; the bot keeps answering`, async () => {
      const before = logLines.length;
      fake.sendSlashCommand(report(`7${index}`, forge));
      await settle();
      expect(escaped).toEqual([]);
      await expectStillServing(`8${index}`);
      expect(escaped).toEqual([]);
      expect(logLines.slice(before).join('')).toContain('discord-event-failed');
    });
  }
});

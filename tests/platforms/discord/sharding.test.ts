import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { DiscordPlatform } from '../../../src/platforms/discord/discord-platform.ts';
import { createHarness, type Harness } from '../../commands/command-harness.ts';
import { startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.ts';
import { shardOf } from '../../helpers/fake-discord-gateway.ts';
import { MEMBER_PERMISSIONS } from '../../helpers/fake-discord-harness.ts';

/**
 * Gateway mode with automatic sharding: the fake's GET /gateway/bot says 2 shards and it closes
 * a connection that identifies with fewer (4011 Sharding required, as Discord does from 2,500
 * servers on); each guild's interactions go to its own shard only. The bot must open both shards
 * and answer commands arriving on either.
 */

/** Two guilds, one on each of 2 shards (`(id >> 22) % 2`). */
const GUILDS = [
  { id: '800000000004194305', text: '800000000004194310' },
  { id: '800000000000000001', text: '800000000000000010' },
] as const;

let fake: FakeDiscord;
let harness: Harness;
let platform: DiscordPlatform;

beforeAll(async () => {
  harness = await createHarness();
  fake = await startFakeDiscord();
  fake.requireShards(2);
  for (const [index, guild] of GUILDS.entries()) {
    fake.addGuild({ id: guild.id, name: `guild ${index}`, channels: [{ id: guild.text, type: 0, name: 'ai-news' }] });
  }
  platform = new DiscordPlatform({ token: fake.token, apiBase: fake.apiBase, router: harness.router, logger: silentLogger(), owners: [] });
  await platform.start();
});

afterAll(async () => {
  await platform?.stop();
  await fake?.close();
  await harness?.store.close();
});

describe('Discord gateway with automatic sharding', () => {
  it('the guilds sit on different shards (the test would prove nothing otherwise)', () => {
    expect(GUILDS.map((g) => shardOf(g.id, 2))).toEqual([0, 1]);
  });

  it('opens as many shards as GET /gateway/bot recommends, each identifying with its shard array', () => {
    expect(fake.gatewayShards.sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const identifies = fake.gatewayReceived.filter((p) => p.op === 2).map((p) => (p.d as { shard?: unknown }).shard);
    expect(identifies).toEqual(expect.arrayContaining([[0, 2], [1, 2]]));
  });

  for (const [index, guild] of GUILDS.entries()) {
    it(`answers a command from the guild on shard ${index}`, async () => {
      const id = fake.sendSlashCommand({ name: 'latest', guildId: guild.id, channelId: guild.text, member: { userId: `5${index}`, permissions: MEMBER_PERMISSIONS } });
      const response = await fake.waitForInteractionResponse(id, 10_000);
      expect([4, 5]).toContain(response.type);
    });
  }
});

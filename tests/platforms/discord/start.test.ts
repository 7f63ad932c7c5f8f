import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { DiscordPlatform } from '../../../src/platforms/discord/discord-platform.ts';
import { PlatformStartError } from '../../../src/platforms/platform.ts';
import { startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.ts';
import { SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';
import { scriptedRouter } from '../../helpers/fake-telegram-harness.ts';

/** DiscordPlatform.start(): transient failures may be retried, refusals are permanent. */

let fake: FakeDiscord | null = null;
let platform: DiscordPlatform | null = null;
afterEach(async () => {
  await platform?.stop();
  await fake?.close();
  platform = null;
  fake = null;
});

async function setUp(token?: string | ((valid: string) => string)): Promise<{ fake: FakeDiscord; platform: DiscordPlatform }> {
  fake = await startFakeDiscord();
  fake.addGuild(sampleGuild());
  platform = new DiscordPlatform({
    token: typeof token === 'function' ? token(fake.token) : (token ?? fake.token),
    apiBase: fake.apiBase,
    guildId: SAMPLE_GUILD_IDS.guild,
    router: scriptedRouter(),
    logger: silentLogger(),
    owners: [],
  });
  return { fake, platform };
}

const startError = (p: DiscordPlatform): Promise<PlatformStartError | null> =>
  p.start().then(
    () => null,
    (error: unknown) => error as PlatformStartError,
  );

describe('DiscordPlatform.start', () => {
  it('a Discord answering 5xx fails the attempt as transient; sends keep working, and the next attempt connects', async () => {
    const { fake, platform } = await setUp();
    fake.failNext('GET /gateway/bot', { status: 503, times: 10 });
    const error = await startError(platform);
    expect(error).toBeInstanceOf(PlatformStartError);
    expect(error?.permanent).toBe(false);
    expect(error?.message).toMatch(/^discord: cannot reach Discord: /);
    expect(fake.connectedSessions).toBe(0);

    // The failed login did not take the REST client's token with it.
    await platform.sendNotice({ platform: 'discord', chatId: SAMPLE_GUILD_IDS.text, threadId: null }, 'still sending');
    expect(fake.messages.at(-1)?.channelId).toBe(SAMPLE_GUILD_IDS.text);

    // Later attempts use up the injected 5xx answers, then connect.
    let attempts = 1;
    for (;;) {
      const again = await startError(platform);
      if (again === null) break;
      expect(again.permanent).toBe(false);
      attempts++;
      expect(attempts).toBeLessThan(10);
    }
    expect(fake.connectedSessions).toBe(1);
    expect(fake.registeredCommands.some((set) => set.scope === SAMPLE_GUILD_IDS.guild)).toBe(true);
  });

  it('connected() is true only between a started gateway and stop (digest_platform_up)', async () => {
    const { fake, platform } = await setUp();
    expect(platform.connected()).toBe(false);
    await platform.start();
    expect(fake.connectedSessions).toBe(1);
    expect(platform.connected()).toBe(true);
    await platform.stop();
    expect(platform.connected()).toBe(false);
  });

  it('a token Discord refuses is a permanent failure, without the token in the message', async () => {
    const wrong = 'fake.not-the-right-token';
    const { platform } = await setUp(wrong);
    const error = await startError(platform);
    expect(error?.permanent).toBe(true);
    expect(error?.message).toBe('discord: Discord refused the token (401 Unauthorized): check DISCORD_TOKEN');
  });

  it.each([
    ['a line break', (token: string) => `${token.slice(0, 10)}\n${token.slice(10)}`],
    ['a space', (token: string) => `${token.slice(0, 10)} ${token.slice(10)}`],
    ['a control character', (token: string) => `${token}\u0007`],
  ])('a token containing %s is a permanent failure naming DISCORD_TOKEN, without the token, before any request', async (_what, spoil) => {
    const { fake, platform } = await setUp(spoil);
    const token = spoil(fake.token);
    const error = await startError(platform);
    expect(error).toBeInstanceOf(PlatformStartError);
    expect(error?.permanent).toBe(true);
    expect(error?.message).toMatch(/^discord: DISCORD_TOKEN contains/);
    expect(error?.message).not.toContain(token.slice(0, 10));
    expect(fake.calls).toHaveLength(0);
  });

  it('the gateway refusing the token after start (close 4004) is reported as a fatal error, not left half-alive', async () => {
    const { fake, platform } = await setUp();
    const fatal: PlatformStartError[] = [];
    platform.onFatalError((error) => fatal.push(error));
    await platform.start();
    fake.disconnectGateway(4004);
    const deadline = Date.now() + 10_000;
    while (fatal.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fatal.map((e) => [e.permanent, e.message])).toEqual([[true, 'discord: Discord refused the token (gateway 4004 Authentication failed): check DISCORD_TOKEN']]);
  });
});

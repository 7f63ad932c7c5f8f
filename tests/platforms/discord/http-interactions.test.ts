import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRouter } from '../../../src/commands/types.ts';
import { createHttpApp, startHttpServer, type RunningHttpServer } from '../../../src/http/http-server.ts';
import { messages } from '../../../src/i18n/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { DiscordPlatform } from '../../../src/platforms/discord/discord-platform.ts';
import type { DigestImage } from '../../../src/report/digest-types.ts';
import { ServiceHealth } from '../../../src/service-health.ts';
import { createHarness, type Harness } from '../../commands/command-harness.ts';
import { startFakeDiscord, type FakeDiscord, type SigningFault, type SlashCommandInput } from '../../helpers/fake-discord.ts';
import { MANAGER_PERMISSIONS, MEMBER_PERMISSIONS, SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';

/**
 * DISCORD_INTERACTIONS=http end to end: the fake Discord signs each interaction with its own
 * Ed25519 key and POSTs it to the bot's real HTTP server (`/discord/interactions`), takes the
 * HTTP answer as the interaction response (3-second limit), and serves the webhook routes the bot
 * then uses through discord.js's REST. Real router, real store, real digests.
 */

const { guild: GUILD, text: TEXT, other: OTHER } = SAMPLE_GUILD_IDS;
const MEMBER = { userId: '21', permissions: MEMBER_PERMISSIONS };
const MANAGER = { userId: '22', permissions: MANAGER_PERMISSIONS };

let fake: FakeDiscord;
let harness: Harness;
let platform: DiscordPlatform;
let server: RunningHttpServer;
let dir: string;
/** Commands that reached the router (a refused request must add none). */
let routed = 0;
/** Delay the router by this much (a slow reply). */
let slowMs = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'discord-http-'));
  // 2026-01-03 has a word cloud ready; the other days none.
  const file = path.join(dir, 'wordcloud_twitter_ai_20260103_20260103.png');
  writeFileSync(file, Buffer.alloc(1500, 7));
  const cloud: DigestImage = { path: file, name: path.basename(file), bytes: 1500, generated: false };
  harness = await createHarness({
    reportUrlTemplate: 'https://example.com/{yyyy}/{mm}/{dd}/{slug}.html',
    imageOf: (report) => (report.slug === 'twitter_ai_20260103_20260103' ? cloud : null),
  });
  const router: CommandRouter = {
    definitions: harness.router.definitions,
    autocompleteDates: (typed, limit) => harness.router.autocompleteDates(typed, limit),
    async handle(name, args, context) {
      routed += 1;
      if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));
      return harness.router.handle(name, args, context);
    },
  };
  fake = await startFakeDiscord();
  fake.addGuild(sampleGuild());
  platform = new DiscordPlatform({
    layout: 'embeds',
    token: fake.token,
    apiBase: fake.apiBase,
    guildId: GUILD,
    router,
    logger: silentLogger(),
    owners: [],
    mode: 'http',
    publicKey: fake.publicKey,
    replyBudgetMs: 300,
    // As main.ts wires it: interaction ids claimed in the store every instance shares.
    claimInteraction: (id) => harness.store.claimUpdate('discord', id),
  });
  await platform.start();
  const app = createHttpApp({
    health: new ServiceHealth(),
    webhooks: [platform.webhookRoute!],
  });
  server = await startHttpServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger() });
  fake.useInteractionsEndpoint(`${server.url}/discord/interactions`);
});

afterAll(async () => {
  await server?.close(100);
  await platform?.stop();
  await fake?.close();
  await harness?.store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  slowMs = 0;
});

interface Shown {
  id: string;
  body: Record<string, unknown>;
  files: string[];
  /** 4 answered in the HTTP body, 5 deferred and edited in. */
  via: number;
}

/** The message the user finally sees: the HTTP answer itself, or the edit of a deferral. */
async function shown(id: string): Promise<Shown> {
  const response = await fake.waitForInteractionResponse(id);
  if (response.type === 4) return { id: `reply-${id}`, body: response.data!, files: [], via: 4 };
  const edit = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'), 5000, 'the deferred reply');
  return { id: edit.id, body: edit.body, files: edit.files.map((f) => f.name), via: response.type };
}

const command = (input: Omit<SlashCommandInput, 'guildId' | 'channelId'> & { channelId?: string }) =>
  fake.sendSlashCommand({ guildId: GUILD, channelId: TEXT, member: MEMBER, ...input });

const titleOf = (body: Record<string, unknown>): string => String((body['embeds'] as { title?: string }[])[0]?.title ?? '');
type Button = { label: string; custom_id?: string };
const buttonsOf = (body: Record<string, unknown>): Button[] => ((body['components'] ?? []) as { components: Button[] }[]).flatMap((row) => row.components);

describe('Discord HTTP interactions', () => {
  it('PING is answered PONG in the HTTP response', async () => {
    const answer = await fake.postSigned(JSON.stringify({ id: '1', application_id: fake.applicationId, type: 1, token: 'ping-token', version: 1 }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ type: 1 });
  });

  it('starts without any gateway connection: commands registered through REST, no GET /gateway/bot', () => {
    expect(fake.gatewayConnectionsOpened).toBe(0);
    expect(fake.connectedSessions).toBe(0);
    expect(fake.calls.some((c) => c.path === '/gateway/bot')).toBe(false);
    expect(fake.registeredCommands.find((s) => s.scope === GUILD)?.commands.map((c) => c['name'])).toContain('subscribe');
  });

  it('/latest is answered in the HTTP response itself', async () => {
    const id = command({ name: 'latest' });
    const reply = await shown(id);
    expect(reply.via).toBe(4);
    expect(titleOf(reply.body)).toContain('2026-01-22');
    const delivery = fake.httpDeliveries.find((d) => d.interactionId === id)!;
    expect(delivery).toMatchObject({ status: 200, outcome: 'answered', body: { type: 4 } });
  });

  it('/report <date> with a word cloud: deferred in the HTTP answer, the digest and its upload edited in through REST', async () => {
    const id = command({ name: 'report', options: { date: '2026-01-03' } });
    const reply = await shown(id);
    expect(reply.via).toBe(5);
    expect(titleOf(reply.body)).toContain('2026-01-03');
    expect(reply.files).toEqual(['wordcloud-2026-01-03.png']);
    expect((reply.body['embeds'] as { image?: { url: string } }[])[0]!.image?.url).toBe('attachment://wordcloud-2026-01-03.png');
  });

  it('autocomplete offers report dates matching what was typed', async () => {
    const id = fake.sendAutocomplete({ name: 'report', guildId: GUILD, channelId: TEXT, member: MEMBER, focused: { name: 'date', value: '202601' } });
    const response = await fake.waitForInteractionResponse(id);
    expect(response.type).toBe(8);
    expect((response.data!['choices'] as { value: string }[]).map((c) => c.value)).toEqual(['2026-01-22', '2026-01-03', '2026-01-02', '2026-01-01']);
  });

  it('◀ replaces the digest in place (UPDATE_MESSAGE in the HTTP answer); ▶ onto a day with a word cloud is a deferred update and an edit with the upload', async () => {
    const start = await shown(command({ name: 'report', options: { date: '2026-01-02' } }));
    const previous = buttonsOf(start.body).find((b) => b.label.startsWith('◀'))!;
    const backId = fake.pressButton({ message: { id: start.id, body: start.body }, customId: previous.custom_id!, guildId: GUILD, channelId: TEXT, member: MEMBER });
    const back = await fake.waitForInteractionResponse(backId);
    expect(back.type).toBe(7);
    expect(titleOf(back.data!)).toContain('2026-01-01');

    const next = buttonsOf(start.body).find((b) => b.label.endsWith('▶'))!;
    const forwardId = fake.pressButton({ message: { id: start.id, body: start.body }, customId: next.custom_id!, guildId: GUILD, channelId: TEXT, member: MEMBER });
    const forward = await fake.waitForInteractionResponse(forwardId);
    expect(forward.type).toBe(6);
    const edit = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === forwardId && f.kind === 'edit-original'));
    // The message the button is on is edited: its id, the new day, the new upload.
    expect(edit.id).toBe(start.id);
    expect(titleOf(edit.body)).toContain('2026-01-03');
    expect(edit.files.map((f) => f.name)).toEqual(['wordcloud-2026-01-03.png']);
  });

  it('/subscribe with Manage Channels subscribes the channel; without it is refused privately and nothing is stored', async () => {
    const refused = await shown(command({ name: 'subscribe', channelId: OTHER, member: MEMBER }));
    expect(refused.via).toBe(4);
    expect(refused.body['flags']).toBe(64);
    expect(refused.body['content']).toBe(messages('zh').refusals.manageDiscord);
    expect(await harness.store.listSubscriptions({ platform: 'discord' })).toEqual([]);

    const accepted = await shown(command({ name: 'subscribe', channelId: OTHER, member: MANAGER }));
    expect(accepted.body['flags']).toBeUndefined();
    const subscriptions = await harness.store.listSubscriptions({ platform: 'discord' });
    expect(subscriptions.map((s) => s.chatId)).toEqual([OTHER]);
  });

  it('a slow reply is deferred within the 3 seconds, then delivered with the word cloud', async () => {
    slowMs = 1200;
    const id = command({ name: 'report', options: { date: '2026-01-03' } });
    const response = await fake.waitForInteractionResponse(id);
    // Deferred (type 5) rather than held: the fake takes no answer after Discord's 3 s.
    expect(response.type).toBe(5);
    const reply = await shown(id);
    expect(titleOf(reply.body)).toContain('2026-01-03');
    expect(reply.files).toEqual(['wordcloud-2026-01-03.png']);
    expect(fake.httpDeliveries.find((d) => d.interactionId === id)?.outcome).toBe('answered');
  });

  const faults: { what: string; fault: SigningFault }[] = [
    { what: 'a signature by another key', fault: { wrongKey: true } },
    { what: 'no signature header', fault: { omit: 'signature' } },
    { what: 'no timestamp header', fault: { omit: 'timestamp' } },
    { what: 'neither header', fault: { omit: 'both' } },
    { what: 'a body altered after signing', fault: { alterBody: true } },
  ];
  for (const { what, fault } of faults) {
    it(`${what}: 401 and nothing done (no router call, no Discord call, nothing stored)`, async () => {
      const routedBefore = routed;
      const callsBefore = fake.calls.length;
      const stored = (await harness.store.listSubscriptions({ platform: 'discord' })).length;
      fake.spoilDeliveries(fault);
      try {
        const id = command({ name: 'subscribe', channelId: TEXT, member: MANAGER });
        const delivery = await fake.waitFor(() => fake.httpDeliveries.find((d) => d.interactionId === id));
        expect(delivery).toMatchObject({ status: 401, outcome: 'failed' });
      } finally {
        fake.spoilDeliveries(null);
      }
      // A real request afterwards is answered, and still nothing came of the spoiled one.
      await shown(command({ name: 'latest' }));
      expect(routed).toBe(routedBefore + 1);
      expect(fake.calls.slice(callsBefore)).toEqual([]);
      expect(await harness.store.listSubscriptions({ platform: 'discord' })).toHaveLength(stored);
    });
  }

  it('a signed guild interaction without a member is refused privately, not taken for a DM; one without data is 400', async () => {
    const forged = command({
      name: 'subscribe',
      member: MANAGER,
      forge: (payload) => {
        payload['user'] = (payload['member'] as { user: unknown }).user;
        delete payload['member'];
      },
    });
    const refused = await shown(forged);
    expect(refused.body['flags']).toBe(64);
    expect(refused.body['content']).toBe(messages('zh').refusals.unverifiedMember);

    const routedBefore = routed;
    const empty = command({ name: 'latest', forge: (payload) => delete payload['data'] });
    const delivery = await fake.waitFor(() => fake.httpDeliveries.find((d) => d.interactionId === empty));
    expect(delivery).toMatchObject({ status: 400, outcome: 'failed' });
    expect(routed).toBe(routedBefore);
    expect((await harness.store.listSubscriptions({ platform: 'discord' })).map((s) => s.chatId)).not.toContain(TEXT);
  });

  it('a replayed request (a valid signature, an interaction already taken) and a stale timestamp are refused; nothing acts twice', async () => {
    let captured = '';
    const id = command({ name: 'subscribe', channelId: TEXT, member: MANAGER, forge: (payload) => void (captured = JSON.stringify(payload)) });
    await shown(id);
    const subscribed = await harness.store.listSubscriptions({ platform: 'discord' });
    expect(subscribed.map((s) => s.chatId)).toContain(TEXT);
    await harness.store.unsubscribe({ platform: 'discord', chatId: TEXT, threadId: null }, 'test');
    const routedBefore = routed;
    const replay = await fake.postSigned(captured);
    expect(replay.status).toBe(401);
    const stale = await fake.postSigned(captured.replace(`"id":"${id}"`, '"id":"1"'), { timestamp: Math.floor(Date.now() / 1000) - 16 * 60 });
    expect(stale.status).toBe(401);
    expect(routed).toBe(routedBefore);
    expect((await harness.store.listSubscriptions({ platform: 'discord', activeOnly: true })).map((s) => s.chatId)).not.toContain(TEXT);
  });

  it('a replay sent to another instance on the same store is refused there too; a store that cannot record the id gets 500 and nothing acts', async () => {
    let captured = '';
    const id = command({ name: 'latest', channelId: TEXT, member: MEMBER, forge: (payload) => void (captured = JSON.stringify(payload)) });
    await shown(id);
    let storeDown = false;
    const second = new DiscordPlatform({
    layout: 'embeds',
      token: fake.token,
      apiBase: fake.apiBase,
      guildId: GUILD,
      router: harness.router,
      logger: silentLogger(),
      owners: [],
      mode: 'http',
      publicKey: fake.publicKey,
      claimInteraction: (interactionId) => (storeDown ? Promise.reject(new Error('database not answering')) : harness.store.claimUpdate('discord', interactionId)),
    });
    await second.start();
    const secondServer = await startHttpServer(
      createHttpApp({ health: new ServiceHealth(), webhooks: [second.webhookRoute!] }),
      { port: 0, host: '127.0.0.1', logger: silentLogger() },
    );
    try {
      fake.useInteractionsEndpoint(`${secondServer.url}/discord/interactions`);
      const responsesBefore = fake.interactionResponses.length;
      const messagesBefore = fake.messages.length;
      expect((await fake.postSigned(captured)).status).toBe(401);
      storeDown = true;
      const unrecorded = await fake.postSigned(captured.replace(`"id":"${id}"`, '"id":"990000000000000001"'));
      expect(unrecorded.status).toBe(500);
      expect(fake.interactionResponses.length).toBe(responsesBefore);
      expect(fake.messages.length).toBe(messagesBefore);
    } finally {
      fake.useInteractionsEndpoint(`${server.url}/discord/interactions`);
      await secondServer.close(100);
      await second.stop();
    }
  });

  it('start-up in http mode: a refused token or a public key of another application is permanent', async () => {
    const make = (token: string, publicKey: string) =>
      new DiscordPlatform({ layout: 'embeds', token, apiBase: fake.apiBase, router: harness.router, logger: silentLogger(), owners: [], mode: 'http', publicKey });
    await expect(make('not-the-token', fake.publicKey).start()).rejects.toMatchObject({ name: 'PlatformStartError', permanent: true, message: expect.stringMatching(/DISCORD_TOKEN/) });
    await expect(make(fake.token, 'b'.repeat(64)).start()).rejects.toMatchObject({ name: 'PlatformStartError', permanent: true, message: expect.stringMatching(/DISCORD_PUBLIC_KEY/) });
    expect(fake.gatewayConnectionsOpened).toBe(0);
  });

  it('scheduled delivery works in http mode: sendDigest posts through REST', async () => {
    const digest = await harness.deps.digests.forReport((await harness.deps.library.latest())!);
    const result = await platform.sendDigest({ platform: 'discord', chatId: TEXT, threadId: null }, digest, 'http-mode-scheduled');
    expect(result.messageIds.length).toBeGreaterThan(0);
    expect(fake.messages.filter((m) => m.channelId === TEXT).map((m) => m.id)).toEqual(result.messageIds);
    expect(fake.gatewayConnectionsOpened).toBe(0);
  });
});

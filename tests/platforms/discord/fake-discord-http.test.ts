import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ed25519PublicKey, verifyEd25519 } from '../../../src/platforms/discord/ed25519-signature.ts';
import { startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.ts';
import { MEMBER_PERMISSIONS, SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';

/**
 * The fake Discord's HTTP-interactions side on its own, against a hand-written endpoint: it signs
 * as Discord does, takes a 2xx JSON answer as the interaction response, and treats a non-2xx or no
 * answer within 3 s as "The application did not respond" (the interaction is dead afterwards).
 */

const { guild: GUILD, text: TEXT } = SAMPLE_GUILD_IDS;

let fake: FakeDiscord;
let server: Server;
/** How the hand-written endpoint answers the next request. */
let behave: (body: string, headers: Record<string, string | string[] | undefined>) => { status: number; body: string } | 'hang' = () => ({ status: 200, body: '{"type":1}' });
const hanging: Array<() => void> = [];

beforeAll(async () => {
  fake = await startFakeDiscord();
  fake.addGuild(sampleGuild());
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = behave(Buffer.concat(chunks).toString('utf8'), req.headers);
      if (answer === 'hang') {
        hanging.push(() => res.destroy());
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.useInteractionsEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/discord/interactions`);
});

afterEach(() => {
  for (const release of hanging.splice(0)) release();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
});

const latest = () => fake.sendSlashCommand({ name: 'latest', guildId: GUILD, channelId: TEXT, member: { userId: '41', permissions: MEMBER_PERMISSIONS } });

describe('fake Discord HTTP interactions', () => {
  it('signs each delivery with the application key: it verifies with DISCORD_PUBLIC_KEY and not once the body changes', async () => {
    let seen: { body: string; signature: string; timestamp: string } | null = null;
    behave = (body, headers) => {
      seen = { body, signature: String(headers['x-signature-ed25519']), timestamp: String(headers['x-signature-timestamp']) };
      return { status: 200, body: JSON.stringify({ type: 4, data: { content: 'hi' } }) };
    };
    const id = latest();
    const response = await fake.waitForInteractionResponse(id);
    expect(response).toMatchObject({ type: 4, data: { content: 'hi' } });
    const key = ed25519PublicKey(fake.publicKey);
    const { body, signature, timestamp } = seen!;
    expect(JSON.parse(body)).toMatchObject({ id, type: 2, data: { name: 'latest' } });
    expect(verifyEd25519(key, signature, timestamp, Buffer.from(body))).toBe(true);
    expect(verifyEd25519(key, signature, timestamp, Buffer.from(body.replace('latest', 'repost')))).toBe(false);
    expect(verifyEd25519(key, signature, String(Number(timestamp) + 1), Buffer.from(body))).toBe(false);
  });

  it('a non-2xx answer fails the interaction; a callback after it is Unknown interaction', async () => {
    behave = () => ({ status: 500, body: '{}' });
    const id = latest();
    const delivery = await fake.waitFor(() => fake.httpDeliveries.find((d) => d.interactionId === id));
    expect(delivery).toMatchObject({ status: 500, outcome: 'failed' });
    const late = await fetch(`${fake.apiBase}/v10/interactions/${id}/${fake.interactionToken(id)}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'late' } }),
    });
    expect(late.status).toBe(404);
    expect(((await late.json()) as { code: number }).code).toBe(10062);
  });

  it('no answer within 3 s: "The application did not respond"', async () => {
    behave = () => 'hang';
    const id = latest();
    const delivery = await fake.waitFor(() => fake.httpDeliveries.find((d) => d.interactionId === id), 6000);
    expect(delivery).toMatchObject({ status: null, outcome: 'failed' });
    expect(fake.interactionResponses.find((r) => r.interactionId === id)).toBeUndefined();
  });

  it('an answer Discord would refuse (an unknown response type) fails the interaction too', async () => {
    behave = () => ({ status: 200, body: JSON.stringify({ type: 42 }) });
    const id = latest();
    const delivery = await fake.waitFor(() => fake.httpDeliveries.find((d) => d.interactionId === id));
    expect(delivery.outcome).toBe('failed');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { postProject, tempRoot } from './post-helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/digest.mjs');
const GUILD = '820000000000000001';
const CHANNELS = Array.from({ length: 30 }, (_, i) => `8200000000000001${String(i).padStart(2, '0')}`);
const NEWEST = 'twitter_ai_20260122_20260122';

/**
 * A proxy in front of the fake Discord that lets message posts through one at a time and holds
 * each answer back a while: at any moment some posts have landed at Discord without the sender
 * knowing — the worst moment to be killed.
 */
async function startSlowProxy(target: URL): Promise<{ base: string; close: () => Promise<void> }> {
  let chain = Promise.resolve();
  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  const reply = (res: ServerResponse, r: { status: number; headers: IncomingMessage['headers']; body: Buffer }) => {
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && /\/channels\/\d+\/messages$/.test(req.url ?? '')) {
        chain = chain.then(async () => {
          const answer = await forward(req, body).catch(() => ({ status: 502, headers: {}, body: Buffer.from('{}') }));
          setTimeout(() => reply(res, answer), 400);
          await new Promise((r) => setTimeout(r, 60));
        });
      } else {
        forward(req, body).then((answer) => reply(res, answer), () => res.destroy());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function runChild(env: NodeJS.ProcessEnv, cwd: string): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'post'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

let discord: FakeDiscord;
let proxy: Awaited<ReturnType<typeof startSlowProxy>>;
const root = tempRoot('digest-post-kill-');

beforeAll(async () => {
  discord = await startFakeDiscord({ enforceRateLimits: true });
  discord.addGuild({ id: GUILD, name: 'guild', channels: CHANNELS.map((id, i) => ({ id, type: 0 as const, name: `c${i}` })) });
  proxy = await startSlowProxy(new URL(discord.apiBase));
});
afterAll(async () => {
  await proxy.close();
  await discord.close();
  rmSync(root, { recursive: true, force: true });
});

describe('digest post killed mid-fan-out', () => {
  it('completes on the next run with no Discord channel posted twice', async () => {
    const p = postProject(root, 'kill', { discord });
    const store = await SqliteStore.open(p.dbPath);
    for (const chatId of CHANNELS) await store.subscribe({ platform: 'discord', chatId, threadId: null, subscribedBy: 'cli' });
    const env = { ...p.env, DISCORD_API_BASE: proxy.base };

    const first = runChild(env, p.dir);
    const landed = () => discord.messages.filter((m) => CHANNELS.includes(m.channelId)).length;
    await discord.waitFor(() => landed() >= 8, 60_000, 'some messages to land');
    first.child.kill('SIGKILL');
    await first.exit;

    const rows = await store.listDeliveries({ slug: NEWEST, platform: 'discord' });
    const sending = rows.filter((r) => r.status === 'sending').length;
    // The kill really came mid-fan-out: rows were claimed and left in flight.
    expect(sending).toBeGreaterThan(0);
    expect(landed()).toBeLessThan(CHANNELS.length + 1);

    const second = runChild(env, p.dir);
    expect(await second.exit).toBe(0);
    expect(second.output()).toContain('discord: ');
    expect(second.output()).toContain(' 0 failed');

    for (const channelId of CHANNELS) {
      const posted = discord.messages.filter((m) => m.channelId === channelId);
      expect(posted.flatMap((m) => m.files), channelId).toHaveLength(1);
      expect(new Set(posted.map((m) => m.nonce)).size, channelId).toBe(posted.length);
    }
    const perChannel = new Set(CHANNELS.map((id) => discord.messages.filter((m) => m.channelId === id).length));
    expect(perChannel.size).toBe(1);
    expect((await store.listDeliveries({ slug: NEWEST, platform: 'discord' })).every((r) => r.status === 'delivered')).toBe(true);
    await store.close();
  }, 180_000); // two child processes start (tsx) and a paced fan-out runs: a generous deadline
});

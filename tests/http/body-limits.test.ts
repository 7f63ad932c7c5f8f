import { generateKeyPairSync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMITS, bodyLimitFor, DEFAULT_BODY_LIMIT_BYTES } from '../../src/http/body-limits.ts';
import { createHttpApp, startHttpServer, type RunningHttpServer } from '../../src/http/http-server.ts';
import { silentLogger } from '../../src/log.ts';
import { createDiscordInteractionsReceiver } from '../../src/platforms/discord/receive-http-interactions.ts';
import { DISCORD_INTERACTIONS_PATH, TELEGRAM_WEBHOOK_PATH, type WebhookRoute } from '../../src/platforms/webhook.ts';
import { ServiceHealth } from '../../src/service-health.ts';

/** A Discord application public key (64 hex), as the Developer Portal shows it. */
function publicKeyHex(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(-32).toString('hex');
}

/** How many requests reached each platform's handler (a refused body must reach none). */
const reached = { discord: 0, telegram: 0, later: 0 };

function routes(): WebhookRoute[] {
  const discord = createDiscordInteractionsReceiver({
    publicKey: publicKeyHex(),
    answer: async () => ((reached.discord += 1), { status: 200, body: { type: 1 } }),
    logger: silentLogger(),
  });
  return [
    { path: DISCORD_INTERACTIONS_PATH, handler: async (request) => ((reached.discord += 1), discord(request)) },
    { path: TELEGRAM_WEBHOOK_PATH, handler: async (request) => ((reached.telegram += 1), { status: 200, body: `${(await request.text()).length}\n` }) },
  ];
}

/** The app as main.ts builds it, plus a route mounted afterwards (as a later surface would be). */
function app() {
  const built = createHttpApp({ health: new ServiceHealth(), webhooks: routes() });
  built.post('/later', async (c) => ((reached.later += 1), c.text(`${(await c.req.text()).length}\n`)));
  return built;
}

let server: RunningHttpServer;

beforeAll(async () => {
  server = await startHttpServer(app(), { port: 0, host: '127.0.0.1', logger: silentLogger() });
});

afterAll(async () => {
  await server?.close(100);
});

describe('request body limits (one table for every route)', () => {
  it('has a row for each route that takes a body; anything else gets the default', () => {
    expect(bodyLimitFor(DISCORD_INTERACTIONS_PATH)).toBe(1024 * 1024);
    expect(bodyLimitFor(TELEGRAM_WEBHOOK_PATH)).toBe(1024 * 1024);
    expect(bodyLimitFor('/admin')).toBe(64 * 1024);
    expect(bodyLimitFor('/admin/destinations/telegram/1')).toBe(64 * 1024);
    expect(bodyLimitFor('/administrator')).toBe(DEFAULT_BODY_LIMIT_BYTES);
    // The open archive: public, its one body a small MCP request.
    expect(bodyLimitFor('/mcp')).toBe(64 * 1024);
    expect(bodyLimitFor('/reports/2026-01-03')).toBe(64 * 1024);
    expect(bodyLimitFor('/mcpx')).toBe(DEFAULT_BODY_LIMIT_BYTES);
    expect(BODY_LIMITS.every((row) => row.maxBytes <= 1024 * 1024)).toBe(true);
  });

  it.each([
    [DISCORD_INTERACTIONS_PATH, 'discord'],
    [TELEGRAM_WEBHOOK_PATH, 'telegram'],
    ['/admin', null],
    ['/admin/forms/anything', null],
    ['/mcp', null],
    ['/later', 'later'],
  ] as const)('POST %s: one byte over its limit is 413 and reaches nothing; at the limit it is handled', async (path, handler) => {
    const limit = bodyLimitFor(path);
    const before = { ...reached };
    for (const chunked of [false, true]) {
      const body = 'x'.repeat(limit + 1);
      // app.request with a string sends no Content-Length (counted as it streams); with one, it is refused up front.
      const response = await app().request(path, { method: 'POST', body, ...(chunked ? {} : { headers: { 'Content-Length': String(body.length) } }) });
      expect(response.status).toBe(413);
    }
    expect(reached).toEqual(before);
    const fits = await app().request(path, { method: 'POST', body: 'x'.repeat(limit) });
    expect(fits.status).not.toBe(413);
    if (handler) expect(reached[handler]).toBe(before[handler] + 1);
  });

  it('a declared Content-Length over the limit is answered 413 before a byte of the body is sent', async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST ${DISCORD_INTERACTIONS_PATH} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: ${300 * 1024 * 1024}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error(`no answer; got ${JSON.stringify(text)}`)), 10_000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('a 200 MB unsigned chunked body to /discord/interactions is refused 413 as it streams, and memory stays flat', { timeout: 120_000 }, async () => {
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const TOTAL = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x7b);
    const discordBefore = reached.discord;
    try {
      const outcome = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
        let sent = 0;
        let status: number | null = null;
        const req = httpRequest(`${server.url}${DISCORD_INTERACTIONS_PATH}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        });
        req.on('response', (res) => {
          status = res.statusCode ?? 0;
          res.resume();
          resolve({ status, sent });
          req.destroy();
        });
        // Once answered the server may drop the connection while bytes are still on their way.
        req.on('error', (error) => (status === null ? reject(error) : undefined));
        const pump = (): void => {
          while (status === null && sent < TOTAL) {
            sent += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          if (status === null && sent >= TOTAL) req.end();
        };
        pump();
      });
      peak = Math.max(peak, process.memoryUsage.rss());
      expect(outcome.status).toBe(413);
      expect(reached.discord).toBe(discordBefore);
      // The unbounded read held the whole body (RSS +900 MB for 300 MB); bounded, it holds at most 1 MB.
      expect(peak - baseline).toBeLessThan(100 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
    }
  });
});

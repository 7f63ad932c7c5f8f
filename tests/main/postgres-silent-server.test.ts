import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitWithin, startBot, type BotProcess } from './bot-process-helpers.ts';

/**
 * `npm start` with DATABASE_URL at a server that accepts connections and never answers (a wrong
 * port on a proxy, a hung server): opening the database gives up after
 * `database.connectTimeoutSeconds` and the bot exits 1 with one line naming the host, as it does
 * for a refused connection, instead of hanging without a word.
 */
let tmp: string;
let silent: net.Server;
let port: number;
const sockets = new Set<net.Socket>();
let accepted = 0;
let bot: BotProcess | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'postgres-silent-'));
  silent = net.createServer((socket) => {
    // Accepts, reads whatever comes, and never writes a byte back.
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await bot?.exit;
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

describe('the bot when its PostgreSQL server accepts connections and never answers', () => {
  it('gives up opening the database after the connect timeout and exits 1 with one line naming the host', async () => {
    bot = startBot({
      TELEGRAM_BOT_TOKEN: '123456:not-used',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      DATABASE_URL: `postgres://bot:secret-password@127.0.0.1:${port}/test`,
      DATABASE_CONNECT_TIMEOUT_SECONDS: '1',
      DATABASE_PATH: path.join(tmp, 'data', 'bot.db'),
      LOG_LEVEL: 'info',
    });
    // Generous: the child compiles TypeScript first. Without the timeout it never exits.
    const exit = await exitWithin(bot, 60_000);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(accepted, 'the bot reached the listener').toBeGreaterThan(0);
    const lines = bot.stderr().split('\n').filter((line) => line.startsWith('ai-digest-bot:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `ai-digest-bot: database postgres://bot@127.0.0.1:${port}/test: cannot open: no answer within 1 s (database.connectTimeoutSeconds): the server accepts connections but does not answer`,
    );
    expect(bot.stderr()).not.toContain('secret-password');
  }, 90_000);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandDeps } from '../../src/commands/deps.ts';
import { createCommandRouter } from '../../src/commands/router.ts';
import type { CommandRouter } from '../../src/commands/types.ts';
import { createDigestBuilder } from '../../src/digest-builder.ts';
import { createHttpApp, startHttpServer, type RunningHttpServer } from '../../src/http/http-server.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import { PlatformStarter } from '../../src/platforms/platform-starter.ts';
import { TelegramPlatform } from '../../src/platforms/telegram/telegram-platform.ts';
import { TELEGRAM_WEBHOOK_PATH } from '../../src/platforms/webhook.ts';
import type { DigestImage } from '../../src/report/digest-types.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import type { Report } from '../../src/report/types.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { HandledUpdates } from '../../src/store/handled-updates.ts';
import type { Store } from '../../src/store/store.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { until } from './until.ts';

export { until };

const CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');

/** The webhook secret the harness configures. */
export const WEBHOOK_SECRET = 'webhook_SECRET-for-tests-0123456789';

/**
 * The real command router over content/ and `store`, with word clouds for 2026-01-02 and
 * 2026-01-03 on disk and "now" pinned to 2026-01-22 (the newest report).
 */
export async function webhookTestRouter(store: Store): Promise<CommandRouter> {
  const library = await ReportLibrary.open(CONTENT_DIR);
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-webhook-'));
  const images = new Map<string, DigestImage>();
  for (const [slug, fill] of [['twitter_ai_20260102_20260102', 2], ['twitter_ai_20260103_20260103', 3]] as const) {
    const file = path.join(dir, `wordcloud_${slug}.png`);
    writeFileSync(file, Buffer.alloc(2048 + fill, fill));
    images.set(slug, { path: file, name: path.basename(file), bytes: 2048 + fill, generated: false });
  }
  const lookup = (report: Report): DigestImage | null => images.get(report.slug) ?? null;
  const deps: CommandDeps = {
    library,
    digests: createDigestBuilder(
      { digest: { detailMaxChars: 120, reportUrlTemplate: 'https://example.com/{slug}', titlePrefix: 'Twitter AI 报告' } },
      { imageFor: async (report) => lookup(report), cachedImageFor: lookup },
      library,
    ),
    store,
    reposter: { repost: async () => ({ delivered: 0, failed: 0, deactivated: 0, errors: [] }) },
    timezone: 'Asia/Shanghai',
    now: () => new Date('2026-01-22T02:00:00Z'),
    logger: silentLogger(),
  };
  return createCommandRouter(deps);
}

/** One bot instance in webhook mode: the real HTTP server with the real adapter behind it. */
export interface WebhookInstance {
  platform: TelegramPlatform;
  server: RunningHttpServer;
  health: ServiceHealth;
  /** `${server.url}/telegram/webhook`: this instance's own endpoint, bypassing any load balancer. */
  endpoint: string;
  /** Starts the platform (setWebhook) through PlatformStarter, as main.ts does; resolves once started. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts an instance: HTTP server on a free port of 127.0.0.1 first (as main.ts does), then the
 * adapter, whose webhook URL is `publicUrl` (a load balancer in front) or its own server.
 * The platform is not started: call `start()`.
 */
export async function startWebhookInstance(options: {
  fake: FakeTelegram;
  store: Store;
  router: CommandRouter;
  publicUrl?: string;
  claimUpdate?: (updateId: string) => Promise<boolean>;
  logger?: Logger;
}): Promise<WebhookInstance> {
  const logger = options.logger ?? silentLogger();
  const health = new ServiceHealth();
  let platform: TelegramPlatform | null = null;
  const app = createHttpApp({
    health,
    webhooks: [{ path: TELEGRAM_WEBHOOK_PATH, handler: (request) => platform!.webhookRoute!.handler(request) }],
  });
  const server = await startHttpServer(app, { port: 0, host: '127.0.0.1', logger });
  const handled = new HandledUpdates(options.store, { logger });
  const base = options.publicUrl ?? server.url;
  platform = new TelegramPlatform({
    token: options.fake.token,
    apiRoot: options.fake.apiRoot,
    botInfo: options.fake.botInfo,
    router: options.router,
    logger,
    owners: [],
    pacing: { perChatIntervalMs: 0, perGroupPerMinute: 1_000_000, broadcastPerSecond: 1_000_000 },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    webhook: {
      url: `${base}${TELEGRAM_WEBHOOK_PATH}`,
      secret: WEBHOOK_SECRET,
      claimUpdate: options.claimUpdate ?? ((id) => handled.claim('telegram', id)),
    },
  });
  const started = platform;
  const starter = new PlatformStarter({ platforms: [started], health, logger, retry: { baseMs: 10, capMs: 50 } });
  return {
    platform: started,
    server,
    health,
    endpoint: `${server.url}${TELEGRAM_WEBHOOK_PATH}`,
    async start() {
      starter.start();
      const deadline = Date.now() + 5000;
      while (!health.get('telegram')?.ready) {
        if (Date.now() > deadline) throw new Error(`telegram did not start: ${health.get('telegram')?.detail}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      await starter.stop();
      await server.close(500);
    },
  };
}

/** A round-robin load balancer in front of several instances' HTTP servers. */
export interface FakeLoadBalancer {
  url: string;
  /** Which backend (index) each request went to, in order. */
  readonly routed: number[];
  /** The path of each request, in the same order as `routed`. */
  readonly paths: string[];
  /**
   * The next `count` requests are forwarded and answered by the backend, but the answer never
   * reaches the caller (its connection is reset): the instance acted, Telegram saw no 200.
   */
  loseAnswers(count: number): void;
  close(): Promise<void>;
}

/**
 * Starts a load balancer on 127.0.0.1 forwarding to `backends` (http://host:port), one after the
 * other; each path has its own turn (so Telegram's and Discord's requests each go round all backends).
 */
export async function startLoadBalancer(backends: () => readonly string[]): Promise<FakeLoadBalancer> {
  const turns = new Map<string, number>();
  let toLose = 0;
  const routed: number[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const list = backends();
      const pathname = (req.url ?? '/').split('?')[0]!;
      const turn = turns.get(pathname) ?? 0;
      turns.set(pathname, turn + 1);
      const index = turn % list.length;
      routed.push(index);
      paths.push(pathname);
      const target = new URL(req.url ?? '/', list[index]);
      const lose = toLose > 0;
      if (lose) toLose -= 1;
      const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          if (lose) {
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
        });
      });
      upstream.on('error', () => res.writeHead(502).end('bad gateway\n'));
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    paths,
    loseAnswers(count) {
      toLose += count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port free right now on 127.0.0.1 (PUBLIC_URL must name the port before the bot binds it). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the first truthy value `probe` gives, polling; rejects naming `what` after `timeoutMs`. */

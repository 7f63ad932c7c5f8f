import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { mountArchive, type ArchiveRoutesDeps } from '../archive/archive-routes.ts';
import { DigestError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { BotMetrics } from '../metrics/bot-metrics.ts';
import type { ServiceHealth } from '../service-health.ts';
import { mountAdmin, type AdminDeps } from './admin/admin-routes.ts';
import type { WebhookRoute } from '../platforms/webhook.ts';
import { limitRequestBodies } from './body-limits.ts';
import { readiness, type ReadinessProbe } from './readiness.ts';
import { mountWebhooks } from './webhook-routes.ts';

export interface HttpAppDeps {
  health: ServiceHealth;
  /**
   * Checks run at each readiness probe (e.g. `store: () => store.ping()`): a throw makes that
   * component not ready with the error as the reason, whatever the health registry says.
   */
  probes?: Record<string, ReadinessProbe>;
  /** Absent: /metrics is 404. */
  metrics?: BotMetrics | null;
  /** Absent (no ADMIN_TOKEN): /admin is 404. */
  admin?: AdminDeps | null;
  /** For the refusals (bodies over their limit). */
  logger?: Logger;
  /**
   * The routes the platforms receive on (`POST /telegram/webhook` with TELEGRAM_UPDATES=webhook,
   * `POST /discord/interactions` with DISCORD_INTERACTIONS=http); any path not here is 404.
   */
  webhooks?: readonly WebhookRoute[];
  /** The open archive (pages, feeds, `/mcp`); absent or null: none of its paths exist. */
  archive?: ArchiveRoutesDeps | null;
}

/**
 * The bot's one HTTP app: probes, metrics, the status page and the platforms' webhooks. A plain
 * Hono app, so more surfaces mount on it as more routes; every route, later ones included, gets
 * the body limit of body-limits.ts before anything else runs.
 */
export function createHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono();
  app.use(limitRequestBodies(deps.logger ?? silentLogger()));
  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/readyz', async (c) => {
    const body = await readiness(deps.health, deps.probes);
    c.header('Cache-Control', 'no-store');
    return c.json(body, body.ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    if (!deps.metrics) return c.text('404 Not Found\n', 404);
    const { contentType, body } = await deps.metrics.exposition();
    return c.body(body, 200, { 'Content-Type': contentType });
  });
  mountAdmin(app, deps.admin ?? null);
  mountWebhooks(app, deps.webhooks ?? []);
  mountArchive(app, deps.archive ?? null);
  app.notFound((c) => c.text('404 Not Found\n', 404));
  return app;
}

/** A listening server. */
export interface RunningHttpServer {
  /** `http://host:port`, with the port actually bound (HTTP_PORT=0 picks a free one). */
  url: string;
  port: number;
  /**
   * Stops accepting at once, lets requests in flight finish for up to `graceMs`, then drops
   * whatever connections remain. Resolves when the server is closed.
   */
  close(graceMs?: number): Promise<void>;
}

/** Listens on `host:port`; rejects with a DigestError naming HTTP_PORT when the port cannot be bound. */
export function startHttpServer(
  app: Hono,
  options: { port: number; host: string; logger: Logger },
): Promise<RunningHttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }) as Server;
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new DigestError(`HTTP_PORT ${options.port} on ${options.host}: cannot listen (${error.code ?? error.message})`, { cause: error }));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      server.on('error', (error) => options.logger.error({ event: 'http.error', err: error }, 'HTTP server error'));
      const { port } = server.address() as AddressInfo;
      const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
      const url = `http://${shownHost}:${port}`;
      options.logger.info({ event: 'http.listening', host: options.host, port }, `HTTP server on ${url}`);
      resolve({
        url,
        port,
        close: (graceMs = 5000) =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive connections with no request in flight would hold close() open.
            server.closeIdleConnections();
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            force.unref();
            server.once('close', () => clearTimeout(force));
          }),
      });
    });
  });
}

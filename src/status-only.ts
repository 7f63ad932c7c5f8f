import { platformRoles } from './status/instance-info.ts';
import type { Config } from './config.ts';
import type { DigestBuilder } from './digest-builder.ts';
import { adminDepsFor } from './http/admin/admin-deps.ts';
import { createHttpApp, startHttpServer } from './http/http-server.ts';
import type { Logger } from './log.ts';
import type { BotMetrics } from './metrics/bot-metrics.ts';
import type { ReportLibrary } from './report/library.ts';
import type { ServiceHealth } from './service-health.ts';
import type { Shutdown } from './shutdown.ts';
import { openBackendForCli } from './backend/open-backend.ts';
import type { Store } from './store/store.ts';

/** The /readyz detail of a bot with no platform token. */
export const NO_PLATFORM = 'no platform is configured: set DISCORD_TOKEN and/or TELEGRAM_BOT_TOKEN';

/**
 * What `npm start` does with HTTP_PORT but no platform token: no bot (nothing is scheduled or
 * sent), only the HTTP server, so an operator can watch /healthz, /readyz (not ready: no platform)
 * and, with ADMIN_TOKEN, the status page and its previews before creating any bot account. Says
 * so in one line on stdout, then serves until a stop signal.
 */
export async function serveStatusOnly(input: {
  config: Config;
  logger: Logger;
  library: ReportLibrary;
  digests: DigestBuilder;
  health: ServiceHealth;
  metrics: BotMetrics | null;
  shutdown: Shutdown;
  out: (text: string) => void;
  /** Told the store once it is open (the metrics' subscriptions gauge reads it). */
  onStore?: (store: Store) => void;
}): Promise<void> {
  const { config, logger, library, digests, health, metrics, shutdown } = input;
  if (config.http.port === null) throw new Error('serveStatusOnly needs HTTP_PORT');
  // The page shows the subscriptions and deliveries of the database the bot will use.
  const backend = await openBackendForCli(config);
  const { store, location } = backend;
  logger.info({ event: 'store.opened', path: location }, 'database ready');
  input.onStore?.(store);
  health.set('store', true);
  health.set('platforms', false, NO_PLATFORM);
  const probes = { store: () => store.ping() };
  const admin = adminDepsFor(config, { store, library, digests, health, probes, recentFanouts: () => [], roles: () => platformRoles({ configured: [] }) });
  const http = await startHttpServer(createHttpApp({ health, probes, metrics, logger, admin }), {
    port: config.http.port,
    host: config.http.host,
    logger,
  });
  const routes = ['/healthz', '/readyz', '/metrics', ...(admin ? ['/admin'] : [])].join(', ');
  input.out(
    `ai-digest-bot: no platform token is set, so no bot was started; serving ${routes} on ${http.url} until stopped${admin ? '' : ' (set ADMIN_TOKEN for the status page)'}. Set DISCORD_TOKEN and/or TELEGRAM_BOT_TOKEN to start the bot.\n`,
  );
  if (!shutdown.isRequested) await shutdown.requested;
  health.set('shutdown', false, 'shutting down');
  await http.close(3000);
  await backend.close();
  logger.info({ event: 'shutdown.done', ms: shutdown.elapsedMs() }, 'stopped');
}

import type { PeerInstance } from '../../backend/backend.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hono } from 'hono';
import type { DigestBuilder } from '../../digest-builder.ts';
import { buildDigestPreview } from '../../digest-preview.ts';
import { DigestError, InvalidDateError, ReportNotFoundError } from '../../errors.ts';
import { PLATFORM_NAMES, type PlatformName } from '../../words.ts';
import type { Report } from '../../report/types.ts';
import { parseUserDate } from '../../report/user-date.ts';
import type { ServiceHealth } from '../../service-health.ts';
import { collectStatus } from '../../status/collect-status.ts';
import { collectContentStatus, type ContentStatusLibrary } from '../../status/content-status.ts';
import type { RecentFanout } from '../../status/recent-fanouts.ts';
import { describeThisInstance, platformRoles, type InstanceInfo, type PlatformRole } from '../../status/instance-info.ts';
import { pageSubscriptions, type SubscriptionQuery } from '../../status/subscription-page.ts';
import type { Store } from '../../store/store.ts';
import type { Reposter } from '../../commands/types.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { readiness, type ReadinessProbe } from '../readiness.ts';
import { requireAdminToken } from './admin-auth.ts';
import { mountAdminAssets } from './admin-assets.ts';
import { mountAdminActions } from './admin-actions.ts';
import { issueCsrfToken } from './admin-csrf.ts';
import { destinationPage, messagePage, overviewPage, previewPage } from './admin-pages.ts';

/**
 * What the status page reads, and the core its actions go through (the chat's /repost and
 * /unsubscribe use the same Reposter and Store.unsubscribe).
 */
export interface AdminDeps {
  /** ADMIN_TOKEN. */
  token: string;
  store: Store;
  config: {
    schedule: string;
    timezone: string;
    discordColor: number;
    discordLayout?: 'components' | 'embeds';
    telegram?: { collapseDetails: boolean; previewReportLink: boolean };
  };
  library: ContentStatusLibrary & { findByDate(date: string): Promise<Report> };
  digests: DigestBuilder;
  health: ServiceHealth;
  /** The readiness probe's live checks, so the page shows what /readyz answers. */
  probes?: Record<string, ReadinessProbe>;
  recentFanouts: () => readonly RecentFanout[];
  now?: () => Date;
  /** What /repost goes through; absent (no platform configured): repost and retry answer with why not. */
  reposter?: Reposter | null;
  /** Each platform's role on this instance; default: every platform configured, sent here. */
  roles?: () => Record<PlatformName, PlatformRole>;
  /** Default: this process. */
  instance?: InstanceInfo;
  /** The actions are logged here (who and what). */
  logger?: Logger;
  /** PostgreSQL: every live instance on the shared database and what it sends; absent on SQLite. */
  peers?: () => Promise<readonly PeerInstance[]>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };

/**
 * Mounts the operator's status page under `/admin`. Without `deps` (no ADMIN_TOKEN) every
 * `/admin` path is 404, as if the page did not exist; with it, every path needs the token.
 */
export function mountAdmin(app: Hono, deps: AdminDeps | null): void {
  if (deps === null) {
    app.all('/admin', (c) => c.text('404 Not Found\n', 404));
    app.all('/admin/*', (c) => c.text('404 Not Found\n', 404));
    return;
  }
  const now = deps.now ?? (() => new Date());
  const auth = requireAdminToken(deps.token);
  app.use('/admin', auth);
  app.use('/admin/*', auth);
  mountAdminAssets(app);
  const dates = (): string[] => [...new Set(deps.library.entries().map((e) => e.dateStart))].slice(0, 60);
  const instance = deps.instance ?? describeThisInstance();
  const roles = deps.roles ?? (() => platformRoles({ configured: PLATFORM_NAMES }));
  mountAdminActions(app, {
    token: deps.token,
    store: deps.store,
    reposter: deps.reposter ?? null,
    library: deps.library,
    timezone: deps.config.timezone,
    logger: deps.logger ?? silentLogger(),
    now,
  });

  app.get('/admin', async (c) => {
    const platform = c.req.query('platform');
    const state = c.req.query('state');
    const query: SubscriptionQuery = {
      platform: PLATFORM_NAMES.includes(platform as PlatformName) ? (platform as PlatformName) : null,
      state: state === 'active' || state === 'inactive' ? state : null,
      q: (c.req.query('q') ?? '').slice(0, 200),
      page: Number(c.req.query('page') ?? '1'),
    };
    const at = now();
    const content = await collectContentStatus(deps.library);
    const facts = await collectStatus({ store: deps.store, config: deps.config, now: at });
    return c.html(
      overviewPage({
        facts,
        health: await readiness(deps.health, deps.probes),
        recent: deps.recentFanouts(),
        query,
        list: pageSubscriptions(facts.subscriptions, query),
        dates: dates(),
        instance,
        roles: roles(),
        timezone: deps.config.timezone,
        now: at,
        csrf: issueCsrfToken(deps.token, at),
        content,
        peers: deps.peers ? await deps.peers().catch((error: unknown) => (error instanceof Error ? error.message : String(error))) : null,
      }),
    );
  });

  app.get('/admin/destinations/:platform/:chatId', async (c) => {
    const platform = c.req.param('platform') as PlatformName;
    if (!PLATFORM_NAMES.includes(platform)) return c.html(messagePage('Not found', `No platform "${platform}".`, dates()), 404);
    const chatId = c.req.param('chatId');
    const threadId = c.req.query('thread') || null;
    const destination = { platform, chatId, threadId };
    return c.html(
      destinationPage({
        ...destination,
        subscription: await deps.store.getSubscription(destination),
        deliveries: await deps.store.listDeliveriesTo(destination, 200),
        timezone: deps.config.timezone,
        dates: dates(),
        csrf: issueCsrfToken(deps.token, now()),
      }),
    );
  });

  // The picker's GET form: any date a user may type, then a stable URL per date.
  app.get('/admin/preview', (c) => {
    const typed = (c.req.query('date') ?? '').trim();
    try {
      const date = parseUserDate(typed, { timezone: deps.config.timezone, now: now() });
      return c.redirect(`/admin/preview/${date}`, 303);
    } catch (error) {
      return c.html(messagePage('Bad date', (error as Error).message, dates()), 400);
    }
  });

  /** The report and its preview for a `YYYY-MM-DD` path segment, or the error page to answer with. */
  const previewFor = async (date: string) => {
    if (!ISO_DATE.test(date)) throw new InvalidDateError(date);
    const report = await deps.library.findByDate(date);
    return buildDigestPreview(report, deps.digests, {
      discordColor: deps.config.discordColor,
      ...(deps.config.discordLayout ? { discordLayout: deps.config.discordLayout } : {}),
      ...(deps.config.telegram ? { telegram: deps.config.telegram } : {}),
    });
  };
  const failure = (error: unknown): { title: string; status: 400 | 404 | 500 } =>
    error instanceof InvalidDateError
      ? { title: 'Bad date', status: 400 }
      : error instanceof ReportNotFoundError
        ? { title: 'No report', status: 404 }
        : { title: 'Preview failed', status: error instanceof DigestError ? 404 : 500 };

  app.get('/admin/preview/:date', async (c) => {
    const date = c.req.param('date');
    // `20260103`, `today`, `2026/1/3`: the forms the picker takes, sent on to the stable URL.
    if (!ISO_DATE.test(date)) {
      try {
        return c.redirect(`/admin/preview/${parseUserDate(date, { timezone: deps.config.timezone, now: now() })}`, 303);
      } catch (error) {
        return c.html(messagePage('Bad date', (error as Error).message, dates()), 400);
      }
    }
    try {
      const { preview, digest } = await previewFor(date);
      const imageUrl = digest.image ? `/admin/preview/${date}/image` : null;
      return c.html(previewPage({ date, preview, imageUrl, dates: dates() }));
    } catch (error) {
      const { title, status } = failure(error);
      return c.html(messagePage(title, (error as Error).message, dates()), status);
    }
  });

  app.get('/admin/preview/:date/payloads.json', async (c) => {
    try {
      return c.json((await previewFor(c.req.param('date'))).preview);
    } catch (error) {
      return c.json({ error: (error as Error).message }, failure(error).status);
    }
  });

  app.get('/admin/preview/:date/image', async (c) => {
    try {
      const { digest } = await previewFor(c.req.param('date'));
      if (!digest.image) return c.text('this digest has no image\n', 404);
      const bytes = await readFile(digest.image.path);
      const type = IMAGE_TYPES[path.extname(digest.image.name).toLowerCase()] ?? 'application/octet-stream';
      return c.body(new Uint8Array(bytes), 200, { 'Content-Type': type });
    } catch (error) {
      return c.text(`${(error as Error).message}\n`, failure(error).status);
    }
  });
}

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Hono } from 'hono';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { fontCss, readFontFile } from '../http/admin/admin-assets.ts';
import { ARCHIVE_BODY_LIMIT_BYTES } from '../http/body-limits.ts';
import { sameSecret, tokenOf } from '../http/admin/admin-auth.ts';
import { InvalidDateError, ReportNotFoundError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { isCalendarDate } from '../report/user-date.ts';
import { FEED_ENTRIES } from './archive-feeds.ts';
import { ARCHIVE_CSS, describePoints, messagePage, SITE_NAME, type PageMeta } from './archive-pages.ts';
import type { ArchiveSource } from './archive-source.ts';
import { etagOf, ResponseCache, sendCached, type CachedBody } from './cached-response.ts';
import { archiveSecurityHeaders, concurrencyLimit, refuseHostilePaths } from './load-guard.ts';
import { createArchiveMcpServer } from './mcp-server.ts';
import { Admission, type AdmissionLimits } from './admission.ts';
import { eventLoopPressure, NEVER_BUSY, type LoopPressure } from './loop-pressure.ts';
import { reportPagePath } from './report-links.ts';
import { INLINE_RENDERER, type PageRenderer } from './render-thread.ts';

/** What the archive's routes need: the archive and how it is exposed. */
export interface ArchiveRoutesDeps {
  source: ArchiveSource;
  /** PUBLIC_URL: the absolute base of links (og:image, feeds); null = the request's own origin. */
  publicUrl: string | null;
  /** MCP_TOKEN: required as a Bearer token at `/mcp` when set. */
  mcpToken: string | null;
  pageSize: number;
  /** Turns for archive requests: in all, per client address, waiting (see Admission). */
  limits: AdmissionLimits;
  /** Above this share of the bot's event loop in use, archive requests wait for a turn (1: never). */
  maxLoopShare: number;
  /** Renders what misses the caches (pages, feeds): the render worker, or inline when absent. */
  renderer?: PageRenderer;
  /** Replaces the event-loop measurement (tests). */
  pressure?: LoopPressure;
  logger?: Logger;
  /** Told of each request refused for being over the concurrency limit (metrics, the bench). */
  onBusy?: () => void;
  /** Told of each request put in line to wait for a turn (metrics, tests). */
  onWaiting?: () => void;
}

const PAGE_CACHE = 'public, max-age=300';
const FEED_CACHE = 'public, max-age=300';
const ASSET_CACHE = 'public, max-age=86400';
const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };
/** Every path the archive answers; the load guard and headers apply to these only. */
const ARCHIVE_PATHS = ['/', '/reports/*', '/search', '/feed.xml', '/feed.json', '/mcp', '/assets/*'];
const HTML = 'text/html; charset=utf-8';

/**
 * Mounts the open archive on the bot's HTTP app: `/` (the index), `/reports/<date>` (a report,
 * its `wordcloud.png`), `/search?q=`, `/feed.xml` (Atom), `/feed.json` (JSON Feed), `POST /mcp`
 * (Streamable HTTP) and `/assets/*`. Read-only and public (`/mcp` behind MCP_TOKEN when set);
 * requests take turns (limits in all and per client, none while the bot's loop is busy, a short
 * wait, 503 beyond), bodies over 64 KB refused unread (a row of http/body-limits.ts's table),
 * rendered pages and feeds cached per report version and rendered by `deps.renderer` (the render
 * worker, off the bot's event loop). Without `deps` nothing is mounted.
 */
export function mountArchive(app: Hono, deps: ArchiveRoutesDeps | null): void {
  if (deps === null) return;
  const { source } = deps;
  const renderer = deps.renderer ?? INLINE_RENDERER;
  const logger = deps.logger ?? silentLogger();
  const cache = new ResponseCache(256);
  const feedCache = new ResponseCache<{ atom: CachedBody; json: CachedBody }>(4);
  const admission = new Admission(deps.limits, deps.pressure ?? (deps.maxLoopShare >= 1 ? NEVER_BUSY : eventLoopPressure(deps.maxLoopShare)), deps.onWaiting);
  const limit = concurrencyLimit(admission, deps.onBusy);
  const headers = archiveSecurityHeaders();
  const paths = refuseHostilePaths();
  // The limit first: a refusal is the cheapest answer the archive gives.
  // Bodies are limited before any of this, by the app's one table (http/body-limits.ts).
  for (const route of ARCHIVE_PATHS) app.use(route, limit, headers, paths);

  const originOf = (c: Context): string => deps.publicUrl ?? new URL(c.req.url).origin;
  const meta = (c: Context, title: string, description: string, pathName: string, image: string | null = null): PageMeta => ({
    title,
    description,
    url: `${originOf(c)}${pathName}`,
    image,
  });
  const html = async (c: Context, status: 200 | 400 | 404 | 500, page: string | Promise<string>): Promise<Response> => {
    c.header('Cache-Control', status === 200 ? PAGE_CACHE : 'no-store');
    return c.html(await page, status);
  };
  /** The cloud's path under its page (`.jpg` when the report's own picture is a JPEG). */
  const imagePathFor = (dateStart: string, imageName: string | null): string =>
    `${reportPagePath(dateStart)}/wordcloud${imageName && /\.jpe?g$/i.test(imageName) ? '.jpg' : '.png'}`;
  const failure = async (c: Context, error: unknown, where: string): Promise<Response> => {
    if (error instanceof InvalidDateError) return html(c, 400, messagePage(meta(c, `日期无效 · ${SITE_NAME}`, error.message, where), '日期无效', error.message));
    if (error instanceof ReportNotFoundError) {
      const nearest = [error.nearest.before, error.nearest.after].filter((d): d is string => d !== null);
      return html(c, 404, messagePage(meta(c, `没有这份报告 · ${SITE_NAME}`, error.message, where), '没有这份报告', error.message, nearest));
    }
    logger.warn({ event: 'archive.failed', path: where, err: error }, 'archive request failed');
    return html(c, 500, messagePage(meta(c, SITE_NAME, 'error', where), '出错了', '这份报告暂时无法显示。'));
  };
  /** A `YYYY-MM-DD` path segment, or null for anything else (nothing is looked up for it). */
  const dateParam = (c: Context): string | null => {
    const date = c.req.param('date') ?? '';
    return date.length === 10 && isCalendarDate(date) ? date : null;
  };

  app.get('/assets/archive.css', (c) => c.body(ARCHIVE_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': ASSET_CACHE }));
  let fonts: string | null = null;
  app.get('/assets/font.css', (c) => {
    fonts ??= fontCss('/assets/fonts');
    return c.body(fonts, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': ASSET_CACHE });
  });
  app.get('/assets/fonts/:file', async (c) => {
    const bytes = await readFontFile(c.req.param('file'));
    return bytes === null ? c.text('404 Not Found\n', 404) : c.body(bytes, 200, { 'Content-Type': 'font/woff2', 'Cache-Control': ASSET_CACHE });
  });

  app.get('/', (c) => {
    const requested = c.req.query('page') ?? '1';
    const page = /^\d{1,6}$/.test(requested) ? Math.max(1, Number(requested)) : 1;
    const newest = source.entries()[0];
    const description = newest ? `每日 Twitter AI 报告存档，最新：${newest.dateStart}` : '每日 Twitter AI 报告存档';
    return html(c, 200, renderer.render({ kind: 'index', meta: meta(c, SITE_NAME, description, page === 1 ? '/' : `/?page=${page}`), page: source.page(page, deps.pageSize) }));
  });

  app.get('/reports/:date', async (c) => {
    const where = c.req.path;
    const date = dateParam(c);
    if (date === null) return failure(c, new InvalidDateError((c.req.param('date') ?? '').slice(0, 40)), where);
    const entry = source.entryFor(date);
    const origin = originOf(c);
    try {
      if (entry === null) await source.report(date); // throws ReportNotFoundError with the nearest dates
      const e = entry!;
      const nav = source.navigation(e.dateStart);
      const key = `page\0${origin}\0${e.file}\0${e.mtimeMs}\0${e.size}\0${nav.previous}\0${nav.next}`;
      const cached = await cache.get(key, async () => {
        const view = await source.load(e);
        const image = source.mayHaveImage(view.report) ? imagePathFor(view.report.dateStart, source.cachedImageName(view.report)) : null;
        const pageMeta = meta(c, view.title, describePoints(view.report.points), reportPagePath(view.report.dateStart), image ? `${origin}${image}` : null);
        const text = await renderer.render({ kind: 'report', meta: pageMeta, view, image });
        return { body: text, contentType: HTML, etag: etagOf(text) };
      });
      return sendCached(c, cached, PAGE_CACHE);
    } catch (error) {
      return failure(c, error, where);
    }
  });

  app.get('/reports/:date/:file', async (c) => {
    const file = c.req.param('file');
    const date = dateParam(c);
    if (file !== 'wordcloud.png' && file !== 'wordcloud.jpg') return c.text('404 Not Found\n', 404);
    if (date === null) return c.text('400 Bad Request: not a date\n', 400);
    try {
      const view = await source.report(date);
      const image = await source.imageFor(view.report);
      if (image === null) return c.text('404 Not Found: this report has no word cloud\n', 404);
      const info = await stat(image.path);
      const key = `image\0${image.path}\0${info.mtimeMs}\0${info.size}`;
      const cached: CachedBody = await cache.get(key, async () => {
        const bytes = new Uint8Array(await readFile(image.path));
        const type = IMAGE_TYPES[path.extname(image.name).toLowerCase()] ?? 'application/octet-stream';
        return { body: bytes, contentType: type, etag: etagOf(bytes), lastModified: info.mtime };
      });
      return sendCached(c, cached, PAGE_CACHE);
    } catch (error) {
      const status = error instanceof InvalidDateError ? 400 : error instanceof ReportNotFoundError ? 404 : 500;
      return c.text(`${status === 500 ? 'the word cloud could not be read' : (error as Error).message}\n`, status);
    }
  });

  app.get('/search', async (c) => {
    const query = (c.req.query('q') ?? '').trim().slice(0, 200);
    const outcome = query === '' ? null : await source.search(query);
    const title = query === '' ? `搜索 · ${SITE_NAME}` : `${query} · 搜索 · ${SITE_NAME}`;
    c.header('Cache-Control', 'no-store');
    return c.html(await renderer.render({ kind: 'search', meta: meta(c, title, `搜索报告：${query}`, `/search?q=${encodeURIComponent(query)}`), query, outcome }));
  });

  /** Both feeds of the newest reports, built once per set of file versions. */
  const feeds = async (c: Context): Promise<{ atom: CachedBody; json: CachedBody }> => {
    const origin = originOf(c);
    const newest = source.entries().slice(0, FEED_ENTRIES);
    const key = `feed\0${origin}\0${newest.map((e) => `${e.file}:${e.mtimeMs}:${e.size}`).join('\0')}`;
    return feedCache.get(key, async () => {
      const reports = [];
      for (const entry of newest) {
        const view = await source.load(entry).catch(() => null);
        if (view === null) continue;
        const image = source.mayHaveImage(view.report) ? `${origin}${imagePathFor(view.report.dateStart, source.cachedImageName(view.report))}` : null;
        reports.push({ view, entry, image });
      }
      const { atom, json, updated } = await renderer.render({ kind: 'feeds', reports, origin });
      return {
        atom: { body: atom, contentType: 'application/atom+xml; charset=utf-8', etag: etagOf(atom), lastModified: updated },
        json: { body: json, contentType: 'application/feed+json; charset=utf-8', etag: etagOf(json), lastModified: updated },
      };
    });
  };
  app.get('/feed.xml', async (c) => sendCached(c, (await feeds(c)).atom, FEED_CACHE));
  app.get('/feed.json', async (c) => sendCached(c, (await feeds(c)).json, FEED_CACHE));

  const refuseMethod = (c: Context): Response => {
    c.header('Allow', 'POST');
    return c.json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this stateless MCP endpoint takes POST only' }, id: null }, 405);
  };
  app.get('/mcp', refuseMethod);
  app.delete('/mcp', refuseMethod);
  app.post('/mcp', async (c) => {
    if (deps.mcpToken !== null) {
      const given = tokenOf(c.req.header('authorization'));
      if (given === null || !sameSecret(given, deps.mcpToken)) {
        c.header('WWW-Authenticate', 'Bearer realm="ai-digest-bot mcp"');
        return c.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Unauthorized: MCP_TOKEN required as a Bearer token' }, id: null }, 401);
      }
    }
    // Stateless: a server and transport per request, answered as plain JSON.
    const server = createArchiveMcpServer({ archive: source, linkFor: (d) => `${originOf(c)}${reportPagePath(d)}` });
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true, maxRequestBodySize: ARCHIVE_BODY_LIMIT_BYTES });
    try {
      await server.connect(transport);
      return await transport.handleRequest(c.req.raw);
    } finally {
      void server.close().catch(() => undefined);
    }
  });
}

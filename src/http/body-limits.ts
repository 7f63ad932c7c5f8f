import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../log.ts';
import { DISCORD_INTERACTIONS_PATH, TELEGRAM_WEBHOOK_PATH } from '../platforms/webhook.ts';

/** The largest body one route (and every path under it) takes. */
export interface BodyLimit {
  /** A path; it also covers the paths under it (`/admin` covers `/admin/…`). */
  path: string;
  maxBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** The open archive's rows below; also given to the MCP transport, which checks the body it reads. */
export const ARCHIVE_BODY_LIMIT_BYTES = 64 * KiB;

/**
 * The one table of request body limits: a route that takes a body and needs more than the default
 * gets its row here. A Telegram update or a Discord interaction is a few kilobytes, so 1 MiB is
 * plenty; the status page's forms are smaller still.
 */
export const BODY_LIMITS: readonly BodyLimit[] = [
  { path: DISCORD_INTERACTIONS_PATH, maxBytes: 1 * MiB },
  { path: TELEGRAM_WEBHOOK_PATH, maxBytes: 1 * MiB },
  { path: '/admin', maxBytes: 64 * KiB },
  // The open archive: public and unauthenticated, so its one body (an MCP request of a few hundred
  // bytes) gets the smallest room; its other paths take none (GET), a body sent anyway no more.
  ...['/mcp', '/reports', '/search', '/feed.xml', '/feed.json', '/assets'].map((path) => ({ path, maxBytes: ARCHIVE_BODY_LIMIT_BYTES })),
];

/** For every path without a row in BODY_LIMITS, routes added later included. */
export const DEFAULT_BODY_LIMIT_BYTES = 256 * KiB;

/** The limit for `pathname`: the longest matching row, else the default. */
export function bodyLimitFor(pathname: string, limits: readonly BodyLimit[] = BODY_LIMITS): number {
  let best: BodyLimit | null = null;
  for (const limit of limits) {
    const covers = pathname === limit.path || pathname.startsWith(`${limit.path.replace(/\/+$/, '')}/`);
    if (covers && (best === null || limit.path.length > best.path.length)) best = limit;
  }
  return best?.maxBytes ?? DEFAULT_BODY_LIMIT_BYTES;
}

/**
 * GET and HEAD requests carry no body the app reads (the Node adapter gives them none), so the
 * guard lets them through without asking for one: asking (`c.req.raw.body`) builds a full Fetch
 * Request (headers, AbortSignal, stream) per request, the largest cost of a page served from cache.
 */
export function hasNoBody(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/**
 * Middleware, mounted before every route: a body over its route's limit is answered 413 before
 * any handler, signature check or authentication runs. A declared `Content-Length` over the limit
 * is refused without reading a byte; a chunked body is counted as it streams in and refused at the
 * first byte over (hono's bodyLimit), so an unauthenticated client cannot make the bot hold more
 * than the limit in memory per request.
 */
export function limitRequestBodies(logger: Logger, limits: readonly BodyLimit[] = BODY_LIMITS): MiddlewareHandler {
  const guards = new Map<number, MiddlewareHandler>();
  const guardFor = (maxBytes: number): MiddlewareHandler => {
    let guard = guards.get(maxBytes);
    if (!guard) {
      guard = bodyLimit({
        maxSize: maxBytes,
        onError: (c) => {
          logger.warn({ event: 'http.body-too-large', method: c.req.method, path: c.req.path, limit: maxBytes }, 'request body over the route limit refused');
          c.header('Cache-Control', 'no-store');
          return c.text(`body too large (at most ${maxBytes} bytes)\n`, 413);
        },
      });
      guards.set(maxBytes, guard);
    }
    return guard;
  };
  return (c, next) => (hasNoBody(c.req.method) ? next() : guardFor(bodyLimitFor(c.req.path, limits))(c, next));
}

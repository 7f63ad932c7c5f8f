import type { Context, MiddlewareHandler } from 'hono';
import type { Admission } from './admission.ts';

/** The archive's response headers: a strict CSP (no scripts at all), no sniffing, no framing. */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"],
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'strict-origin-when-cross-origin'],
];

/** The answer to a refused request: built from plain strings, no page, no lookup. */
const BUSY_HEADERS: Record<string, string> = {
  ...Object.fromEntries(SECURITY_HEADERS),
  'Retry-After': '1',
  'Cache-Control': 'no-store',
  'Content-Type': 'text/plain; charset=utf-8',
};
const BUSY_TEXT = '503 Service Unavailable: the archive is busy, try again in a moment\n';

/** The peer's address as the socket has it (a proxy in front makes every reader one client). */
function clientOf(c: Context): string {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/**
 * Archive requests take turns from `admission` (see Admission: limits in all and per client
 * address, a short wait in line, none while the bot's event loop is busy); a request refused a
 * turn is answered 503 with `Retry-After: 1`, so a crowd of readers (or one greedy crawler)
 * never takes the event loop (and the database) from the bot's own work: the fan-out and the
 * commands come first. Mounted first, so a refusal costs no more than its few headers.
 */
export function concurrencyLimit(admission: Admission, onRefused: () => void = () => undefined): MiddlewareHandler {
  return async (c, next) => {
    const turn = await admission.request(clientOf(c));
    if (turn === null) {
      onRefused();
      return c.body(BUSY_TEXT, 503, BUSY_HEADERS);
    }
    try {
      await next();
    } finally {
      turn.done();
    }
    return undefined;
  };
}

/** Sets {@link SECURITY_HEADERS} on every archive response. */
export function archiveSecurityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    // Set before the handler runs, they join the response it builds; `c.header` after it would
    // turn the adapter's light response into a full Fetch Response (a stream) on every request.
    for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
    await next();
    // A handler that returns a Response of its own (the MCP transport) gets them here.
    const headers = c.res.headers;
    if (!headers.has('Content-Security-Policy')) for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
  };
}

/** Dot segments (plain or encoded), NUL and encoded slashes or backslashes in a request's raw path. */
const HOSTILE_PATH = /(^|\/|%2f|%5c|\\)(\.|%2e){2}($|\/|%2f|%5c|\\|\?)|%00|%2f|%5c|\\/i;

/**
 * 400 for a request whose path, as sent, holds `..` / `%2e%2e`, `%00` or an encoded slash. The
 * URL parser quietly resolves dot segments (`/reports/%2e%2e` arrives as `/`), so the raw request
 * line is checked (Node's `incoming.url`, when the adapter exposes it).
 */
export function refuseHostilePaths(): MiddlewareHandler {
  return async (c, next) => {
    const raw = (c.env as { incoming?: { url?: string } } | undefined)?.incoming?.url ?? new URL(c.req.url).pathname;
    const pathPart = raw.split('?')[0] ?? '';
    if (HOSTILE_PATH.test(pathPart)) return c.text('400 Bad Request: path not allowed\n', 400);
    await next();
    return undefined;
  };
}

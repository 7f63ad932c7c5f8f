import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/** Request bodies larger than this are refused (413) before they are read. */
export const ARCHIVE_BODY_LIMIT = 64 * 1024;

/**
 * At most `max` archive requests are served at once; one more is answered 503 with
 * `Retry-After: 1` at once, without queueing, so a crowd of readers never takes the event loop
 * (and the database) from the bot's own work: the fan-out and the commands come first.
 */
export function concurrencyLimit(max: number, onRefused: () => void = () => undefined): MiddlewareHandler {
  let active = 0;
  return async (c, next) => {
    if (active >= max) {
      onRefused();
      c.header('Retry-After', '1');
      c.header('Cache-Control', 'no-store');
      return c.text('503 Service Unavailable: the archive is busy, try again in a moment\n', 503);
    }
    active += 1;
    try {
      await next();
    } finally {
      active -= 1;
    }
    return undefined;
  };
}

/** 413 for a body over {@link ARCHIVE_BODY_LIMIT}: by its Content-Length before reading, else while it streams in. */
export function archiveBodyLimit(): MiddlewareHandler {
  return bodyLimit({
    maxSize: ARCHIVE_BODY_LIMIT,
    onError: (c) => c.text(`413 Payload Too Large: request bodies are limited to ${ARCHIVE_BODY_LIMIT} bytes\n`, 413),
  });
}

/** The archive's response headers: a strict CSP (no scripts at all), no sniffing, no framing. */
export function archiveSecurityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; img-src 'self'; style-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
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

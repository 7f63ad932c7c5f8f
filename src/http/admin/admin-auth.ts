import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Compares in constant time (both sides hashed first, so the length does not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Authorization: Bearer <token>`, or HTTP Basic with it as the password (any user name). */
export function tokenOf(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
  if (bearer) return (bearer[1] ?? '').trim();
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
  if (!basic) return null;
  const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : decoded.slice(colon + 1);
}

/**
 * Lets through only requests carrying the admin token; everything else gets 401 with a Basic
 * challenge, so a browser asks for it (any user name, the token as the password).
 */
export function requireAdminToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const given = tokenOf(c.req.header('authorization'));
    if (given === null || !sameSecret(given, token)) {
      c.header('WWW-Authenticate', 'Basic realm="ai-digest-bot admin", charset="UTF-8"');
      c.header('Cache-Control', 'no-store');
      return c.text('401 Unauthorized: this page needs the admin token (HTTP Basic password or Bearer token).\n', 401);
    }
    await next();
    c.header('Cache-Control', 'no-store');
    return undefined;
  };
}

import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from './admin-auth.ts';

/**
 * CSRF tokens for the status page's POST forms: `<nonce>.<HMAC-SHA256(ADMIN_TOKEN, nonce)>`, the
 * nonce carrying its issue time. Basic credentials are sent by the browser with any request to
 * the host, a form on another site included; such a site cannot read our page, so it cannot know
 * a token, and without the admin token it cannot make one. Nothing is stored server-side.
 */

/** A token is honoured this long after the page that carries it was rendered. */
export const CSRF_MAX_AGE_MS = 12 * 60 * 60 * 1000;

const sign = (secret: string, nonce: string): string =>
  createHmac('sha256', `ai-digest-bot admin csrf\u0000${secret}`).update(nonce).digest('base64url');

/** A fresh token for one rendered page. */
export function issueCsrfToken(secret: string, now: Date = new Date()): string {
  const nonce = `${now.getTime().toString(36)}-${randomBytes(12).toString('base64url')}`;
  return `${nonce}.${sign(secret, nonce)}`;
}

/** Whether `token` was issued with `secret` within CSRF_MAX_AGE_MS (the MAC compared in constant time). */
export function verifyCsrfToken(secret: string, token: string | null | undefined, now: Date = new Date()): boolean {
  if (typeof token !== 'string') return false;
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return false;
  const nonce = token.slice(0, dot);
  if (!sameSecret(token.slice(dot + 1), sign(secret, nonce))) return false;
  const issued = parseInt(nonce.split('-')[0] ?? '', 36);
  const age = now.getTime() - issued;
  return Number.isFinite(issued) && age >= -60_000 && age <= CSRF_MAX_AGE_MS;
}

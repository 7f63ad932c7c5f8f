import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether the `X-Telegram-Bot-Api-Secret-Token` header carries the webhook's secret, compared in
 * constant time (the time taken says nothing about how much of a guess was right). Both sides are
 * hashed first so the buffers compared always have the same length: a length check on the raw
 * values would tell an attacker the secret's length.
 */
export function secretMatches(header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(header), digest(secret));
}

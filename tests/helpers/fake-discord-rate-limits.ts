import { DISCORD_LIMITS } from '../../src/render/limits.ts';

/** One route bucket: Discord's hash, its size and window, and the major parameter (e.g. channel id). */
export interface FakeBucket {
  hash: string;
  limit: number;
  windowMs: number;
  major: string;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Discord's rate limits as fixed windows: 50 bot-token requests per second globally, and per-route
 * buckets keyed by hash and major parameter. Every answer announces its bucket in the
 * `X-RateLimit-*` headers so a client can pace itself; when `enforce` is off nothing is counted,
 * no headers are sent and nothing is refused.
 */
export class FakeRateLimits {
  readonly #buckets = new Map<string, Window>();
  #global: Window = { count: 0, resetAt: 0 };

  constructor(private readonly enforce: boolean) {}

  /** Counts one request; fills `headers`; returns the 429 body when over a limit, else null. */
  check(countsGlobally: boolean, bucket: FakeBucket, headers: Record<string, string>): Record<string, unknown> | null {
    if (!this.enforce) return null;
    const now = Date.now();
    if (countsGlobally) {
      if (now >= this.#global.resetAt) this.#global = { count: 0, resetAt: now + 1000 };
      if (this.#global.count >= DISCORD_LIMITS.globalRequestsPerSecond) {
        const retryAfter = (this.#global.resetAt - now) / 1000;
        headers['Retry-After'] = String(Math.ceil(retryAfter));
        headers['X-RateLimit-Global'] = 'true';
        headers['X-RateLimit-Scope'] = 'global';
        return { message: 'You are being rate limited.', retry_after: retryAfter, global: true };
      }
      this.#global.count += 1;
    }
    const key = `${bucket.hash}:${bucket.major}`;
    let window = this.#buckets.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + bucket.windowMs };
      this.#buckets.set(key, window);
    }
    const resetAfter = Math.max(0, window.resetAt - now) / 1000;
    headers['X-RateLimit-Limit'] = String(bucket.limit);
    headers['X-RateLimit-Reset'] = (window.resetAt / 1000).toFixed(3);
    headers['X-RateLimit-Reset-After'] = resetAfter.toFixed(3);
    headers['X-RateLimit-Bucket'] = bucket.hash;
    if (window.count >= bucket.limit) {
      headers['X-RateLimit-Remaining'] = '0';
      headers['X-RateLimit-Scope'] = 'user';
      headers['Retry-After'] = String(Math.ceil(resetAfter));
      return { message: 'You are being rate limited.', retry_after: resetAfter, global: false };
    }
    window.count += 1;
    headers['X-RateLimit-Remaining'] = String(bucket.limit - window.count);
    return null;
  }
}

import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { LruCache } from '../report/lru-cache.ts';

/** A response body kept between requests, with what conditional GET compares. */
export interface CachedBody {
  body: string | Uint8Array<ArrayBuffer>;
  contentType: string;
  /** Strong ETag, quoted. */
  etag: string;
  /** Last-Modified, when the body has one (feeds, pictures). */
  lastModified?: Date;
}

/** A strong ETag of the body's bytes. */
export function etagOf(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Rendered responses kept per key (a report's file version and neighbours, the feeds' newest
 * entries): a report page is rendered once however many readers ask, until its file changes.
 * Concurrent misses of one key share one rendering.
 */
export class ResponseCache<T = CachedBody> {
  readonly #items: LruCache<string, T>;
  readonly #making = new Map<string, Promise<T>>();

  constructor(capacity: number) {
    this.#items = new LruCache(capacity);
  }

  async get(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.#items.get(key);
    if (hit) return hit;
    const running = this.#making.get(key);
    if (running) return running;
    const made = make()
      .then((body) => {
        this.#items.set(key, body);
        return body;
      })
      .finally(() => this.#making.delete(key));
    this.#making.set(key, made);
    return made;
  }
}

/** True when the request's validators say the reader already has this body. */
function notModified(c: Context, cached: CachedBody): boolean {
  const match = c.req.header('if-none-match');
  if (match !== undefined) return match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === cached.etag || tag.trim() === '*');
  const since = c.req.header('if-modified-since');
  if (since === undefined || !cached.lastModified) return false;
  const time = Date.parse(since);
  return Number.isFinite(time) && Math.floor(cached.lastModified.getTime() / 1000) * 1000 <= time;
}

/** Answers with the cached body, or 304 when the reader's ETag / date still holds. */
export function sendCached(c: Context, cached: CachedBody, cacheControl: string): Response {
  c.header('ETag', cached.etag);
  c.header('Cache-Control', cacheControl);
  if (cached.lastModified) c.header('Last-Modified', cached.lastModified.toUTCString());
  if (notModified(c, cached)) return c.body(null, 304);
  c.header('Content-Type', cached.contentType);
  return c.body(cached.body);
}

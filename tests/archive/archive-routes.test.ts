import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportSearcher, SearchOutcome } from '../../src/search/types.ts';
import { archiveContent, HOSTILE_DATE, HOSTILE_TITLE, startArchiveServer } from './archive-harness.ts';

const PUBLIC = 'https://digest.example.org';
let content: ReturnType<typeof archiveContent>;
let bot: Awaited<ReturnType<typeof startArchiveServer>>;

beforeAll(async () => {
  content = archiveContent();
  bot = await startArchiveServer(content.contentDir, path.join(content.dir, 'clouds'), {
    publicUrl: PUBLIC,
    reportUrlTemplate: 'https://source.example.com/{yyyy}/{mm}/{dd}/{slug}.html',
  });
}, 60_000);
afterAll(async () => {
  await bot?.close();
  content?.cleanup();
});

const get = (pathName: string, headers: Record<string, string> = {}) => fetch(`${bot.server.url}${pathName}`, { headers });

/** A search index whose answers wait for `release()`: `inside` resolves once a search has begun. */
function heldSearch(): { slow: ReportSearcher; inside: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const slow: ReportSearcher = {
    async search(query): Promise<SearchOutcome> {
      entered();
      await gate;
      return { query, terms: [query], hits: [], total: 0, suggestions: [] };
    },
  };
  return { slow, inside, release };
}

/** A GET from a chosen local address (the archive tells clients apart by theirs). */
function getFrom(port: number, pathName: string, localAddress: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: pathName, method: 'GET', localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request sent byte for byte as written (fetch and URL would normalise `..`). */
function rawGet(pathName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: bot.server.port, path: pathName, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('archive pages', () => {
  it('lists every report newest first, each linking to its page, with a CSP and the feeds announced', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src|default-src 'none'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src/);
    const html = await res.text();
    const dates = [...html.matchAll(/href="\/reports\/(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1]);
    expect(dates).toEqual(bot.library.dates());
    expect(html).toContain('<link rel="alternate" type="application/atom+xml"');
    expect(html).toContain('href="/feed.json"');
  });

  it('shows a report: title, date, ten points, og tags with an absolute og:image, neighbours and the source link', async () => {
    const res = await get('/reports/2026-01-03');
    expect(res.status).toBe(200);
    const html = await res.text();
    const report = await bot.library.findByDate('2026-01-03');
    expect(html).toContain('<h1 id="report-title">Twitter AI 报告 · 2026-01-03</h1>');
    expect(html.match(/<li><strong>/g)).toHaveLength(10);
    for (const point of report.points) expect(html).toContain(point.title.replaceAll('"', '&quot;'));
    expect(html).toContain('<meta property="og:title" content="Twitter AI 报告 · 2026-01-03">');
    expect(html).toContain(`<meta property="og:image" content="${PUBLIC}/reports/2026-01-03/wordcloud.png">`);
    expect(html).toContain(`<meta property="og:url" content="${PUBLIC}/reports/2026-01-03">`);
    expect(html).toMatch(/<meta property="og:description" content="[^"]+">/);
    expect(html).toContain('rel="prev" href="/reports/2026-01-02"');
    expect(html).toContain(`rel="next" href="/reports/${HOSTILE_DATE}"`);
    expect(html).toContain('href="https://source.example.com/2026/01/03/twitter_ai_20260103_20260103.html"');
  });

  it('answers a repeated request from its ETag with 304', async () => {
    const first = await get('/reports/2026-01-02');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"/);
    const again = await get('/reports/2026-01-02', { 'If-None-Match': etag! });
    expect(again.status).toBe(304);
  });

  it('escapes every piece of report text', async () => {
    const html = await (await get(`/reports/${HOSTILE_DATE}`)).text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    expect(HOSTILE_TITLE).toContain('<script>');
  });

  it('an unknown date is 404 naming the nearest reports', async () => {
    const res = await get('/reports/2026-01-07');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('class="nearest" href="/reports/2026-01-03"');
    expect(html).toContain(`class="nearest" href="/reports/${HOSTILE_DATE}"`);
  });

  it.each([
    ['/reports/..%2F..%2Fetc%2Fpasswd', [400, 404]],
    ['/reports/2026-01-03%00', [400]],
    ['/reports/%2e%2e', [400, 404]],
    ['/reports/%2E%2E/%2e%2e/etc/passwd', [400, 404]],
    ['/reports/2026-01-03%2f..%2f..', [400, 404]],
    ['/reports/2026-01-0300000000000000000000000000000000', [400]],
    ['/reports/2026-02-30', [400]],
    ['/reports/../../etc/passwd', [400, 404]],
    ['/reports/2026-01-03/..%2F..%2Fpackage.json', [400, 404]],
    ['/reports/2026-01-03/%2e%2e/%2e%2e/package.json', [404]],
    ['/assets/fonts/..%2F..%2Fpackage.json', [400, 404]],
  ])('hostile path %s is refused', async (pathName, statuses) => {
    const status = await rawGet(pathName);
    expect(statuses).toContain(status);
  });

  it('serves the word cloud under the page, cached with an ETag', async () => {
    const res = await get('/reports/2026-01-03/wordcloud.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\//);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(1000);
    const again = await get('/reports/2026-01-03/wordcloud.png', { 'If-None-Match': res.headers.get('etag')! });
    expect(again.status).toBe(304);
  }, 60_000);

  it('/search shows the bot index\'s own hits in its order, words marked', async () => {
    const expected = await bot.search.search('AI', 10);
    expect(expected.hits.length).toBeGreaterThan(0);
    const html = await (await get(`/search?q=${encodeURIComponent('AI')}`)).text();
    const shown = [...html.matchAll(/<li><a href="\/reports\/(\d{4}-\d{2}-\d{2})">/g)].map((m) => m[1]);
    expect(shown).toEqual(expected.hits.map((h) => h.dateStart));
    expect(html).toContain('<mark>');
  });
});

describe('archive feeds', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

  it('/feed.xml is Atom 1.0: newest reports, stable ids, updated, page link, points as HTML, cloud enclosure', async () => {
    const res = await get('/feed.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const doc = parser.parse(await res.text());
    expect(doc.feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    const entries = doc.feed.entry as Array<Record<string, any>>;
    expect(entries.map((e) => e.title['#text'] ?? e.title)).toEqual(bot.library.entries().map((e) => `Twitter AI 报告 · ${e.dateStart}`));
    const first = entries.find((e) => e.id === 'tag:ai-digest-bot,2026:report/twitter_ai_20260103_20260103')!;
    expect(first).toBeDefined();
    expect(Date.parse(first.updated)).toBeGreaterThan(0);
    const links = first.link as Array<Record<string, string>>;
    expect(links.map((l) => l['@href'])).toContain(`${PUBLIC}/reports/2026-01-03`);
    expect(links.find((l) => l['@rel'] === 'enclosure')?.['@href']).toBe(`${PUBLIC}/reports/2026-01-03/wordcloud.png`);
    const content = String(first.content['#text'] ?? first.content);
    expect(content.match(/<li>/g)).toHaveLength(10);
    const hostile = entries.find((e) => String(e.id).includes('20260110'))!;
    expect(String(hostile.content['#text'] ?? hostile.content)).toContain('&lt;script&gt;');
  });

  it('/feed.json is JSON Feed 1.1 with the same entries and the cloud as image', async () => {
    const res = await get('/feed.json');
    expect(res.headers.get('content-type')).toMatch(/^application\/feed\+json/);
    const feed = (await res.json()) as { version: string; items: Array<Record<string, string>> };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.items).toHaveLength(bot.library.entries().length);
    const item = feed.items.find((i) => i['url'] === `${PUBLIC}/reports/2026-01-03`)!;
    expect(item['id']).toBe('tag:ai-digest-bot,2026:report/twitter_ai_20260103_20260103');
    expect(item['image']).toBe(`${PUBLIC}/reports/2026-01-03/wordcloud.png`);
    expect(item['content_html']).toMatch(/^<ol>(<li>.*?<\/li>){10}<\/ol>$/);
  });

  it('conditional GET: ETag and Last-Modified both answer 304', async () => {
    for (const feed of ['/feed.xml', '/feed.json']) {
      const res = await get(feed);
      expect((await get(feed, { 'If-None-Match': res.headers.get('etag')! })).status).toBe(304);
      expect((await get(feed, { 'If-Modified-Since': res.headers.get('last-modified')! })).status).toBe(304);
      expect((await get(feed, { 'If-Modified-Since': new Date(0).toUTCString() })).status).toBe(200);
    }
  });
});

describe('archive load guard', () => {
  it('answers 503 at once beyond the concurrency limit, and serves again once requests finish', async () => {
    const { slow, inside, release } = heldSearch();
    const small = await startArchiveServer(content.contentDir, path.join(content.dir, 'clouds'), { maxConcurrent: 1, search: slow });
    try {
      const held = fetch(`${small.server.url}/search?q=x`);
      await inside;
      const refused = await fetch(`${small.server.url}/reports/2026-01-03`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      // The bot's own routes are not limited.
      expect((await fetch(`${small.server.url}/healthz`)).status).toBe(200);
      release();
      expect((await held).status).toBe(200);
      expect((await fetch(`${small.server.url}/reports/2026-01-03`)).status).toBe(200);
    } finally {
      release();
      await small.close();
    }
  });

  it('one client address at its own limit is refused (503, Retry-After) while another address is served', async () => {
    const { slow, inside, release } = heldSearch();
    const small = await startArchiveServer(content.contentDir, path.join(content.dir, 'clouds'), { maxConcurrent: 64, maxConcurrentPerClient: 1, search: slow });
    try {
      const held = getFrom(small.server.port, '/search?q=x', '127.0.0.1');
      await inside;
      const refused = await getFrom(small.server.port, '/reports/2026-01-03', '127.0.0.1');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['cache-control']).toBe('no-store');
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
      // Another address (Linux routes all of 127/8 to the loopback) still has its turns.
      expect((await getFrom(small.server.port, '/reports/2026-01-03', '127.0.0.2')).status).toBe(200);
      release();
      expect((await held).status).toBe(200);
      expect((await getFrom(small.server.port, '/reports/2026-01-03', '127.0.0.1')).status).toBe(200);
    } finally {
      release();
      await small.close();
    }
  });

  it('while the bot\'s event loop is busy, requests wait in line and get a 503 with Retry-After; served again once it is not', async () => {
    let busy = true;
    const small = await startArchiveServer(content.contentDir, path.join(content.dir, 'clouds'), {
      maxWaiting: 8,
      maxWaitMs: 50,
      pressure: { isBusy: () => busy },
    });
    try {
      const refused = await fetch(`${small.server.url}/reports/2026-01-03`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.text()).toMatch(/busy/);
      // The bot's own routes never wait.
      expect((await fetch(`${small.server.url}/healthz`)).status).toBe(200);
      busy = false;
      expect((await fetch(`${small.server.url}/reports/2026-01-03`)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('a request waiting in line is served when the request ahead of it finishes', async () => {
    const { slow, inside, release } = heldSearch();
    let queued!: () => void;
    const inLine = new Promise<void>((resolve) => (queued = resolve));
    const small = await startArchiveServer(content.contentDir, path.join(content.dir, 'clouds'), {
      maxConcurrent: 1,
      maxWaiting: 8,
      maxWaitMs: 600_000,
      search: slow,
      onWaiting: () => queued(),
    });
    try {
      const held = fetch(`${small.server.url}/search?q=x`);
      await inside;
      const waiting = fetch(`${small.server.url}/reports/2026-01-03`);
      await inLine;
      release();
      expect((await held).status).toBe(200);
      const served = await waiting;
      expect(served.status).toBe(200);
      expect(await served.text()).toContain('2026-01-03');
    } finally {
      release();
      await small.close();
    }
  });

  it('security headers are on pages, 304s and the MCP endpoint\'s own responses', async () => {
    const page = await get('/reports/2026-01-03');
    const again = await get('/reports/2026-01-03', { 'If-None-Match': page.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);
    const mcp = await fetch(`${bot.server.url}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(mcp.status).toBe(200);
    for (const res of [page, again, mcp]) {
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses a body over 64 KB by its Content-Length, before it is sent (one byte over: below the default limit of other routes)', async () => {
    // Only the headers go out: the answer comes without the server waiting for a byte of the body.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(bot.server.port, '127.0.0.1', () => {
        socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 65537\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('utf8');
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('archive.enabled false: none of the archive paths exist', async () => {
    const off = await startArchiveServer(content.contentDir, path.join(content.dir, 'clouds'), { enabled: false });
    try {
      for (const p of ['/', '/reports/2026-01-03', '/feed.xml', '/search?q=AI']) expect((await fetch(`${off.server.url}${p}`)).status).toBe(404);
      expect((await fetch(`${off.server.url}/mcp`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RepostRequest } from '../../src/commands/types.ts';
import { createDigestBuilder, type DigestBuilder } from '../../src/digest-builder.ts';
import { createHttpApp } from '../../src/http/http-server.ts';
import { issueCsrfToken } from '../../src/http/admin/admin-csrf.ts';
import type { Logger } from '../../src/log.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { platformRoles } from '../../src/status/instance-info.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

/** The status page's actions (CSRF, the shared core, the log), its paged list, and what it says per platform. */

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'admin-token-for-action-tests-0123456789';
const headers = { authorization: `Bearer ${TOKEN}` };
const noImages = { imageFor: async () => null, cachedImageFor: () => null };

let library: ReportLibrary;
let digests: DigestBuilder;

beforeAll(async () => {
  library = await ReportLibrary.open(path.join(ROOT, 'content'));
  digests = createDigestBuilder({ digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' } }, noImages);
});

/** A logger that keeps what it is told (the fields of each line). */
function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const keep = (fields: Record<string, unknown>) => void lines.push(fields);
  const logger = { info: keep, warn: keep, error: keep, debug: keep } as unknown as Logger;
  return { logger, lines };
}

function setUp(store: SqliteStore, extra: Record<string, unknown> = {}) {
  const requests: RepostRequest[] = [];
  const { logger, lines } = recordingLogger();
  const app = createHttpApp({
    health: new ServiceHealth(),
    admin: {
      token: TOKEN,
      store,
      config: { schedule: '0 9 * * *', timezone: 'Asia/Shanghai', discordColor: 0x1d9bf0 },
      library,
      digests,
      health: new ServiceHealth(),
      recentFanouts: () => [],
      reposter: {
        repost: async (request) => {
          requests.push(request);
          return { delivered: 1, failed: 0, deactivated: 0, errors: [] };
        },
      },
      logger,
      ...extra,
    },
  });
  return { app, requests, lines };
}

const csrfOf = (page: string): string => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

const post = (app: ReturnType<typeof createHttpApp>, action: string, fields: Record<string, string>) =>
  app.request(`/admin/actions/${action}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

describe('status page actions', () => {
  it('refuse a POST without a CSRF token, with a wrong one or one made with another secret (403, nothing done, logged)', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.subscribe({ platform: 'telegram', chatId: '-100777', threadId: null, title: 'group', subscribedBy: 'telegram:1' });
    const { app, requests, lines } = setUp(store);
    const page = await (await app.request('/admin', { headers })).text();
    const good = csrfOf(page);
    expect(good).toMatch(/\./);
    const forged = issueCsrfToken('some-other-secret');
    const [nonce] = good.split('.');
    for (const csrf of [null, '', 'nonsense', `${nonce}.AAAA`, forged, `${good}x`]) {
      const fields = { platform: 'telegram', chat: '-100777', ...(csrf === null ? {} : { csrf }) };
      const deactivate = await post(app, 'deactivate', fields);
      expect(deactivate.status, String(csrf)).toBe(403);
      const repost = await post(app, 'repost', { ...fields, date: '2026-01-03', target: 'all' });
      expect(repost.status, String(csrf)).toBe(403);
    }
    expect((await store.getSubscription({ platform: 'telegram', chatId: '-100777', threadId: null }))?.active).toBe(true);
    expect(requests).toEqual([]);
    expect(lines.filter((l) => l['event'] === 'admin.action_refused')).toHaveLength(12);
    // Without the admin token the form is not even looked at.
    const anonymous = await app.request('/admin/actions/deactivate', { method: 'POST', body: new URLSearchParams({ csrf: good, platform: 'telegram', chat: '-100777' }) });
    expect(anonymous.status).toBe(401);
    await store.close();
  });

  it('deactivate through Store.unsubscribe, repost and retry through the Reposter, each logged with who and what', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.subscribe({ platform: 'telegram', chatId: '-100777', threadId: '9', title: 'group', subscribedBy: 'telegram:1' });
    const { app, requests, lines } = setUp(store);
    const csrf = csrfOf(await (await app.request('/admin', { headers })).text());

    const done = await post(app, 'deactivate', { csrf, platform: 'telegram', chat: '-100777', thread: '9' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Deactivated telegram -100777 / 9');
    const after = await store.getSubscription({ platform: 'telegram', chatId: '-100777', threadId: '9' });
    expect(after?.active).toBe(false);
    expect(after?.reason).toMatch(/^unsubscribed by status page/);

    // The same date forms as the picker: 20260103 is the seed report of 2026-01-03.
    const seed = await library.findByDate('2026-01-03');
    expect((await post(app, 'repost', { csrf, date: '20260103', target: 'all' })).status).toBe(200);
    expect((await post(app, 'repost', { csrf, date: '2026-01-03', target: 'one', platform: 'discord', chat: '1234567890' })).status).toBe(200);
    expect((await post(app, 'retry', { csrf, slug: seed.slug, platform: 'telegram', chat: '-100777', thread: '9' })).status).toBe(200);
    expect(requests.map((r) => [r.slug, r.target])).toEqual([
      [seed.slug, 'all-subscriptions'],
      [seed.slug, { platform: 'discord', chatId: '1234567890', threadId: null }],
      [seed.slug, { platform: 'telegram', chatId: '-100777', threadId: '9' }],
    ]);
    expect(requests.every((r) => r.requestedBy.startsWith('status page ('))).toBe(true);

    const logged = lines.filter((l) => l['event'] === 'admin.action');
    expect(logged.map((l) => l['action'])).toEqual(['deactivate', 'repost', 'repost', 'retry']);
    for (const line of logged) {
      expect(line['client']).toBeDefined();
      expect(JSON.stringify(line)).not.toContain(csrf);
    }
    // A bad date or a missing destination: 400 with the reason, nothing sent.
    expect((await post(app, 'repost', { csrf, date: 'someday', target: 'all' })).status).toBe(400);
    expect((await post(app, 'repost', { csrf, date: 'today', target: 'one' })).status).toBe(400);
    expect(requests).toHaveLength(3);
    await store.close();
  });
});

describe('the status page', () => {
  it('pages and searches subscriptions server-side, chat ids sorted as numbers, times in the bot timezone', async () => {
    const store = await SqliteStore.open(':memory:');
    const ids = Array.from({ length: 60 }, (_, i) => String(i % 2 === 0 ? i * 7 : -(1_000_000_000_000 + i)));
    for (const chatId of ids) await store.subscribe({ platform: 'telegram', chatId, threadId: null, title: `chat ${chatId}`, subscribedBy: 'cli' });
    const { app } = setUp(store);
    const tableOf = (page: string): string => page.slice(page.indexOf('id="subscription-table"'), page.indexOf('</table>', page.indexOf('id="subscription-table"')));
    const idsIn = (page: string): string[] => [...tableOf(page).matchAll(/href="\/admin\/destinations\/telegram\/([^"?]+)"/g)].map((m) => decodeURIComponent(m[1]!));

    const first = await (await app.request('/admin', { headers })).text();
    const sorted = [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    expect(idsIn(first)).toEqual(sorted.slice(0, 25));
    expect(first).toContain('page 1 of 3');
    expect(first).toContain('href="/admin?page=2#subscriptions"');
    const third = await (await app.request('/admin?page=3', { headers })).text();
    expect(idsIn(third)).toEqual(sorted.slice(50));
    // Searching keeps the other filters and pages within the matches.
    const found = await (await app.request('/admin?q=chat%2014&platform=telegram', { headers })).text();
    expect(idsIn(found)).toEqual(['14', '140']);
    expect(found).toContain('2 matching');
    // Subscribed-at times in the bot's zone, the zone named.
    expect(tableOf(first)).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d Asia\/Shanghai/);
    await store.close();
  });

  it('names this instance, shows a platform without a token as not configured (no next due time), lang and favicon', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.subscribe({ platform: 'discord', chatId: '555', threadId: null, title: 'channel', subscribedBy: 'cli' });
    await store.subscribe({ platform: 'telegram', chatId: '-100', threadId: null, title: 'group', subscribedBy: 'cli' });
    const { app } = setUp(store, {
      instance: { host: 'bot-host-7', pid: 4242, version: '9.9.9', startedAt: new Date(Date.now() - 3 * 3600_000).toISOString() },
      roles: () => platformRoles({ configured: ['telegram'], holds: () => false }),
    });
    const page = await (await app.request('/admin', { headers })).text();
    expect(page).toMatch(/<html lang="en">/);
    expect(page).toContain('<link rel="icon" type="image/svg+xml" href="/admin/assets/favicon.svg">');
    expect(page).toMatch(/bot-host-7[\s\S]*4242[\s\S]*9\.9\.9[\s\S]*3 h 0 min/);
    expect(page).toMatch(/id="role-discord"><span class="warn">not configured/);
    expect(page).toMatch(/id="role-telegram"><span class="muted">idle/);
    const schedule = page.slice(page.indexOf('id="schedule"'));
    expect(schedule).toMatch(/discord: <b>not configured<\/b>/);
    expect(schedule).toContain('-100');
    expect(schedule).not.toContain('href="/admin/destinations/discord/555"');
    const icon = await app.request('/admin/assets/favicon.svg', { headers });
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    await store.close();
  });

  it('lists the other live instances on PostgreSQL and which one sends each platform; says so when they cannot be listed', async () => {
    const store = await SqliteStore.open(':memory:');
    const instance = { host: 'bot-a', pid: 11, version: '1.0.0', startedAt: new Date().toISOString() };
    const peers = [
      { tag: 'bot-a:11', connectedSince: '2026-12-07T01:00:00.000Z', sending: [] },
      { tag: 'bot-b:22', connectedSince: '2026-12-07T02:00:00.000Z', sending: ['telegram'] },
    ];
    const listed = await (await setUp(store, { instance, peers: async () => peers }).app.request('/admin', { headers })).text();
    const table = listed.slice(listed.indexOf('id="instances-table"'), listed.indexOf('</table>', listed.indexOf('id="instances-table"')));
    expect(table).toMatch(/bot-a:11 <span class="muted">\(this one\)<\/span>[\s\S]*idle/);
    expect(table).toMatch(/bot-b:22<\/td><td data-label="connected since">2026-12-07 10:00[^<]*<\/td><td data-label="sending">telegram/);
    const failing = await (await setUp(store, { instance, peers: async () => { throw new Error('no answer within 10 s'); } }).app.request('/admin', { headers })).text();
    expect(failing).toContain('could not list them: no answer within 10 s');
    // SQLite: one instance per file, no list.
    expect(await (await setUp(store, { instance }).app.request('/admin', { headers })).text()).not.toContain('id="instances"');
    await store.close();
  });

  it('/admin/preview/<date> takes the picker’s date forms: 20260103 and today go to the ISO URL, nonsense is 400', async () => {
    const store = await SqliteStore.open(':memory:');
    const { app } = setUp(store, { now: () => new Date('2026-01-03T02:00:00Z') });
    const compact = await app.request('/admin/preview/20260103', { headers });
    expect(compact.status).toBe(303);
    expect(compact.headers.get('location')).toBe('/admin/preview/2026-01-03');
    const today = await app.request('/admin/preview/today', { headers });
    expect(today.status).toBe(303);
    expect(today.headers.get('location')).toBe('/admin/preview/2026-01-03');
    expect((await app.request('/admin/preview/someday', { headers })).status).toBe(400);
    await store.close();
  });
});

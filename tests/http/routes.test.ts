import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDelivery } from '../../src/delivery/create-delivery.ts';
import { NO_LOCK } from '../../src/delivery/fanout-lock.ts';
import type { DigestBuilder } from '../../src/digest-builder.ts';
import { createDigestBuilder } from '../../src/digest-builder.ts';
import { createHttpApp, startHttpServer } from '../../src/http/http-server.ts';
import { silentLogger } from '../../src/log.ts';
import { BotMetrics } from '../../src/metrics/bot-metrics.ts';
import { DiscordPlatform } from '../../src/platforms/discord/discord-platform.ts';
import { TelegramPlatform } from '../../src/platforms/telegram/telegram-platform.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { RecentFanouts } from '../../src/status/recent-fanouts.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { scriptedRouter } from '../helpers/fake-telegram-harness.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { parsePrometheusText, sampleValue } from './prometheus-text.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'admin-token-for-tests-0123456789';
const basic = (password: string, user = 'operator'): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const noImages = { imageFor: async () => null, cachedImageFor: () => null };

/** A small real PNG, so a Telegram digest is a photo plus its text (two messages per chat). */
function withImage(): DigestBuilder {
  const canvas = createCanvas(400, 225);
  const context = canvas.getContext('2d');
  context.fillStyle = '#1d9bf0';
  context.fillRect(0, 0, 400, 225);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'routes-')), 'cloud.png');
  writeFileSync(file, canvas.toBuffer('image/png'));
  const image = { path: file, name: 'wordcloud_test.png', bytes: statSync(file).size, generated: true };
  return createDigestBuilder(
    { digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' } },
    { imageFor: async () => image, cachedImageFor: () => image },
  );
}

let library: ReportLibrary;
let digests: DigestBuilder;

beforeAll(async () => {
  library = await ReportLibrary.open(path.join(ROOT, 'content'));
  digests = createDigestBuilder({ digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' } }, noImages);
});

function adminDeps(store: SqliteStore, health: ServiceHealth) {
  return {
    token: TOKEN,
    store,
    config: { schedule: '0 9 * * *', timezone: 'Asia/Shanghai', discordColor: 0x1d9bf0 },
    library,
    digests,
    health,
    recentFanouts: () => [],
  };
}

describe('/healthz and /readyz', () => {
  it('healthz answers ok; readyz is 503 naming a platform that has not started, 200 once it has, 503 again when the store is closed', async () => {
    const store = await SqliteStore.open(':memory:');
    const health = new ServiceHealth();
    health.set('library', true, '5 reports indexed');
    health.set('store', true);
    health.expect('telegram', 'starting');
    const app = createHttpApp({ health, probes: { store: () => store.ping() } });

    const live = await app.request('/healthz');
    expect(live.status).toBe(200);
    expect(await live.text()).toBe('ok\n');

    const starting = await app.request('/readyz');
    expect(starting.status).toBe(503);
    const startingBody = (await starting.json()) as { ready: boolean; notReady: string[]; components: Record<string, { detail: string | null }> };
    expect(startingBody).toMatchObject({ ready: false, notReady: ['telegram'] });
    expect(startingBody.components['telegram']?.detail).toBe('starting');

    health.set('telegram', true, 'started');
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, notReady: [] });

    await store.close();
    const closed = await app.request('/readyz');
    expect(closed.status).toBe(503);
    const closedBody = (await closed.json()) as { notReady: string[]; components: Record<string, { detail: string | null }> };
    expect(closedBody.notReady).toEqual(['store']);
    expect(closedBody.components['store']?.detail).toMatch(/database/i);
  });

  it('answers 503 with the reason while a probe hangs (a database that accepts and never answers)', { timeout: 20_000 }, async () => {
    const health = new ServiceHealth();
    health.set('store', true);
    let asked = 0;
    const app = createHttpApp({ health, probes: { store: () => ((asked += 1), new Promise<void>(() => undefined)) } });
    const deadline = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref());
    const response = await Promise.race([app.request('/readyz'), deadline]);
    expect(response).not.toBe('hung');
    const answered = response as Response;
    expect(answered.status).toBe(503);
    const body = (await answered.json()) as { notReady: string[]; components: Record<string, { detail: string | null }> };
    expect(body.notReady).toEqual(['store']);
    expect(body.components['store']?.detail).toMatch(/no answer within/);
    // Probed again while the first check still waits: the same check, not another query piling up.
    expect((await app.request('/readyz')).status).toBe(503);
    expect(asked).toBe(1);
  });

  it('an empty health registry is not ready (nothing has said it is)', async () => {
    const response = await createHttpApp({ health: new ServiceHealth() }).request('/readyz');
    expect(response.status).toBe(503);
  });
});

describe('/metrics after a fan-out to the fake platforms', () => {
  let telegram: FakeTelegram;
  let discord: FakeDiscord;
  const CHANNELS = ['850000000000000010', '850000000000000011'];

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    telegram.addChat({ id: -1001, type: 'supergroup', title: '群一' });
    telegram.addChat({ id: -1002, type: 'supergroup', title: '群二' });
    telegram.addChat({ id: -1003, type: 'supergroup', title: '踢出', kicked: true });
    discord = await startFakeDiscord();
    discord.addGuild({ id: '850000000000000001', name: 'g', channels: CHANNELS.map((id, i) => ({ id, type: 0, name: `c${i}` })) });
  });
  afterAll(async () => {
    await telegram?.close();
    await discord?.close();
  });

  it('parses as Prometheus text, and the delivered count equals what the fakes received; 429s and retries move', async () => {
    const store = await SqliteStore.open(':memory:');
    for (const chatId of ['-1001', '-1002', '-1003']) await store.subscribe({ platform: 'telegram', chatId, threadId: null, subscribedBy: 'cli' });
    for (const chatId of CHANNELS) await store.subscribe({ platform: 'discord', chatId, threadId: null, subscribedBy: 'cli' });
    const metrics = new BotMetrics({ listSubscriptions: () => store.listSubscriptions() });
    const logger = silentLogger();
    const platforms = {
      telegram: new TelegramPlatform({ token: telegram.token, apiRoot: telegram.apiRoot, router: scriptedRouter(), logger, owners: [], botInfo: telegram.botInfo, telemetry: metrics }),
      discord: new DiscordPlatform({ token: discord.token, apiBase: discord.apiBase, router: scriptedRouter(), logger, owners: [], mode: 'rest-only', telemetry: metrics }),
    };
    const recent = new RecentFanouts();
    const { fanout } = createDelivery({
      config: { delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 20, reportSettleMs: 0 }, ownerChat: { discord: null, telegram: null }, databasePath: ':memory:' },
      store,
      lock: NO_LOCK,
      library,
      digests: withImage(),
      platforms,
      logger,
      onFanoutFinished: (report, timing) => {
        recent.add(report, timing);
        metrics.fanoutFinished(report, (timing.finishedAt.getTime() - timing.startedAt.getTime()) / 1000, timing.finishedAt);
      },
    });
    // One 429 from Telegram and one 500 from Discord: both are retried in place.
    telegram.failNext('sendMessage', { chatId: -1002, status: 429, retryAfter: 1 });
    discord.failNext('POST /channels/:id/messages', { channelId: CHANNELS[1]!, status: 500 });

    const report = await fanout.deliverNewest();
    expect(report).not.toBeNull();
    await Promise.all(Object.values(platforms).map((p) => p.stop()));

    const app = createHttpApp({ health: new ServiceHealth(), metrics });
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const { samples, types } = parsePrometheusText(await response.text());
    expect(types.get('digest_messages_sent_total')).toBe('counter');
    expect(types.get('digest_fanout_duration_seconds')).toBe('histogram');
    expect(types.get('digest_command_duration_seconds')).toBe('histogram');
    expect(types.get('digest_wordcloud_duration_seconds')).toBe('histogram');
    expect(types.get('digest_subscriptions')).toBe('gauge');
    expect(types.has('process_cpu_user_seconds_total')).toBe(true);

    const telegramReceived = telegram.sent.filter((m) => ['-1001', '-1002'].includes(String(m.chatId))).length;
    const discordReceived = discord.messages.filter((m) => CHANNELS.includes(m.channelId)).length;
    // Photo + text in each of the two chats (the kicked one refused the photo).
    expect(telegram.sent.filter((m) => m.method === 'sendPhoto' && ['-1001', '-1002'].includes(String(m.chatId)))).toHaveLength(2);
    expect(telegramReceived).toBeGreaterThanOrEqual(4);
    expect(discordReceived).toBe(2);
    expect(sampleValue(samples, 'digest_messages_sent_total', { platform: 'telegram', outcome: 'delivered' })).toBe(telegramReceived);
    expect(sampleValue(samples, 'digest_messages_sent_total', { platform: 'discord', outcome: 'delivered' })).toBe(discordReceived);
    expect(sampleValue(samples, 'digest_messages_sent_total', { platform: 'telegram', outcome: 'deactivated' })).toBe(1);
    expect(sampleValue(samples, 'digest_messages_sent_total', { platform: 'discord', outcome: 'failed' })).toBe(0);
    expect(sampleValue(samples, 'digest_rate_limited_total', { platform: 'telegram' })).toBe(telegram.counters.rateLimited);
    expect(telegram.counters.rateLimited).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'digest_send_retries_total', { platform: 'telegram' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'digest_send_retries_total', { platform: 'discord' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'digest_fanout_duration_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'digest_last_fanout_timestamp_seconds', { kind: 'scheduled' })).toBeCloseTo(recent.list()[0]!.finishedAt.getTime() / 1000, 3);
    expect(sampleValue(samples, 'digest_last_fanout_failed_destinations')).toBe(0);
    expect(sampleValue(samples, 'digest_subscriptions', { platform: 'telegram', active: 'true' })).toBe(2);
    expect(sampleValue(samples, 'digest_subscriptions', { platform: 'telegram', active: 'false' })).toBe(1);
    expect(sampleValue(samples, 'digest_subscriptions', { platform: 'discord', active: 'true' })).toBe(2);

    // The status page tells the same story from the ledger and this process's fan-outs.
    const admin = createHttpApp({ health: new ServiceHealth(), admin: { ...adminDeps(store, new ServiceHealth()), recentFanouts: () => recent.list() } });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const overview = await (await admin.request('/admin', { headers })).text();
    const slug = report!.slug;
    expect(overview).toContain(`Last fan-out: <b>${slug}</b>`);
    expect(overview).toContain(': 4 delivered, 0 failed.');
    expect(overview).toMatch(/bot was kicked from the group chat/);
    const kicked = await (await admin.request('/admin/destinations/telegram/-1003', { headers })).text();
    expect(kicked).toContain('deactivated');
    expect(kicked).toContain(slug);
    expect(kicked).toMatch(/403 .*kicked/);
    const filtered = await (await admin.request('/admin?platform=telegram&state=inactive', { headers })).text();
    const table = filtered.slice(filtered.indexOf('id="subscription-table"'), filtered.indexOf('</table>', filtered.indexOf('id="subscription-table"')));
    expect(table).toContain('-1003');
    expect(table).not.toContain('-1001');
    expect(table).not.toContain(CHANNELS[0]!);

    // Again: everyone has it, so every active destination is skipped (one each), nothing is sent.
    const sentBefore = telegram.sent.length + discord.messages.length;
    await fanout.deliverNewest();
    expect(telegram.sent.length + discord.messages.length).toBe(sentBefore);
    const again = parsePrometheusText(await (await app.request('/metrics')).text()).samples;
    expect(sampleValue(again, 'digest_messages_sent_total', { platform: 'telegram', outcome: 'skipped' })).toBe(2);
    expect(sampleValue(again, 'digest_messages_sent_total', { platform: 'discord', outcome: 'skipped' })).toBe(2);
    expect(sampleValue(again, 'digest_messages_sent_total', { platform: 'telegram', outcome: 'delivered' })).toBe(telegramReceived);
    expect(sampleValue(again, 'digest_fanout_duration_seconds_count')).toBe(2);
    await store.close();
  }, 60_000);
});

describe('/admin', () => {
  it('is 404 everywhere without ADMIN_TOKEN', async () => {
    const store = await SqliteStore.open(':memory:');
    const app = createHttpApp({ health: new ServiceHealth(), admin: null });
    for (const url of ['/admin', '/admin/', '/admin/preview/2026-01-03', '/admin/assets/admin.css']) {
      const response = await app.request(url, { headers: { authorization: basic(TOKEN) } });
      expect(response.status, url).toBe(404);
    }
    await store.close();
  });

  it('401 with a Basic challenge without the token or with a wrong one; 200 with it (Basic or Bearer), chat titles escaped', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.subscribe({ platform: 'telegram', chatId: '-100777', threadId: null, title: '<script>alert(1)</script> 群', subscribedBy: 'telegram:1' });
    const app = createHttpApp({ health: new ServiceHealth(), admin: adminDeps(store, new ServiceHealth()) });
    for (const headers of [{}, { authorization: basic('wrong') }, { authorization: 'Bearer wrong' }, { authorization: basic(`${TOKEN}x`) }, { authorization: 'Basic !!!' }]) {
      for (const url of ['/admin', '/admin/preview/2026-01-03', '/admin/assets/fonts/noto-sans-sc-chinese-simplified-400-normal.woff2']) {
        const response = await app.request(url, { headers });
        expect(response.status, `${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      }
    }
    for (const authorization of [basic(TOKEN), basic(TOKEN, ''), `Bearer ${TOKEN}`]) {
      const response = await app.request('/admin', { headers: { authorization } });
      expect(response.status).toBe(200);
      const page = await response.text();
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; 群');
      expect(page).not.toContain('<script>alert(1)');
      expect(page).toContain('-100777');
    }
    await store.close();
  });

  it('the preview shows the Telegram payloads as configured: details folded with telegram.collapseDetails, in full without', async () => {
    const store = await SqliteStore.open(':memory:');
    const headers = { authorization: `Bearer ${TOKEN}` };
    const texts = async (collapseDetails: boolean) => {
      const deps = adminDeps(store, new ServiceHealth());
      const app = createHttpApp({ health: new ServiceHealth(), admin: { ...deps, config: { ...deps.config, telegram: { collapseDetails, previewReportLink: false } } } });
      const payloads = (await (await app.request('/admin/preview/2026-01-03/payloads.json', { headers })).json()) as { telegram: unknown[] };
      return JSON.stringify(payloads.telegram);
    };
    expect(await texts(true)).toContain('<blockquote expandable>');
    expect(await texts(false)).not.toContain('<blockquote expandable>');
    await store.close();
  });

  it('previews a seed date from the exact payloads, 404 for a date without a report, serves the font', async () => {
    const store = await SqliteStore.open(':memory:');
    const app = createHttpApp({ health: new ServiceHealth(), admin: adminDeps(store, new ServiceHealth()) });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const report = await library.findByDate('2026-01-03');
    const page = await (await app.request('/admin/preview/2026-01-03', { headers })).text();
    const payloads = await (await app.request('/admin/preview/2026-01-03/payloads.json', { headers })).json() as { discord: unknown[]; telegram: unknown[] };
    expect(payloads.discord.length).toBeGreaterThan(0);
    expect(payloads.telegram.length).toBeGreaterThan(0);
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    for (const point of report.points) expect(page).toContain(escape(point.title));
    const missing = await app.request('/admin/preview/1999-01-01', { headers });
    expect(missing.status).toBe(404);
    const redirect = await app.request('/admin/preview?date=20260103', { headers });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe('/admin/preview/2026-01-03');
    const css = await (await app.request('/admin/assets/font.css', { headers })).text();
    const font = /url\((\/admin\/assets\/fonts\/[^)]+\.woff2)\)/.exec(css)?.[1];
    expect(font).toBeDefined();
    const fontResponse = await app.request(font!, { headers });
    expect(fontResponse.status).toBe(200);
    expect(fontResponse.headers.get('content-type')).toBe('font/woff2');
    expect((await app.request('/admin/assets/fonts/..%2Fpackage.json', { headers })).status).toBe(404);
    await store.close();
  }, 60_000);
});

describe('the listening server', () => {
  it('on close stops accepting, and a request in flight still gets its answer', async () => {
    const app = createHttpApp({ health: new ServiceHealth() });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    app.get('/slow', async (c) => {
      await held;
      return c.text('done');
    });
    const server = await startHttpServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger() });
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok\n');
    const inFlight = fetch(`${server.url}/slow`).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = server.close(5000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    release();
    expect(await inFlight).toBe('done');
    await closed;
  });

  it('a port in use is one clear error naming HTTP_PORT', async () => {
    const app = createHttpApp({ health: new ServiceHealth() });
    const first = await startHttpServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger() });
    await expect(startHttpServer(app, { port: first.port, host: '127.0.0.1', logger: silentLogger() })).rejects.toThrow(/HTTP_PORT \d+ on 127\.0\.0\.1: cannot listen \(EADDRINUSE\)/);
    await first.close();
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { ReportSource } from '../../src/commands/deps.ts';
import { createCommandRouter } from '../../src/commands/router.ts';
import type { CommandContext, CommandReply } from '../../src/commands/types.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { contextFor, createHarness, loadContentReports, textOf } from './command-harness.ts';

/**
 * `/status` through the real router over a real SQLite store whose clock the test moves, so the
 * ledger's times are known: what it says for each state a chat's digest can be in.
 */

const group: Destination = { platform: 'telegram', chatId: '-1001234', threadId: null };
const channel: Destination = { platform: 'discord', chatId: '555', threadId: null };
const SLUG = 'twitter_ai_20260122_20260122';

let clock: Date;
let store: SqliteStore;

beforeEach(async () => {
  clock = new Date('2026-01-21T12:00:00Z');
  store = await SqliteStore.open(':memory:', { now: () => clock });
});

/** /status as `context` asks it at `now`, with the bot's schedule 09:00 Asia/Shanghai. */
async function status(context: CommandContext, now: string, library?: ReportSource): Promise<CommandReply> {
  const h = await createHarness(library ? { library } : {});
  const router = createCommandRouter({ ...h.deps, store, schedule: '0 9 * * *', now: () => new Date(now) });
  return router.handle('status', {}, context);
}

async function subscribe(destination: Destination, at: string, extra: { timeOfDay?: string; timezone?: string } = {}): Promise<void> {
  clock = new Date(at);
  await store.subscribe({ ...destination, subscribedBy: 'telegram:1', ...extra });
}

/** A ledger row for SLUG, `attempts` attempts, the last change at `at`. */
async function ledgerRow(destination: Destination, at: string, attempts: number, end: (id: number) => Promise<void>): Promise<void> {
  const { delivery } = await store.claimDelivery({ slug: SLUG, destination, kind: 'scheduled' });
  for (let i = 0; i < attempts; i++) await store.recordAttempt(delivery.id);
  clock = new Date(at);
  await end(delivery.id);
}

describe('/status', () => {
  it('a chat that is not subscribed is told so; anyone may ask, and only the asker sees it on Discord', async () => {
    const asker = contextFor({ manages: false });
    const reply = await status(asker, '2026-01-22T02:00:00Z');
    expect(textOf(reply)).toContain('这里没有订阅每日报告摘要');
    expect(textOf(reply)).toContain('这里还没有发送过摘要');
    expect(asker.canManageAsked).toEqual([]);
    const discord = await status(contextFor({ platform: 'discord', destination: channel, locale: 'en' }), '2026-01-22T02:00:00Z');
    expect(reply.kind === 'text' && reply.ephemeral).toBe(true);
    expect(discord).toMatchObject({ kind: 'text', ephemeral: true });
    expect(textOf(discord)).toContain('Not subscribed');
  });

  it('an own time of day: the next due time in the subscription\'s own zone, and the last digest delivered at the second', async () => {
    await subscribe(group, '2026-01-20T10:00:00Z', { timeOfDay: '08:30', timezone: 'Europe/Berlin' });
    await store.setSubscriptionOptions(group, { silent: true, collapseDetails: false });
    // 08:30:03 in Berlin (UTC+1).
    await ledgerRow(group, '2026-01-22T07:30:03Z', 1, (id) => store.markDelivered(id, ['11', '12']));
    const text = textOf(await status(contextFor({ locale: 'en' }), '2026-01-22T12:00:00Z'));
    expect(text.split('\n')).toEqual([
      'Subscribed since 2026-01-20.',
      '· Silent delivery: on',
      '· Word cloud: sent',
      '· Language: default (Chinese)',
      '· Details: shown in full',
      'Next digest: 2026-01-23 08:30 (Europe/Berlin), when there is a new report.',
      'Last digest: the report of 2026-01-22, delivered at 2026-01-22 08:30:03.',
    ]);
  });

  it('a correction in place later does not move the delivery time: it is the last part\'s', async () => {
    await subscribe(group, '2026-01-20T10:00:00Z');
    const { delivery } = await store.claimDelivery({ slug: SLUG, destination: group, kind: 'scheduled' });
    await store.recordAttempt(delivery.id);
    clock = new Date('2026-01-22T01:00:02Z');
    await store.recordDeliveryPart(delivery.id, { index: 0, messageId: '5', plan: '' });
    clock = new Date('2026-01-22T01:00:04Z');
    await store.recordDeliveryPart(delivery.id, { index: 1, messageId: '6', plan: '' });
    await store.markDelivered(delivery.id, ['5', '6'], 'a'.repeat(64));
    clock = new Date('2026-01-22T01:40:00Z');
    expect(await store.recordCorrection(delivery.id, 'a'.repeat(64), 'b'.repeat(64))).toBe(true);
    const text = textOf(await status(contextFor({ locale: 'en' }), '2026-01-22T02:00:00Z'));
    expect(text).toContain('delivered at 2026-01-22 09:00:04.');
  });

  it('delivered after a rate limit: how many attempts, and why the first did not go through', async () => {
    await subscribe(group, '2026-01-20T10:00:00Z');
    await ledgerRow(group, '2026-01-22T01:00:41Z', 2, async (id) => {
      await store.markFailed(id, 'rate-limited: 429 telegram:-1001234: sendMessage: Too Many Requests: retry after 40');
      await store.markDelivered(id, ['7']);
    });
    const text = textOf(await status(contextFor({ locale: 'en' }), '2026-01-22T02:00:00Z'));
    expect(text).toContain('Next digest: 2026-01-23 09:00 (Asia/Shanghai)');
    expect(text).toContain('delivered at 2026-01-22 09:00:41, after 2 attempts (earlier: Telegram asked the bot to slow down (rate limit); the bot waited and retried).');
    expect(text).not.toContain('retry after');
  });

  it('failed: why in words, and what happens next; the ledger\'s raw error never reaches the chat', async () => {
    await subscribe(group, '2026-01-20T10:00:00Z');
    await ledgerRow(group, '2026-01-22T01:02:00Z', 5, (id) => store.markFailed(id, 'transient: 502 telegram:-1001234: sendMessage: Bad Gateway'));
    const text = textOf(await status(contextFor(), '2026-01-22T02:00:00Z'));
    expect(text).toContain('上一期：2026-01-22 的报告发送失败（2026-01-22 09:02:00，尝试 5 次）：暂时无法连接 Telegram 或其服务器出错，机器人已重试。');
    expect(text).toContain('下一次到点（2026-01-23 09:00）会再试');
    expect(text).toContain('/repost 2026-01-22');
    expect(text).not.toMatch(/502|Bad Gateway|-1001234/);
  });

  it('stopped for a missing permission (Discord): since when, why, and how to start again', async () => {
    await subscribe(channel, '2026-01-20T10:00:00Z');
    const reason = 'gone: 50013 discord:555: 403 50013: Missing Permissions';
    await ledgerRow(channel, '2026-01-22T01:00:02Z', 1, async (id) => {
      await store.deactivate(channel, reason);
      await store.markDeactivated(id, reason);
    });
    const text = textOf(await status(contextFor({ platform: 'discord', destination: channel, locale: 'en' }), '2026-01-22T02:00:00Z'));
    expect(text).toContain('Not subscribed: the subscription here was stopped on 2026-01-22 because the bot lacks the permission to post here (Discord)');
    expect(text).toContain('/subscribe');
    expect(text).toContain('Last digest: the report of 2026-01-22 did not arrive (2026-01-22 09:00:02)');
    expect(text).not.toMatch(/50013|Missing Permissions|555/);
  });

  it('blocked by the user (Telegram private chat)', async () => {
    const chat: Destination = { platform: 'telegram', chatId: '42', threadId: null };
    await subscribe(chat, '2026-01-20T10:00:00Z');
    await store.deactivate(chat, 'gone: 403 telegram:42: sendMessage: Forbidden: bot was blocked by the user');
    const text = textOf(await status(contextFor({ destination: chat, isPrivateChat: true }), '2026-01-22T02:00:00Z'));
    expect(text).toContain('订阅已停止，原因：机器人被用户屏蔽了');
  });

  it('unsubscribed by hand: says so, without a cause', async () => {
    await subscribe(group, '2026-01-20T10:00:00Z');
    await store.unsubscribe(group, 'unsubscribed by telegram:1');
    expect(textOf(await status(contextFor({ locale: 'en' }), '2026-01-22T02:00:00Z'))).toContain('stopped with /unsubscribe');
  });

  it('the newest report held as incomplete: says how far it is and that it goes out on its own', async () => {
    const [newest] = await loadContentReports();
    const library: ReportSource = {
      latest: () => ({ ...newest!, points: newest!.points.slice(0, 3), expectedPoints: 10 }),
      findByDate: () => newest!,
      dates: () => [newest!.dateStart],
    };
    await subscribe(group, '2026-01-20T10:00:00Z');
    const text = textOf(await status(contextFor({ locale: 'en' }), '2026-01-22T02:00:00Z', library));
    expect(text).toContain('No digest has been sent here yet.');
    expect(text).toContain('The report of 2026-01-22 is held: only 3 of 10 core points so far. It goes out on its own once complete.');
  });

  it('no new report at the last due time: says so, with the next one', async () => {
    await subscribe(group, '2026-01-20T10:00:00Z');
    await ledgerRow(group, '2026-01-22T01:00:03Z', 1, (id) => store.markDelivered(id, ['9']));
    // A day later: the 23rd's 09:00 came, and the newest report is still the 22nd's.
    const text = textOf(await status(contextFor({ locale: 'en' }), '2026-01-23T02:00:00Z'));
    expect(text).toContain('delivered at 2026-01-22 09:00:03');
    expect(text).toContain('At the last due time (2026-01-23 09:00) there was no new report');
    expect(text).toContain('Next digest: 2026-01-24 09:00 (Asia/Shanghai)');
  });

  it('the newest report not sent here yet: when it goes', async () => {
    await subscribe(group, '2026-01-22T03:00:00Z');
    const text = textOf(await status(contextFor({ locale: 'en' }), '2026-01-22T04:00:00Z'));
    expect(text).toContain('The report of 2026-01-22 has not been sent here yet; it goes out at 2026-01-23 09:00.');
  });

  it('is in /help in both languages', async () => {
    const h = await createHarness();
    expect(textOf(await h.router.handle('help', {}, contextFor()))).toContain('/status');
    expect(textOf(await h.router.handle('help', {}, contextFor({ locale: 'en' })))).toMatch(/\/status — .*last one arrived/);
  });
});

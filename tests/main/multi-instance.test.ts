import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tallyParts } from '../helpers/failover-harness.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { minuteAfter, senderRuns, startMultiInstanceBot, type Kill, type MultiInstanceBot } from '../helpers/multi-instance-harness.ts';
import { runPostgresTests } from '../helpers/postgres.ts';
import { until } from '../helpers/telegram-webhook-harness.ts';

/**
 * Issue 11 §5: three `npm start` processes on one PostgreSQL database are one bot. Telegram
 * updates arrive by webhook and Discord interactions by signed HTTP POST, through one round-robin
 * load balancer; 300 Telegram chats and 300 Discord channels are subscribed.
 * - Commands (and a button press) spread over the three are each answered exactly once, by all three.
 * - A wrong or missing webhook secret and a bad interaction signature are refused with 401 and do
 *   nothing; an update replayed to other instances is acknowledged and ignored.
 * - At the scheduled time one instance at a time sends each platform (the fakes record which
 *   instance sent each message); the Telegram sender is SIGKILLed part-way and another instance
 *   finishes the fan-out (how soon is a figure of bench/failover.ts); every destination has its
 *   digest, Discord without a duplicate, Telegram repeating no more than what was in flight at the kill.
 */
const enabled = await runPostgresTests('multi-instance');

const GUILD = '860000000000000001';
const COMMANDS_CHANNEL = '860000000000000002';
const MEMBER = { userId: '8601', permissions: '0' };
const CHATS = Array.from({ length: 300 }, (_, i) => 8_600_001 + i);
const CHANNELS = Array.from({ length: 300 }, (_, i) => String(861_000_000_000_000_001n + BigInt(i)));
/** Private chats that send commands (not subscribed). */
const USERS = Array.from({ length: 6 }, (_, i) => 8_690_001 + i);
const SECURITY_CHAT = 8_690_100;
/** The Telegram fan-out is photo + text to 300 chats: the sender dies after two thirds. */
const KILL_AFTER = 400;

let telegram: FakeTelegram;
let discord: FakeDiscord;
let bot: MultiInstanceBot | null = null;

beforeAll(async () => {
  if (!enabled) return;
  // The platforms' rate limits enforced, as the fakes have them.
  telegram = await startFakeTelegram();
  discord = await startFakeDiscord();
  for (const id of [...USERS, SECURITY_CHAT]) telegram.addChat({ id, type: 'private' });
  discord.addGuild({
    id: GUILD,
    name: 'AI 读书会',
    channels: [{ id: COMMANDS_CHANNEL, type: 0, name: 'commands' }, ...CHANNELS.map((id, i) => ({ id, type: 0 as const, name: `news-${i}` }))],
  });
});

afterAll(async () => {
  await bot?.close();
  await telegram?.close();
  await discord?.close();
});

/** Each instance's `command` log lines of one platform (commands and button presses it ran). */
function commandsRun(b: MultiInstanceBot, platform: 'telegram' | 'discord'): number[] {
  const line = new RegExp(`"event":"command"[^\\n]*"platform":"${platform}"`, 'g');
  return b.instances.map((i) => i.process.stderr().match(line)?.length ?? 0);
}

/** A Telegram command update as Telegram would post it (not queued on the fake: a test posts it by hand). */
function commandUpdate(updateId: number, chatId: number, text: string): Update {
  const user = { id: chatId, is_bot: false, first_name: 'Mallory' };
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Mallory' },
      from: user,
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
    },
  } as Update;
}

const keyboardReplies = (chatId: number): number => telegram.sent.filter((m) => m.chatId === chatId && m.replyMarkup !== null).length;

describe.runIf(enabled)('three bot instances behind a load balancer on one PostgreSQL database', () => {
  it('answer commands once each, refuse forgeries, and send each platform one instance at a time through a SIGKILL', async () => {
    bot = await startMultiInstanceBot({ telegram, discord, instances: 3, chats: CHATS, channels: CHANNELS, guildId: GUILD, subscribedAt: new Date() });
    const b = bot;
    const started = Date.now();
    await b.waitUntilServing();
    const servingAfter = Date.now() - started;
    const why = (): string => b.outputs();

    // 1. Commands, round-robin over the three (each path has its own turn at the load balancer).
    const telegramCommands = async (): Promise<{ updates: Update[]; press: string }> => {
      const updates: Update[] = [];
      for (const [i, chatId] of USERS.entries()) {
        updates.push(telegram.sendText(i % 2 === 0 ? '/latest' : '/report 2026-01-02', { chatId, from: { id: chatId } }));
        await telegram.waitFor(() => keyboardReplies(chatId) >= 1, 60_000);
      }
      const digest = telegram.sent.find((m) => m.chatId === USERS[1] && m.replyMarkup !== null)!;
      const back = digest.replyMarkup!.inline_keyboard.flat().find((k) => String(k['text']).startsWith('◀'))!;
      const press = telegram.pressButton({ chatId: USERS[1]!, messageId: digest.messageId, data: String(back['callback_data']), from: { id: USERS[1]! } });
      await until('the answer to the button press', () => telegram.callbackAnswers.some((a) => a.callbackQueryId === press), 60_000);
      return { updates, press };
    };
    const discordCommands = async (): Promise<string[]> => {
      const ids: string[] = [];
      let shown: { id: string; body: Record<string, unknown> } | null = null;
      for (let i = 0; i < 6; i++) {
        const id = discord.sendSlashCommand(
          i % 2 === 0
            ? { name: 'latest', guildId: GUILD, channelId: COMMANDS_CHANNEL, member: MEMBER }
            : { name: 'report', options: { date: '2026-01-02' }, guildId: GUILD, channelId: COMMANDS_CHANNEL, member: MEMBER },
        );
        ids.push(id);
        const response = await discord.waitForInteractionResponse(id, 30_000);
        if (response.type === 4) shown = { id: `reply-${id}`, body: response.data! };
        else {
          const edit = await discord.waitFor(() => discord.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'), 60_000, `the deferred reply to ${id}`);
          shown = { id: edit.id, body: edit.body };
        }
      }
      // Buttons sit in action rows, at the top (embeds) or inside the container (Components V2).
      type Node = { type?: number; custom_id?: string; label?: string; components?: Node[] };
      const allNodes = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...allNodes(n.components ?? [])]);
      const buttons = allNodes((shown!.body['components'] as Node[]) ?? []).filter((n) => n.type === 2);
      const back = buttons.find((k) => k.label?.startsWith('◀') && k.custom_id);
      expect(back, JSON.stringify(shown!.body['components'])).toBeDefined();
      const press = discord.pressButton({ message: shown!, customId: back!.custom_id!, guildId: GUILD, channelId: COMMANDS_CHANNEL, member: MEMBER });
      ids.push(press);
      expect((await discord.waitForInteractionResponse(press, 30_000)).type).toBe(7);
      return ids;
    };
    const [tg, interactions] = await Promise.all([telegramCommands(), discordCommands()]);
    const telegramRoutes = b.lb.routed.filter((_, i) => b.lb.paths[i] === '/telegram/webhook');
    const discordRoutes = b.lb.routed.filter((_, i) => b.lb.paths[i] === '/discord/interactions');
    expect(new Set(telegramRoutes.slice(0, 7))).toEqual(new Set([0, 1, 2]));
    expect(new Set(discordRoutes.slice(0, 7))).toEqual(new Set([0, 1, 2]));
    // Every instance ran some of them (6 commands and a button press per platform), none twice.
    for (const platform of ['telegram', 'discord'] as const) {
      const counts = commandsRun(b, platform);
      expect(counts.every((n) => n >= 1), `${platform} commands per instance: ${counts.join(', ')}`).toBe(true);
      expect(counts.reduce((x, y) => x + y, 0)).toBe(7);
    }

    // 3. Forgeries and replays.
    const forged = commandUpdate(990_000_001, SECURITY_CHAT, '/latest');
    expect(await telegram.postToWebhook(forged, { secretToken: null })).toBe(401);
    expect(await telegram.postToWebhook(forged, { secretToken: 'not-the-secret' })).toBe(401);
    // The first /latest, replayed to the two other instances directly: acknowledged, not acted on.
    const first = tg.updates[0]!;
    expect(await telegram.postToWebhook(first, { url: `${b.instances[1]!.base}/telegram/webhook` })).toBe(200);
    expect(await telegram.postToWebhook(first, { url: `${b.instances[2]!.base}/telegram/webhook` })).toBe(200);
    discord.spoilDeliveries({ wrongKey: true });
    const badKey = discord.sendSlashCommand({ name: 'latest', guildId: GUILD, channelId: COMMANDS_CHANNEL, member: MEMBER });
    await discord.waitFor(() => discord.httpDeliveries.find((d) => d.interactionId === badKey), 10_000, 'the forged delivery');
    discord.spoilDeliveries({ omit: 'signature' });
    const unsigned = discord.sendSlashCommand({ name: 'latest', guildId: GUILD, channelId: COMMANDS_CHANNEL, member: MEMBER });
    await discord.waitFor(() => discord.httpDeliveries.find((d) => d.interactionId === unsigned), 10_000, 'the unsigned delivery');
    discord.spoilDeliveries(null);
    expect(discord.httpDeliveries.filter((d) => d.interactionId === badKey || d.interactionId === unsigned).map((d) => d.status)).toEqual([401, 401]);
    // The forged update was a good command: with the secret it is answered, once (the refusals recorded nothing).
    expect(await telegram.postToWebhook(forged)).toBe(200);
    await telegram.waitFor(() => keyboardReplies(SECURITY_CHAT) >= 1, 60_000);

    // 2. The scheduled fan-out: every subscription's time of day is the next minute.
    const checkedAfter = Date.now() - started;
    const due = minuteAfter(5_000);
    await b.scheduleAt(due);
    const ours = new Set(CHATS);
    const kill: Kill = await Promise.race([
      b.killTelegramSenderAfter(Math.max(KILL_AFTER, telegram.sent.filter((m) => ours.has(m.chatId)).length + 1), ours),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no Telegram sender to kill 120 s after the due time was set\n${why()}`)), 120_000)),
    ]);
    expect(kill.killedAt).toBeGreaterThanOrEqual(due.getTime());
    let finishedAfterMs: number | null = null;
    // Another instance finishes after the kill: a generous deadline here; how soon (the issue's
    // 30 s) is a figure of bench/failover.ts, since a loaded machine stretches it.
    while (Date.now() - kill.killedAt <= 120_000) {
      if ((await b.delivered('telegram')) === CHATS.length) {
        finishedAfterMs = Date.now() - kill.killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(finishedAfterMs, `Telegram not delivered everywhere within 120 s of the kill\n${why()}`).not.toBeNull();
    await until('every Discord channel delivered', async () => (await b.delivered('discord')) === CHANNELS.length, 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${why()}`);
    });

    const telegramSends = telegram.sent.filter((m) => ours.has(m.chatId));
    const channels = new Set(CHANNELS);
    const discordSends = discord.messages.filter((m) => channels.has(m.channelId));
    const telegramRuns = senderRuns(telegramSends.map((m) => m.client));
    const discordRuns = senderRuns(discordSends.map((m) => m.client));
    const survivor = telegramSends.find((m) => m.client !== kill.victim.tag);
    console.info(
      `[multi-instance] serving after ${servingAfter} ms, commands and forgeries checked after ${checkedAfter} ms, due after ${due.getTime() - started} ms, kill after ${kill.killedAt - started} ms; ` +
        `Telegram sent by ${telegramRuns.join(' → ')}, Discord by ${discordRuns.join(' → ')}; ${kill.victim.tag} killed after ${kill.acceptedAtKill} messages (${kill.inFlight} in flight); ` +
        `first send by another ${survivor ? survivor.time - kill.killedAt : '-'} ms after the kill; all Telegram delivered after ${finishedAfterMs} ms`,
    );
    // One instance at a time per platform: each instance's sends are one unbroken run.
    expect(telegramRuns[0]).toBe(kill.victim.tag);
    expect(telegramRuns).toHaveLength(2);
    expect(new Set(telegramRuns).size).toBe(telegramRuns.length);
    expect(new Set(discordRuns).size).toBe(discordRuns.length);
    expect(discordRuns.every((tag) => tag !== null)).toBe(true);
    // Every destination has its digest; Discord repeats nothing, Telegram no more than was in flight.
    const telegramTally = tallyParts(telegramSends, CHATS, (m) => m.chatId, (m) => `${m.method}|${m.text ?? ''}`);
    expect(telegramTally.missing).toEqual([]);
    expect(telegramTally.repeats).toBeLessThanOrEqual(kill.inFlight);
    const discordTally = tallyParts(discordSends, CHANNELS, (m) => m.channelId, (m) => `${JSON.stringify(m.body['embeds'] ?? m.body['components'] ?? null)}|${m.files.length}`);
    expect(discordTally.missing).toEqual([]);
    expect(discordTally.repeats).toBe(0);

    // Looked at last, long after anything a refused or replayed request could have caused.
    for (const chatId of USERS) expect(keyboardReplies(chatId), `replies in chat ${chatId}`).toBe(1);
    expect(keyboardReplies(SECURITY_CHAT)).toBe(1);
    expect(telegram.callbackAnswers.filter((a) => a.callbackQueryId === tg.press)).toHaveLength(1);
    for (const id of interactions) {
      expect(discord.interactionResponses.filter((r) => r.interactionId === id), `responses to ${id}`).toHaveLength(1);
      expect(discord.followups.filter((f) => f.interactionId === id && f.kind !== 'edit-original')).toEqual([]);
      expect(discord.followups.filter((f) => f.interactionId === id && f.kind === 'edit-original').length).toBeLessThanOrEqual(1);
    }
    for (const id of [badKey, unsigned]) {
      expect(discord.interactionResponses.filter((r) => r.interactionId === id)).toEqual([]);
      expect(discord.calls.filter((c) => c.path.includes(id))).toEqual([]);
    }
    const logs = b.instances.map((i) => i.process.stderr()).join('\n');
    // The due time was enqueued once per platform, however many instances ticked. Only the
    // subscriptions' own schedule is counted: the global one (midnight UTC) is due too when the
    // test runs in the first minutes after midnight (a CI run at 00:04 logged both).
    const dueKey = `"schedule":"daily:${due.toISOString().slice(11, 16)}@UTC"`;
    for (const platform of ['telegram', 'discord']) {
      const dues = b.instances.flatMap((i) =>
        i.process
          .stderr()
          .split('\n')
          .filter((line) => line.includes(`"event":"coordination.due","platform":"${platform}"`) && line.includes(dueKey))
          .map((line) => `[${i.tag}] ${line}`),
      );
      expect(dues.length, `${platform}:\n${dues.join('\n')}`).toBe(1);
    }
    expect(logs).toContain('"outcome":"unauthorized"');
    expect(logs).toContain('"outcome":"duplicate"');
    expect(logs).not.toContain(b.webhookSecret);
  }, 300_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandBurst } from '../helpers/command-burst.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { startMultiInstanceBot, type MultiInstanceBot } from '../helpers/multi-instance-harness.ts';
import { runPostgresTests } from '../helpers/postgres.ts';

/**
 * Issue 19 §2: the rate budget belongs to the bot token. Three `npm start` instances on one
 * PostgreSQL database, behind a round-robin load balancer, answer 300 `/subscribe` commands
 * typed within 5 s against a fake Telegram that refuses more than 30 messages in any second
 * (per token, whoever sends): they share the budget, so not one 429, and every chat gets exactly
 * one answer. (Alone, each instance would pace itself at 30 a second: 90 together.)
 */
const enabled = await runPostgresTests('shared-rate-budget');

const GUILD = '870100000000000001';
const CHATS = Array.from({ length: 300 }, (_, i) => 8_700_001 + i);

let telegram: FakeTelegram;
let discord: FakeDiscord;
let bot: MultiInstanceBot | null = null;

beforeAll(async () => {
  if (!enabled) return;
  telegram = await startFakeTelegram({ enforceRateLimits: true });
  discord = await startFakeDiscord();
  discord.addGuild({ id: GUILD, name: 'budget', channels: [{ id: '870100000000000002', type: 0, name: 'general' }] });
});

afterAll(async () => {
  await bot?.close();
  await telegram?.close();
  await discord?.close();
});

describe.runIf(enabled)('three instances sharing one Telegram token', () => {
  it('answer a burst of 300 commands in 5 s once each, without a single 429', async () => {
    bot = await startMultiInstanceBot({ telegram, discord, instances: 3, chats: [], channels: [], guildId: GUILD, subscribedAt: new Date() });
    await bot.waitUntilServing();
    const outcome = await commandBurst(telegram, CHATS, { overMs: 5000, timeoutMs: 120_000 });
    console.info(`[shared-rate-budget] ${JSON.stringify(outcome)}`);
    const why = `${JSON.stringify(outcome)}\n${bot.outputs()}`;
    expect(outcome.unanswered, why).toEqual([]);
    expect(outcome.answeredOnce).toBe(CHATS.length);
    expect(outcome.rateLimited, why).toBe(0);
    // The load balancer spread the commands: every instance answered some, within the one budget.
    expect(Object.keys(outcome.answersBy).sort()).toEqual(['a', 'b', 'c']);
  }, 300_000);
});

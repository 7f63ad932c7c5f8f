/**
 * Command burst across instances (issue 19 §2): `/subscribe` typed in 300 private chats within
 * 5 s, answered by one `npm start` and by three on one PostgreSQL database (TEST_DATABASE_URL),
 * webhooks behind a round-robin load balancer, against the fake Telegram enforcing 30 messages a
 * second per token. Prints 429s, chats answered once / twice / never, and the time from the first
 * command to the last answer.
 *
 *   node --import tsx bench/command-burst.ts [commands] [seconds]
 */
import { commandBurst } from '../tests/helpers/command-burst.ts';
import { startFakeDiscord } from '../tests/helpers/fake-discord.ts';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';
import { startMultiInstanceBot } from '../tests/helpers/multi-instance-harness.ts';
import { postgresProblem, TEST_DATABASE_URL } from '../tests/helpers/postgres.ts';

const commands = Number(process.argv[2] ?? 300);
const seconds = Number(process.argv[3] ?? 5);

const problem = await postgresProblem();
if (problem !== null) {
  console.log(`bench/command-burst: skipped: ${TEST_DATABASE_URL} unreachable (${problem})`);
} else {
  console.log(`/subscribe in ${commands} private chats within ${seconds} s; fake Telegram at 30 messages/s per token; webhooks behind a load balancer`);
  console.log('| instances | 429s | answered once | twice | never | first command → last answer | answers/s | answers by instance |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [run, instances] of [1, 3].entries()) {
    const telegram = await startFakeTelegram({ enforceRateLimits: true });
    const discord = await startFakeDiscord();
    const guild = String(880_000_000_000_000_000n + BigInt(run) * 10n);
    discord.addGuild({ id: guild, name: 'bench', channels: [{ id: String(BigInt(guild) + 1n), type: 0, name: 'general' }] });
    const bot = await startMultiInstanceBot({ telegram, discord, instances, chats: [], channels: [], guildId: guild, subscribedAt: new Date() });
    try {
      await bot.waitUntilServing();
      const chats = Array.from({ length: commands }, (_, i) => 8_800_001 + run * 100_000 + i);
      const o = await commandBurst(telegram, chats, { overMs: seconds * 1000, timeoutMs: 180_000 });
      const by = Object.entries(o.answersBy).map(([tag, n]) => `${tag} ${n}`).join(', ');
      console.log(
        `| ${instances} | ${o.rateLimited} | ${o.answeredOnce} | ${o.answeredTwice} | ${o.unanswered.length} | ${(o.lastAnswerAfterMs / 1000).toFixed(1)} s | ${(commands / (o.lastAnswerAfterMs / 1000)).toFixed(1)} | ${by} |`,
      );
    } finally {
      await bot.close();
      await telegram.close();
      await discord.close();
    }
  }
}

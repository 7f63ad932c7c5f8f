/**
 * Multi-instance benchmark (issue 11 §5): the start-up catch-up of 300 Telegram chats (photo +
 * text) and 300 Discord channels, sent by one `npm start` and by three on one PostgreSQL database
 * (TEST_DATABASE_URL), webhooks mode behind a round-robin load balancer, against the fakes
 * enforcing the platforms' rate limits. The rate should be the same: the ceiling is the bot
 * token's, and one instance at a time sends a platform. Then three instances again with the
 * Telegram sender SIGKILLed half-way: the time from the kill to the first send by another instance
 * and to every chat delivered.
 *
 *   node --import tsx bench/multi-instance.ts [destinations per platform]
 */
import { tallyParts } from '../tests/helpers/failover-harness.ts';
import { startFakeDiscord, type FakeDiscord } from '../tests/helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../tests/helpers/fake-telegram.ts';
import { senderRuns, startMultiInstanceBot, type Kill } from '../tests/helpers/multi-instance-harness.ts';
import { postgresProblem, TEST_DATABASE_URL } from '../tests/helpers/postgres.ts';

const size = Number(process.argv[2] ?? 300);
let run = 0;

interface Figures {
  telegramRate: number;
  discordRate: number;
  senders: string;
  kill: Kill | null;
  firstSendAfterMs: number | null;
  allDeliveredAfterMs: number | null;
  /** Messages a destination received more than once (Telegram, Discord). */
  repeated: [number, number];
}

/** Messages per second from the first to the last one. */
function rateOf(times: number[]): number {
  if (times.length < 2) return 0;
  return ((times.length - 1) * 1000) / (Math.max(...times) - Math.min(...times));
}

async function measure(telegram: FakeTelegram, discord: FakeDiscord, instances: number, killHalfway: boolean): Promise<Figures> {
  run += 1;
  const chats = Array.from({ length: size }, (_, i) => 9_300_000 + run * 10_000 + i);
  const guild = String(870_000_000_000_000_000n + BigInt(run) * 10_000n);
  const channels = Array.from({ length: size }, (_, i) => String(BigInt(guild) + 1n + BigInt(i)));
  discord.addGuild({ id: guild, name: `bench ${run}`, channels: channels.map((id, i) => ({ id, type: 0 as const, name: `c${i}` })) });
  const ours = new Set(chats);
  const bot = await startMultiInstanceBot({ telegram, discord, instances, chats, channels, guildId: guild, subscribedAt: new Date(Date.now() - 2 * 86_400_000) });
  try {
    // The catch-up starts as soon as a platform has started somewhere (no need to wait for all to serve).
    const kill = killHalfway ? await bot.killTelegramSenderAfter(size, ours) : null;
    const deadline = Date.now() + 300_000;
    let allDeliveredAfterMs: number | null = null;
    while (Date.now() < deadline) {
      const [t, d] = [await bot.delivered('telegram'), await bot.delivered('discord')];
      if (t === size && allDeliveredAfterMs === null && kill) allDeliveredAfterMs = Date.now() - kill.killedAt;
      if (t === size && d === size) break;
      if (bot.instances.every((i) => i.process.child.exitCode !== null || i.process.child.signalCode !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [t, d] = [await bot.delivered('telegram'), await bot.delivered('discord')];
    if (t !== size || d !== size) console.log(`${instances} instance(s): only ${t} chats and ${d} channels delivered\n${bot.outputs()}`);
    const telegramSends = telegram.sent.filter((m) => ours.has(m.chatId));
    const set = new Set(channels);
    const discordSends = discord.messages.filter((m) => set.has(m.channelId));
    const first = kill ? telegramSends.find((m) => m.client !== kill.victim.tag && m.time >= kill.killedAt) : undefined;
    return {
      telegramRate: rateOf(telegramSends.map((m) => m.time)),
      discordRate: rateOf(discordSends.map((m) => m.time)),
      senders: `Telegram ${senderRuns(telegramSends.map((m) => m.client)).join('→')}, Discord ${senderRuns(discordSends.map((m) => m.client)).join('→')}`,
      kill,
      firstSendAfterMs: kill && first ? first.time - kill.killedAt : null,
      allDeliveredAfterMs,
      repeated: [
        tallyParts(telegramSends, chats, (m) => m.chatId, (m) => `${m.method}|${m.text ?? ''}`).repeats,
        tallyParts(discordSends, channels, (m) => m.channelId, (m) => `${JSON.stringify(m.body['embeds'] ?? null)}|${m.files.length}`).repeats,
      ],
    };
  } finally {
    await bot.close();
  }
}

const problem = await postgresProblem();
if (problem !== null) {
  console.log(`bench/multi-instance: skipped: ${TEST_DATABASE_URL} unreachable (${problem})`);
} else {
  const telegram = await startFakeTelegram({ enforceRateLimits: true });
  const discord = await startFakeDiscord({ enforceRateLimits: true });
  try {
    console.log(`${size} Telegram chats (photo + text) and ${size} Discord channels; webhooks mode behind a load balancer`);
    console.log('| instances | Telegram messages/s | Discord messages/s | sent by | repeated (Telegram, Discord) |');
    console.log('|---|---|---|---|---|');
    for (const instances of [1, 3]) {
      const f = await measure(telegram, discord, instances, false);
      console.log(`| ${instances} | ${f.telegramRate.toFixed(1)} | ${f.discordRate.toFixed(1)} | ${f.senders} | ${f.repeated.join(', ')} |`);
    }
    const f = await measure(telegram, discord, 3, true);
    const s = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
    console.log(
      `failover, 3 instances, Telegram sender SIGKILLed after ${f.kill?.acceptedAtKill} of ${size * 2} messages (${f.kill?.inFlight} in flight): ` +
        `kill → first send by another ${s(f.firstSendAfterMs)}, kill → every chat delivered ${s(f.allDeliveredAfterMs)}; repeated ${f.repeated[0]} Telegram, ${f.repeated[1]} Discord (${f.senders})`,
    );
  } finally {
    await telegram.close();
    await discord.close();
  }
}

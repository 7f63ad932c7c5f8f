import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { NEWEST_SLUG } from './crash-harness.ts';
import { databaseUrlFor, ledgerIds, writeInstanceProject } from './failover-harness.ts';
import type { FakeDiscord } from './fake-discord.ts';
import type { FakeTelegram, SentMessage } from './fake-telegram.ts';
import { ROOT_DIR, startBotProcess, type NodeProcess } from './node-process.ts';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from './postgres.ts';
import { startLoadBalancer, until, type FakeLoadBalancer } from './telegram-webhook-harness.ts';

/**
 * Several `npm start` instances forming one bot, as a deployment behind a load balancer runs them:
 * one PostgreSQL database (ledger and pg-boss in schemas of the run's own), TELEGRAM_UPDATES=webhook
 * and DISCORD_INTERACTIONS=http on every instance, each on its own HTTP port behind one round-robin
 * load balancer (PUBLIC_URL), against one fake Telegram and one fake Discord. Each instance talks
 * to the fakes under its own `/client/<tag>` prefix, so the fakes record which instance sent each
 * message. Used by tests/main/multi-instance.test.ts and bench/multi-instance.ts.
 */
export interface MultiInstanceOptions {
  telegram: FakeTelegram;
  discord: FakeDiscord;
  /** Instances started (their tags are a, b, c …). */
  instances: number;
  /** Telegram chats subscribed (added to the fake as private chats). */
  chats: readonly number[];
  /** Discord channels subscribed (the caller adds them to a guild of the fake). */
  channels: readonly string[];
  /** The guild the slash commands are registered in (DISCORD_GUILD_ID). */
  guildId: string;
  /**
   * When the subscriptions were made. Days ago: the newest report is due, so the start-up catch-up
   * sends it at once. Now: nothing is due until `scheduleAt`.
   */
  subscribedAt: Date;
}

/** One running instance. */
export interface BotInstance {
  /** The `/client/<tag>` the fakes record its messages under. */
  tag: string;
  process: NodeProcess;
  /** Its own HTTP server (http://127.0.0.1:port), bypassing the load balancer. */
  base: string;
}

/** What a kill armed with `killSenderAfter` saw. */
export interface Kill {
  victim: BotInstance;
  killedAt: number;
  /** Messages of the platform accepted (for the destinations watched) when it was killed. */
  acceptedAtKill: number;
  /** Of those, the ones the ledger did not know right after the kill (truly in flight). */
  inFlight: number;
}

export interface MultiInstanceBot {
  readonly instances: BotInstance[];
  readonly lb: FakeLoadBalancer;
  readonly schema: string;
  /** The Telegram webhook secret every instance shares. */
  readonly webhookSecret: string;
  /** Resolves once every instance answers /readyz 200 (both platforms started, webhook set). */
  waitUntilServing(timeoutMs?: number): Promise<void>;
  /** Gives every subscription the time of day of `due` (UTC, a whole minute): its next scheduled time. */
  scheduleAt(due: Date): Promise<void>;
  /** Destinations of `platform` whose newest-report delivery is recorded delivered. */
  delivered(platform: 'telegram' | 'discord'): Promise<number>;
  /**
   * SIGKILLs the instance that sends Telegram the moment the fake has accepted `after` messages to
   * `chats` (the one just accepted is in flight); resolves with what it saw.
   */
  killTelegramSenderAfter(after: number, chats: ReadonlySet<number>): Promise<Kill>;
  /** Every instance's log tail, for failure messages. */
  outputs(): string;
  /** Kills what is left, drops the schemas, removes the files. */
  close(): Promise<void>;
}

const WEBHOOK_SECRET = 'multi_instance_SECRET-4242';

export async function startMultiInstanceBot(options: MultiInstanceOptions): Promise<MultiInstanceBot> {
  const { telegram, discord } = options;
  for (const id of options.chats) telegram.addChat({ id, type: 'private' });
  const tmp = mkdtempSync(path.join(tmpdir(), 'multi-instance-'));
  const schema = uniqueSchema('digest_multi');
  const bossSchema = uniqueSchema('boss_multi');
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  const instances: BotInstance[] = [];
  const bases: string[] = [];
  const lb = await startLoadBalancer(() => bases);
  discord.useInteractionsEndpoint(`${lb.url}/discord/interactions`);

  const { contentDir, configFile } = writeInstanceProject(tmp);
  const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema, now: () => options.subscribedAt });
  for (const id of options.chats) await seed.subscribe({ platform: 'telegram', chatId: String(id), threadId: null, subscribedBy: 'cli' });
  for (const id of options.channels) await seed.subscribe({ platform: 'discord', chatId: id, threadId: null, subscribedBy: 'cli' });
  await seed.close();

  // Every instance the same configuration but its HTTP port (0: the kernel picks; read from its log).
  for (let i = 0; i < options.instances; i++) {
    const tag = String.fromCharCode(97 + i);
    const process = startBotProcess({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: `${telegram.apiRoot}/client/${tag}`,
      TELEGRAM_UPDATES: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PUBLIC_URL: lb.url,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_BASE: discord.apiBase.replace(/\/api$/, `/client/${tag}/api`),
      DISCORD_GUILD_ID: options.guildId,
      DISCORD_INTERACTIONS: 'http',
      DISCORD_PUBLIC_KEY: discord.publicKey,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      DATABASE_URL: databaseUrlFor(schema),
      PGBOSS_SCHEMA: bossSchema,
      DATABASE_PATH: path.join(tmp, tag, 'unused.db'),
      CONTENT_DIR: contentDir,
      DIGEST_CONFIG: configFile,
      LOG_LEVEL: 'info',
    });
    instances.push({ tag, process, base: '' });
  }

  const outputs = (): string => instances.map((b) => `[${b.tag}] ${b.process.stderr().slice(-3000)}`).join('\n---\n');
  const alive = (b: BotInstance): boolean => b.process.child.exitCode === null && b.process.child.signalCode === null;

  return {
    instances,
    lb,
    schema,
    webhookSecret: WEBHOOK_SECRET,
    async waitUntilServing(timeoutMs = 120_000) {
      await Promise.all(
        instances.map(async (b) => {
          const port = await until(`instance ${b.tag} listening`, () => {
            if (!alive(b)) throw new Error(`instance ${b.tag} exited`);
            return /"event":"http\.listening".*?"port":(\d+)/.exec(b.process.stderr())?.[1];
          }, timeoutMs);
          b.base = `http://127.0.0.1:${port}`;
          await until(`instance ${b.tag} ready`, async () => (await fetch(`${b.base}/readyz`).catch(() => null))?.status === 200, timeoutMs);
        }),
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${outputs()}`);
      });
      // In the load balancer only once all serve, in start order (routed index = instance index).
      bases.push(...instances.map((b) => b.base));
    },
    async scheduleAt(due) {
      const hhmm = due.toISOString().slice(11, 16);
      await client.query(`UPDATE "${schema}".subscriptions SET time_of_day = $1, timezone = 'UTC'`, [hhmm]);
    },
    async delivered(platform) {
      const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${schema}".deliveries WHERE slug = $1 AND platform = $2 AND status = 'delivered'`, [NEWEST_SLUG, platform]);
      return Number(rows[0]?.n ?? 0);
    },
    killTelegramSenderAfter(after, chats) {
      return new Promise<Kill>((resolve, reject) => {
        const accepted = (): SentMessage[] => telegram.sent.filter((m) => chats.has(m.chatId));
        telegram.afterAccept = (message) => {
          if (!chats.has(message.chatId)) return;
          const sent = accepted();
          if (sent.length < after) return;
          const victim = instances.find((b) => b.tag === message.client);
          if (!victim) return;
          telegram.afterAccept = null;
          const killedAt = Date.now();
          victim.process.child.kill('SIGKILL');
          // What the ledger knew at the kill (a survivor needs the lock and a plan before it sends).
          ledgerIds(client, schema).then((known) => {
            const inFlight = sent.filter((m) => !known.has(String(m.messageId))).length;
            resolve({ victim, killedAt, acceptedAtKill: sent.length, inFlight });
          }, reject);
        };
      });
    },
    outputs,
    async close() {
      telegram.afterAccept = null;
      discord.useInteractionsEndpoint(null);
      for (const b of instances) if (alive(b)) b.process.child.kill('SIGKILL');
      await Promise.all(instances.map((b) => b.process.exit));
      await lb.close();
      await client.end().catch(() => undefined);
      await dropSchema(schema).catch(() => undefined);
      await dropSchema(bossSchema).catch(() => undefined);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** The start of the first whole UTC minute at least `ms` from now. */
export function minuteAfter(ms: number): Date {
  return new Date(Math.ceil((Date.now() + ms) / 60_000) * 60_000);
}

/** The order in which instances sent, with consecutive sends of one instance merged: ['a', 'c'] = a sent, then c. */
export function senderRuns(tags: readonly (string | null)[]): (string | null)[] {
  return tags.filter((tag, i) => i === 0 || tags[i - 1] !== tag);
}

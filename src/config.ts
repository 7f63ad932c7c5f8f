import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { fillReportUrl } from './report/condense.ts';

const idList = z.array(z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform(String));

/** Bounds of a word cloud's width and height in pixels (config and `digest wordcloud` alike). */
export const WORDCLOUD_SIZE = { min: 200, max: 4000 } as const;

/** Schema of config/default.json (+ config/local.json). Every key has a sensible default. */
const fileSchema = z
  .object({
    contentDir: z.string().min(1).default('content'),
    content: z
      .object({
        /**
         * A report file larger than this is refused (logged, shown by `digest check` and the
         * status page) and never read: a daily report is a few KB, a 47 MB one is a mistake.
         */
        maxReportBytes: z.number().int().min(1024).default(2 * 1024 * 1024),
      })
      .prefault({}),
    /** Extra folder searched for `wordcloud_<slug>.jpg` when it is not beside the report. */
    imagesDir: z.string().min(1).nullable().default(null),
    databasePath: z.string().min(1).default('data/digest.db'),
    /**
     * PostgreSQL only: how long the database may stay unreachable before the bot exits non-zero
     * so its supervisor restarts it (meanwhile /readyz is 503 and the pool keeps reconnecting);
     * 0 = never exit, keep reconnecting.
     */
    databaseOutageExitSeconds: z.number().min(0).max(86_400).default(60),
    /**
     * PostgreSQL only: how long the bot waits on its server, so a server that stops answering
     * (a network that drops packets, a listener that never replies) is an error, not a hang.
     */
    database: z
      .object({
        /** Opening a connection (TCP, TLS, authentication); opening the database at start fails after it. */
        connectTimeoutSeconds: z.number().min(0.1).max(3600).default(10),
        /** One statement (the server cancels it; the bot gives up on a server that does not answer). */
        statementTimeoutSeconds: z.number().min(0.1).max(3600).default(15),
        /** A session idle inside a transaction this long is ended by the server (its locks freed). */
        idleInTransactionTimeoutSeconds: z.number().min(0.1).max(3600).default(30),
        /** TCP keepalive probes start after this long idle, so a dead peer is noticed by the socket too. */
        keepAliveSeconds: z.number().min(1).max(3600).default(10),
      })
      .prefault({}),
    /** IANA timezone for the schedule and for `today` / `yesterday`. */
    timezone: z
      .string()
      .refine(isValidTimezone, { message: 'not an IANA timezone (e.g. Asia/Shanghai)' })
      .default('Asia/Shanghai'),
    /** node-cron expression for the daily post, in `timezone`. */
    schedule: z
      .string()
      .refine((expression) => cron.validate(expression), { message: 'not a cron expression (e.g. "0 9 * * *" for 09:00 daily)' })
      .default('0 9 * * *'),
    digest: z
      .object({
        /** Details are shortened to at most this many characters, at a sentence or clause boundary. */
        detailMaxChars: z.number().int().min(10).max(1000).default(90),
        /** e.g. `https://example.com/{yyyy}/{mm}/{dd}/{slug}.html`; null for no link. */
        reportUrlTemplate: z
          .string()
          .refine(isAbsoluteHttpUrlTemplate, {
            message: 'not an absolute http(s) URL (e.g. "https://example.com/{yyyy}/{mm}/{dd}/{slug}.html"): Discord refuses the embed and Telegram drops the link',
          })
          .nullable()
          .default(null),
        titlePrefix: z.string().min(1).default('Twitter AI 报告'),
        discordColor: z.number().int().min(0).max(0xffffff).default(0x1d9bf0),
        /** Previous / next buttons on scheduled digests too (command replies always have them). */
        buttonsOnDelivery: z.boolean().default(false),
      })
      .prefault({}),
    wordcloud: z
      .object({
        enabled: z.boolean().default(true),
        width: z.number().int().min(WORDCLOUD_SIZE.min).max(WORDCLOUD_SIZE.max).default(1200),
        height: z.number().int().min(WORDCLOUD_SIZE.min).max(WORDCLOUD_SIZE.max).default(675),
        cacheDir: z.string().min(1).default('data/wordclouds'),
        /** How many of the newest reports get their cloud drawn ahead of time at start-up. */
        warmRecent: z.number().int().min(0).default(30),
      })
      .prefault({}),
    owners: z
      .object({ discord: idList.default([]), telegram: idList.default([]) })
      .prefault({}),
    /** Where owner notices go (deactivations, repeated failures). */
    ownerChat: z
      .object({
        discord: z.string().regex(/^\d+$/).nullable().default(null),
        telegram: z.string().regex(/^-?\d+$/).nullable().default(null),
      })
      .prefault({}),
    delivery: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).default(5),
        backoffBaseMs: z.number().int().min(1).default(1000),
        backoffCapMs: z.number().int().min(1).default(60_000),
        /**
         * A report file is delivered only once it has not changed for this long (a file still
         * being written is waited for, never sent half-written); 0 turns the wait off.
         */
        reportSettleMs: z.number().int().min(0).max(600_000).default(3000),
        /**
         * Per platform, how many sends may be out whose outcome is not yet in the ledger (in
         * flight, or accepted and held in memory while the database does not answer). A send
         * starts only below it, so a database that goes silent mid-fan-out, followed by a restart,
         * repeats at most this many messages. See docs/delivery-guarantees.md. Unset: 2 for
         * Telegram, 200 with `telegram.paidBroadcast` (PAID_BROADCAST_UNRECORDED_SENDS), and 16
         * for Discord, whose nonce turns a prompt repeat away (DISCORD_UNRECORDED_SENDS).
         */
        // null (config/default.json) is unset: each platform keeps the default of its own.
        maxUnrecordedSends: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .nullish()
          .transform((bound) => bound ?? undefined),
        /**
         * The schedule and the start-up catch-up never send a report whose last day is more than
         * this many days before the due date (an 11-month-old report is not "today's digest");
         * `digest post DATE` and `/repost` still can.
         */
        maxReportAgeDays: z.number().int().min(0).default(7),
        /**
         * A report edited after it was delivered is corrected where it was posted (the delivered
         * messages edited in place, nothing sent anew) once its file settles, while the bot runs.
         * `digest post DATE --edit` does it at once either way.
         */
        editOnCorrection: z.boolean().default(true),
      })
      .prefault({}),
    discord: z
      .object({
        /**
         * How a digest looks on Discord: `components` one Components V2 message (container,
         * sections, word cloud gallery), `embeds` the embed layout. A subscription may choose its own.
         */
        layout: z.enum(['components', 'embeds']).default('components'),
      })
      .prefault({}),
    telegram: z
      .object({
        /**
         * Digests to subscribers carry `allow_paid_broadcast: true` and go out at up to 1,000
         * messages a second instead of 30; Telegram charges 0.1 Stars from the bot's balance for
         * each message over the free 30 a second. Command answers never carry it.
         */
        paidBroadcast: z.boolean().default(false),
        /**
         * Each point's detail in an expandable blockquote, so a chat sees the ten titles at a
         * glance and opens the ones it wants; a subscription may choose otherwise (`/settings collapse`).
         */
        collapseDetails: z.boolean().default(true),
        /**
         * The digest's last message previews the full-report link (`digest.reportUrlTemplate`);
         * off, digests show no link preview at all. A link inside a point never previews.
         */
        previewReportLink: z.boolean().default(false),
      })
      .prefault({}),
    /** The open archive on the HTTP server: public report pages, feeds and `/mcp` (see src/archive). */
    archive: z
      .object({
        enabled: z.boolean().default(true),
        /** Reports per page of the index. */
        pageSize: z.number().int().min(5).max(200).default(30),
        /** Archive requests served at once; beyond it they wait (maxWaitMs), then 503 (the bot's own work first). */
        maxConcurrent: z.number().int().min(1).max(10_000).default(64),
        /**
         * Of those, the most one client address may have at once, so one crawler cannot take
         * them all. Behind a reverse proxy every reader is the proxy's address: raise it.
         */
        maxConcurrentPerClient: z.number().int().min(1).max(10_000).default(8),
        /** Archive requests waiting for a turn; one more is answered 503 at once. */
        maxWaiting: z.number().int().min(0).max(100_000).default(256),
        /** How long a request waits for a turn before its 503 (0: refused at once). */
        maxWaitMs: z.number().int().min(0).max(60_000).default(1000),
        /**
         * Archive requests wait while the bot's event loop was busier than this share of the
         * last 100 ms (the fan-out and commands first); 1 turns the check off.
         */
        maxLoopShare: z.number().gt(0).max(1).default(0.25),
        /**
         * Render archive pages and feeds that miss the cache on a worker thread, so readers never
         * hold up the bot's event loop; false renders them on the bot's thread. Absent means true
         * (no schema default, so configs parsed before this key compare equal).
         */
        renderWorker: z.boolean().optional(),
      })
      .prefault({}),
    /** Full-text search (`/search`, inline mode, the archive's search page). */
    search: z
      .object({
        /**
         * Worker threads that build the first index (and any large re-index, such as a cache that
         * lost many reports) off the bot's event loop; 0 indexes on the bot's thread in short
         * slices. Null: one per core, at most 4 (it depends on the machine).
         */
        indexThreads: z.number().int().min(0).max(16).nullable().default(null),
      })
      .prefault({}),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /**
     * How long a SIGTERM/SIGINT may take: sends in flight get this long to finish, then the bot
     * exits 0 whatever the platforms do, leaving unfinished deliveries resumable. Below the 10 s
     * a supervisor (Docker, systemd) commonly waits before it kills.
     */
    shutdownTimeoutSeconds: z.number().min(0.5).max(600).default(8),
  })
  .strict();

export type FileConfig = z.output<typeof fileSchema>;

/** Secrets and overrides read only from the environment (all listed in .env.example). */
export interface EnvConfig {
  discordToken: string | null;
  discordGuildId: string | null;
  discordApiBase: string | null;
  /**
   * DISCORD_INTERACTIONS: `gateway` (default) receives commands over the gateway connection;
   * `http` opens none and takes them at `POST /discord/interactions` (needs HTTP_PORT).
   */
  discordInteractions?: 'gateway' | 'http';
  /** DISCORD_PUBLIC_KEY: the application's Ed25519 public key (64 hex); required in http mode. */
  discordPublicKey?: string | null;
  telegramToken: string | null;
  telegramApiRoot: string | null;
}

/**
 * The bot's HTTP server (health, metrics, status page), from the environment. Only `npm start`
 * reads it; the `digest` CLI never opens a port.
 */
export interface HttpConfig {
  /** HTTP_PORT; null = no server (the default). 0 picks a free port (tests). */
  port: number | null;
  /** HTTP_HOST, default 0.0.0.0. */
  host: string;
  /** ADMIN_TOKEN; null = no /admin page (404). Secret: never logged. */
  adminToken: string | null;
  /** PUBLIC_URL (no trailing slash) when valid: absolute links of the archive pages, feeds and digests. */
  publicUrl?: string | null;
  /** MCP_TOKEN: when set, `POST /mcp` needs it as a Bearer token. Secret: never logged. */
  mcpToken?: string | null;
}

/**
 * How Telegram hands the bot its updates (commands, button presses, inline queries), from the
 * environment. `polling` (TELEGRAM_UPDATES unset): the bot asks with getUpdates, one process per
 * token. `webhook`: Telegram posts each update to `${publicUrl}/telegram/webhook` on the bot's HTTP
 * server, so any of several instances behind a load balancer can answer.
 */
export type TelegramUpdatesConfig =
  | { mode: 'polling' }
  | {
      mode: 'webhook';
      /** PUBLIC_URL: the https address the load balancer exposes for the bot's HTTP server, without a trailing slash. */
      publicUrl: string;
      /** TELEGRAM_WEBHOOK_SECRET: Telegram sends it in `X-Telegram-Bot-Api-Secret-Token`. Secret: never logged. */
      secret: string;
    };

/** What Telegram accepts as a webhook `secret_token`. */
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{1,256}$/;

export type Config = FileConfig & {
  env: EnvConfig;
  http: HttpConfig;
  telegramUpdates: TelegramUpdatesConfig;
  rootDir: string;
  /**
   * `DATABASE_URL` (`postgres://…`): the store is PostgreSQL there; null: SQLite at `databasePath`.
   * It may carry a password, so it is one of the secrets kept out of logs.
   */
  databaseUrl: string | null;
  /** `PGBOSS_SCHEMA` (default `pgboss`): the schema pg-boss keeps its jobs in, with DATABASE_URL. */
  coordinationSchema: string;
};

/** `DATABASE_URL`: only PostgreSQL URLs (SQLite is chosen by leaving it unset and using DATABASE_PATH). */
const databaseUrlSchema = z
  .string()
  .refine((url) => /^postgres(ql)?:\/\/[^/]/.test(url) && URL.canParse(url), {
    message: 'must be a PostgreSQL URL (postgres://user:password@host:5432/database); leave it unset for SQLite at DATABASE_PATH',
  })
  .nullable();

/** A link template that, filled in for a sample report, is an absolute http(s) URL with a host. */
function isAbsoluteHttpUrlTemplate(template: string): boolean {
  try {
    const url = new URL(fillReportUrl(template, { slug: 'twitter_ai_20260103_20260103', dateStart: '2026-01-03', dateEnd: '2026-01-03' }));
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function readJson(file: string, problems: string[]): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${file}: must hold a JSON object`);
      return {};
    }
    return value as Record<string, unknown>;
  } catch (error) {
    problems.push(`${file}: ${(error as Error).message}`);
    return {};
  }
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? mergeDeep(prev as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** Environment names of the `database` timeouts. */
function envString(env: NodeJS.ProcessEnv, key: string): string | null {
  const value = env[key]?.trim();
  return value ? value : null;
}

export interface LoadConfigOptions {
  /** Project root; relative paths in the config resolve against it. Default: cwd. */
  rootDir?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * `npm start`: the configuration is to be served, so what only a running bot needs (HTTP_PORT
   * for HTTP interactions and webhooks) is checked too, in the same list. The CLI opens no port.
   */
  serve?: boolean;
}

/**
 * The settings an environment variable overrides: config path → variable name. A bad value is
 * reported under the variable's name when the variable set it, under the key when a file did.
 */
export const ENV_OVERRIDES: ReadonlyArray<{ path: keyof FileConfig | `${keyof FileConfig}.${string}`; env: string; kind: 'string' | 'number' }> = [
  { path: 'contentDir', env: 'CONTENT_DIR', kind: 'string' },
  { path: 'databasePath', env: 'DATABASE_PATH', kind: 'string' },
  { path: 'timezone', env: 'TIMEZONE', kind: 'string' },
  { path: 'logLevel', env: 'LOG_LEVEL', kind: 'string' },
  { path: 'shutdownTimeoutSeconds', env: 'SHUTDOWN_TIMEOUT_SECONDS', kind: 'number' },
  { path: 'databaseOutageExitSeconds', env: 'DATABASE_OUTAGE_EXIT_SECONDS', kind: 'number' },
  { path: 'database.connectTimeoutSeconds', env: 'DATABASE_CONNECT_TIMEOUT_SECONDS', kind: 'number' },
  { path: 'database.statementTimeoutSeconds', env: 'DATABASE_STATEMENT_TIMEOUT_SECONDS', kind: 'number' },
  { path: 'search.indexThreads', env: 'SEARCH_INDEX_THREADS', kind: 'number' },
];

/** The overrides the environment sets, and which variable set each config path. */
function readEnvOverrides(env: NodeJS.ProcessEnv, problems: string[]): { overrides: Record<string, unknown>; setFromEnv: Map<string, string> } {
  const overrides: Record<string, unknown> = {};
  const setFromEnv = new Map<string, string>();
  for (const entry of ENV_OVERRIDES) {
    const text = envString(env, entry.env);
    if (text === null) continue;
    if (entry.kind === 'number' && !Number.isFinite(Number(text))) {
      problems.push(`${entry.env}: must be a number, not "${text}"`);
      continue;
    }
    // A dotted path ('database.connectTimeoutSeconds') sets a key inside its section.
    const keys = entry.path.split('.');
    let section = overrides;
    for (const key of keys.slice(0, -1)) section = (section[key] ??= {}) as Record<string, unknown>;
    section[keys[keys.length - 1]!] = entry.kind === 'number' ? Number(text) : text;
    setFromEnv.set(entry.path, entry.env);
  }
  return { overrides, setFromEnv };
}

/**
 * Reads config/default.json, then the local override (config/local.json or `DIGEST_CONFIG`), then
 * the environment (`CONTENT_DIR`, `DATABASE_PATH`, `DATABASE_URL`, `TIMEZONE`, `LOG_LEVEL`, `SHUTDOWN_TIMEOUT_SECONDS`, `SEARCH_INDEX_THREADS`, `TELEGRAM_UPDATES` and the secrets), and
 * validates all of it at once. Throws ConfigError naming every bad key.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const rootDir = path.resolve(options.rootDir ?? process.cwd());
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const defaults = readJson(path.join(rootDir, 'config', 'default.json'), problems);
  const overridePath = envString(env, 'DIGEST_CONFIG') ?? path.join(rootDir, 'config', 'local.json');
  if (envString(env, 'DIGEST_CONFIG') && !existsSync(path.resolve(rootDir, overridePath))) {
    problems.push(`DIGEST_CONFIG: no such file ${overridePath}`);
  }
  let raw = mergeDeep(defaults, readJson(path.resolve(rootDir, overridePath), problems));
  const { overrides: envOverrides, setFromEnv } = readEnvOverrides(env, problems);
  raw = mergeDeep(raw, envOverrides);

  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.') || '(root)';
      // The operator set the variable, not the key: name what they can find in their .env.
      problems.push(`${setFromEnv.get(key) ?? key}: ${issue.message}`);
    }
  }
  const envConfig: EnvConfig = {
    discordToken: envString(env, 'DISCORD_TOKEN'),
    discordGuildId: envString(env, 'DISCORD_GUILD_ID'),
    discordApiBase: envString(env, 'DISCORD_API_BASE'),
    ...readDiscordInteractions(env, problems),
    telegramToken: envString(env, 'TELEGRAM_BOT_TOKEN'),
    telegramApiRoot: envString(env, 'TELEGRAM_API_ROOT'),
  };
  if (envConfig.discordGuildId && !/^\d+$/.test(envConfig.discordGuildId)) {
    problems.push('DISCORD_GUILD_ID: must be a numeric guild id');
  }
  for (const key of ['discordApiBase', 'telegramApiRoot'] as const) {
    const value = envConfig[key];
    // `http://` alone parses nowhere useful: the client would retry an address with no host forever.
    if (value && !hasHttpHost(value)) {
      problems.push(`${key === 'discordApiBase' ? 'DISCORD_API_BASE' : 'TELEGRAM_API_ROOT'}: must be an http(s) URL with a host (e.g. http://127.0.0.1:8081)`);
    }
  }
  const http = readHttpConfig(env, problems);
  const telegramUpdates = readTelegramUpdates(env, problems);
  const databaseUrl = databaseUrlSchema.safeParse(envString(env, 'DATABASE_URL'));
  if (!databaseUrl.success) problems.push(`DATABASE_URL: ${databaseUrl.error.issues[0]?.message ?? 'invalid'}`);
  const coordinationSchema = envString(env, 'PGBOSS_SCHEMA') ?? 'pgboss';
  if (!/^[a-z_][a-z0-9_]*$/.test(coordinationSchema)) problems.push(`PGBOSS_SCHEMA: not a schema name (a-z, 0-9, _): "${coordinationSchema}"`);
  if (options.serve) problems.push(...serveProblems({ env: envConfig, http, telegramUpdates }));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const file = parsed.data;
  const resolve = (p: string) => path.resolve(rootDir, p);
  return {
    ...file,
    contentDir: resolve(file.contentDir),
    imagesDir: file.imagesDir ? resolve(file.imagesDir) : null,
    databasePath: file.databasePath === ':memory:' ? file.databasePath : resolve(file.databasePath),
    wordcloud: { ...file.wordcloud, cacheDir: resolve(file.wordcloud.cacheDir) },
    env: envConfig,
    http,
    telegramUpdates,
    rootDir,
    databaseUrl: databaseUrl.data ?? null,
    coordinationSchema,
  };
}

/** DISCORD_INTERACTIONS and DISCORD_PUBLIC_KEY, each bad value reported. */
function readDiscordInteractions(env: NodeJS.ProcessEnv, problems: string[]): Required<Pick<EnvConfig, 'discordInteractions' | 'discordPublicKey'>> {
  const mode = z.enum(['gateway', 'http']).safeParse(envString(env, 'DISCORD_INTERACTIONS')?.toLowerCase() ?? 'gateway');
  if (!mode.success) problems.push('DISCORD_INTERACTIONS: must be "gateway" (the default) or "http"');
  const publicKey = envString(env, 'DISCORD_PUBLIC_KEY');
  if (publicKey !== null && !/^[0-9a-fA-F]{64}$/.test(publicKey)) {
    problems.push("DISCORD_PUBLIC_KEY: must be the application's public key, 64 hex characters (Developer Portal → General Information)");
  }
  const interactions = mode.success ? mode.data : 'gateway';
  if (interactions === 'http' && publicKey === null) {
    problems.push("DISCORD_PUBLIC_KEY: required with DISCORD_INTERACTIONS=http (the application's public key, to verify Discord's signatures)");
  }
  return { discordInteractions: interactions, discordPublicKey: publicKey };
}

/**
 * Why `npm start` cannot serve this configuration (checked by loadConfig with `serve`, since the
 * `digest` CLI reads the same configuration and never opens a port): HTTP interactions and
 * Telegram webhooks arrive at the HTTP server, so they need HTTP_PORT.
 */
export function serveProblems(config: Pick<Config, 'env' | 'http' | 'telegramUpdates'>): string[] {
  const problems: string[] = [];
  if (config.env.discordToken && config.env.discordInteractions === 'http' && config.http.port === null) {
    problems.push('HTTP_PORT: required with DISCORD_INTERACTIONS=http (Discord posts interactions to PUBLIC_URL/discord/interactions, served by the bot\'s HTTP server)');
  }
  if (config.env.telegramToken && config.telegramUpdates.mode === 'webhook' && config.http.port === null) {
    problems.push('HTTP_PORT: required with TELEGRAM_UPDATES=webhook (Telegram posts updates to PUBLIC_URL/telegram/webhook, served by the bot\'s HTTP server)');
  }
  return problems;
}

function readHttpConfig(env: NodeJS.ProcessEnv, problems: string[]): HttpConfig {
  const portText = envString(env, 'HTTP_PORT');
  let port: number | null = null;
  if (portText !== null) {
    port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!Number.isInteger(port) || port > 65535) {
      problems.push('HTTP_PORT: must be a port number (1-65535, or 0 for any free port)');
      port = null;
    }
  }
  const adminToken = envString(env, 'ADMIN_TOKEN');
  // Never echo the value: it is a secret.
  if (adminToken !== null && adminToken.length < MIN_ADMIN_TOKEN_CHARS) {
    problems.push(`ADMIN_TOKEN: must be at least ${MIN_ADMIN_TOKEN_CHARS} characters (e.g. openssl rand -hex 32): a short token can be guessed`);
  }
  // A bad PUBLIC_URL is reported by readTelegramUpdates (one message whatever the mode).
  const publicUrl = envString(env, 'PUBLIC_URL');
  return {
    port,
    host: envString(env, 'HTTP_HOST') ?? '0.0.0.0',
    adminToken,
    publicUrl: publicUrl !== null && isAbsoluteHttpUrl(publicUrl) ? publicUrl.replace(/\/+$/, '') : null,
    mcpToken: envString(env, 'MCP_TOKEN'),
  };
}

/** The shortest ADMIN_TOKEN accepted: the status page is reachable by anyone who reaches the port. */
const MIN_ADMIN_TOKEN_CHARS = 16;

/** An absolute http(s) URL that names a host. */
function hasHttpHost(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
}

/**
 * TELEGRAM_UPDATES (`polling` by default, or `webhook`), and for webhooks PUBLIC_URL and
 * TELEGRAM_WEBHOOK_SECRET. That webhook mode also needs HTTP_PORT is checked by `npm start` (the
 * `digest` CLI loads the same environment and never opens a port).
 */
function readTelegramUpdates(env: NodeJS.ProcessEnv, problems: string[]): TelegramUpdatesConfig {
  const mode = envString(env, 'TELEGRAM_UPDATES') ?? 'polling';
  const publicUrl = envString(env, 'PUBLIC_URL');
  const secret = envString(env, 'TELEGRAM_WEBHOOK_SECRET');
  const before = problems.length;
  if (mode !== 'polling' && mode !== 'webhook') problems.push(`TELEGRAM_UPDATES: must be "polling" (the default) or "webhook", not "${mode}"`);
  if (publicUrl !== null && !isAbsoluteHttpUrl(publicUrl)) {
    problems.push('PUBLIC_URL: must be the absolute http(s) URL the load balancer exposes for the bot (e.g. https://bot.example.com), with no query or fragment');
  }
  // Never echo the value: it is a secret.
  if (secret !== null && !WEBHOOK_SECRET.test(secret)) problems.push('TELEGRAM_WEBHOOK_SECRET: must be 1-256 characters of A-Z, a-z, 0-9, _ and - (as Telegram requires)');
  if (mode === 'webhook') {
    if (publicUrl !== null && isPlainHttpElsewhere(publicUrl)) {
      problems.push('PUBLIC_URL: must be https:// with TELEGRAM_UPDATES=webhook (Telegram refuses plain http webhooks; http:// only for 127.0.0.1, localhost or ::1)');
    }
    if (publicUrl === null) problems.push('PUBLIC_URL: required with TELEGRAM_UPDATES=webhook (Telegram posts updates to PUBLIC_URL/telegram/webhook)');
    if (secret === null) problems.push('TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_UPDATES=webhook (e.g. openssl rand -hex 32)');
  }
  if (mode !== 'webhook' || problems.length > before || publicUrl === null || secret === null) return { mode: 'polling' };
  return { mode: 'webhook', publicUrl: publicUrl.replace(/\/+$/, ''), secret };
}

/** An http:// URL to a host other than this machine's loopback. */
function isPlainHttpElsewhere(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function isAbsoluteHttpUrl(text: string): boolean {
  return hasHttpHost(text) && !text.includes('?') && !text.includes('#');
}

/** Values that must never appear in logs or error messages. */
export function secretsOf(
  config: Pick<Config, 'env'> & { http?: Pick<HttpConfig, 'adminToken' | 'mcpToken'>; databaseUrl?: string | null; telegramUpdates?: TelegramUpdatesConfig },
): string[] {
  const databasePassword = config.databaseUrl ? passwordOf(config.databaseUrl) : null;
  const webhookSecret = config.telegramUpdates?.mode === 'webhook' ? config.telegramUpdates.secret : null;
  return [config.env.discordToken, config.env.telegramToken, config.http?.adminToken ?? null, config.http?.mcpToken ?? null, databasePassword, webhookSecret].filter((s): s is string => !!s);
}

/** The password in a database URL (decoded), or null. */
function passwordOf(url: string): string | null {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : null;
  } catch {
    return null;
  }
}

import { randomUUID } from 'node:crypto';
import {
  Client,
  DefaultRestOptions,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  REST,
  Routes,
  type GatewayDispatchPayload,
  type Interaction,
  type RateLimitData,
  type RESTOptions,
} from 'discord.js';
import type { CommandRouter } from '../../commands/types.ts';
import type { Logger } from '../../log.ts';
import { renderDiscordMessages, renderDiscordText } from '../../render/discord.ts';
import { DISCORD_LIMITS } from '../../render/limits.ts';
import type { Digest } from '../../report/digest-types.ts';
import type { Destination, Platform, SendResult } from '../platform.ts';
import { buildSlashCommands } from './command-builders.ts';
import { GlobalPacer } from './global-pacer.ts';
import { answerButton } from './handle-component.ts';
import { answerAutocomplete, answerCommand, type InteractionDeps } from './handle-interaction.ts';
import { postDiscordMessages } from './send-digest.ts';

export interface DiscordPlatformOptions {
  token: string;
  /** REST root for a self-hosted proxy or the test fake (discord.js appends `/v10`); default Discord's. */
  apiBase?: string | null;
  /** Register commands in this guild (instant) instead of globally. */
  guildId?: string | null;
  router: CommandRouter;
  logger: Logger;
  /** User ids that may run owner-only commands (`/repost all`). */
  owners: readonly string[];
  /** Embed colour (config `digest.discordColor`). */
  color?: number;
  /**
   * `gateway` (default): log in, register commands, answer interactions. `rest-only`: only send
   * (the `digest post` CLI); no gateway connection, start() does nothing.
   */
  mode?: 'gateway' | 'rest-only';
  /** See InteractionDeps.replyBudgetMs; default 1,500 ms, half of Discord's 3-second window. */
  replyBudgetMs?: number;
}

/** A rate limit longer than this is surfaced as SendError 'rate-limited' instead of waited out in-process. */
const LONGEST_INLINE_WAIT_MS = 30_000;
const DEFAULT_COLOR = 0x1d9bf0;

/** How many raw interactions' resolved-channel permissions to keep while discord.js handles them. */
const RESOLVED_CACHE = 200;

/**
 * Discord through discord.js: slash commands answered via the neutral router, digests and notices
 * posted with discord.js's REST client (which paces per Discord's rate-limit headers and retries
 * 5xx itself) behind a GlobalPacer that keeps the bot under the global 50/s limit.
 */
export class DiscordPlatform implements Platform {
  readonly name = 'discord' as const;
  readonly #options: DiscordPlatformOptions;
  readonly #client: Client | null;
  readonly #rest: REST;
  readonly #interactionDeps: InteractionDeps;
  /** Caller permissions per picked channel, from the raw INTERACTION_CREATE (discord.js drops them). */
  readonly #resolved = new Map<string, Map<string, string>>();
  #started = false;

  constructor(options: DiscordPlatformOptions) {
    this.#options = options;
    const pacer = new GlobalPacer(DISCORD_LIMITS.globalRequestsPerSecond);
    const restOptions: Partial<RESTOptions> = {
      retries: 2,
      timeout: 15_000,
      // The global limit is kept by the pacer around every network request (timed from Discord's
      // answers); discord.js's own limiter counts fixed seconds from dispatch, which lets uploads
      // of different lengths bunch up on Discord's side, so it is switched off. A global 429, should
      // one come, still stops all requests in discord.js for the `retry_after` given. Per-route
      // buckets stay with discord.js, which reads them from the headers.
      globalRequestsPerSecond: Number.POSITIVE_INFINITY,
      makeRequest: pacer.wrap(DefaultRestOptions.makeRequest),
      rejectOnRateLimit: (data: RateLimitData) => data.retryAfter > LONGEST_INLINE_WAIT_MS,
      ...(options.apiBase ? { api: options.apiBase } : {}),
    };
    if ((options.mode ?? 'gateway') === 'gateway') {
      this.#client = new Client({ intents: [GatewayIntentBits.Guilds], rest: restOptions });
      this.#rest = this.#client.rest;
    } else {
      this.#client = null;
      this.#rest = new REST(restOptions);
    }
    // Sends work before (or without) login.
    this.#rest.setToken(options.token);
    this.#rest.on('rateLimited', (data) =>
      options.logger.debug({ event: 'discord-rate-limited', route: data.route, global: data.global, retryAfterMs: data.retryAfter }, 'waiting for a Discord rate limit'),
    );
    this.#interactionDeps = {
      router: options.router,
      logger: options.logger,
      owners: options.owners,
      color: options.color ?? DEFAULT_COLOR,
      replyBudgetMs: options.replyBudgetMs ?? 1500,
    };
  }

  async start(): Promise<void> {
    const client = this.#client;
    if (!client || this.#started) return;
    this.#started = true;
    const { logger } = this.#options;
    client.on(Events.Error, (error) => logger.error({ event: 'discord-client-error', err: error }, 'discord client error'));
    client.on(Events.ShardDisconnect, (event, shard) => logger.warn({ event: 'discord-shard-disconnect', code: event.code, shard }, 'gateway disconnected'));
    client.on(Events.Raw, (packet: GatewayDispatchPayload) => this.#rememberResolved(packet));
    client.on(Events.InteractionCreate, (interaction) => {
      void this.#onInteraction(interaction);
    });

    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(this.#options.token);
    await ready;
    const applicationId = client.application?.id;
    if (!applicationId) throw new Error('discord: READY carried no application id');
    try {
      await this.#registerCommands(applicationId);
    } catch (error) {
      // Commands registered by an earlier run keep working, and digests do not need them: keep running.
      logger.error({ event: 'discord-commands-not-registered', err: error }, 'could not register slash commands');
    }
    logger.info({ event: 'discord-ready', user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord ready');
  }

  async stop(): Promise<void> {
    this.#started = false;
    if (this.#client) await this.#client.destroy();
    this.#rest.clearHashSweeper();
    this.#rest.clearHandlerSweeper();
  }

  async sendDigest(destination: Destination, digest: Digest, idempotencyKey: string): Promise<SendResult> {
    const rendered = renderDiscordMessages(digest, { color: this.#interactionDeps.color });
    return postDiscordMessages(this.#rest, destination, rendered, idempotencyKey);
  }

  async sendNotice(destination: Destination, text: string): Promise<void> {
    // A notice is not retried by a ledger, so a random key is enough: the nonce only guards discord.js's own retries.
    await postDiscordMessages(this.#rest, destination, renderDiscordText(text), `notice:${randomUUID()}`);
  }

  async #registerCommands(applicationId: string): Promise<void> {
    const body = buildSlashCommands(this.#options.router.definitions);
    const guildId = this.#options.guildId;
    const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
    await this.#rest.put(route, { body });
    this.#options.logger.info({ event: 'discord-commands-registered', scope: guildId ?? 'global', count: body.length }, 'slash commands registered');
  }

  #rememberResolved(packet: GatewayDispatchPayload): void {
    if (packet.t !== GatewayDispatchEvents.InteractionCreate) return;
    const data = packet.d.data as { resolved?: { channels?: Record<string, { permissions?: string }> } } | undefined;
    const channels = data?.resolved?.channels;
    if (!channels) return;
    const permissions = new Map<string, string>();
    for (const [id, channel] of Object.entries(channels)) {
      if (typeof channel.permissions === 'string') permissions.set(id, channel.permissions);
    }
    this.#resolved.set(packet.d.id, permissions);
    if (this.#resolved.size > RESOLVED_CACHE) this.#resolved.delete(this.#resolved.keys().next().value!);
  }

  async #onInteraction(interaction: Interaction): Promise<void> {
    const resolved = this.#resolved.get(interaction.id) ?? new Map<string, string>();
    this.#resolved.delete(interaction.id);
    try {
      if (interaction.isAutocomplete()) await answerAutocomplete(interaction, this.#interactionDeps);
      else if (interaction.isChatInputCommand()) await answerCommand(interaction, this.#interactionDeps, resolved);
      else if (interaction.isButton()) await answerButton(interaction, this.#interactionDeps);
    } catch (error) {
      this.#options.logger.error(
        { event: 'discord-interaction-failed', interaction: interaction.id, type: interaction.type, err: error },
        'could not answer an interaction',
      );
    }
  }
}

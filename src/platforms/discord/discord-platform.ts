import { randomUUID } from 'node:crypto';
import {
  Client,
  DefaultRestOptions,
  DiscordAPIError,
  DiscordjsError,
  DiscordjsErrorCodes,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GuildMember,
  REST,
  Routes,
  Status,
  type GatewayDispatchPayload,
  type Interaction,
  type RateLimitData,
  type RESTOptions,
} from 'discord.js';
import type { CommandRouter } from '../../commands/types.ts';
import type { Logger } from '../../log.ts';
import { renderDiscordText } from '../../render/discord.ts';
import type { DiscordDigestLayout } from '../../render/discord-layout.ts';
import { DISCORD_LIMITS } from '../../render/limits.ts';
import type { Digest } from '../../report/digest-types.ts';
import { DEFAULT_PRESENTATION, PlatformStartError, type Destination, type DigestEditResult, type DigestPresentation, type Platform, type SendDigestOptions, type SendResult, type SentPart } from '../platform.ts';
import { buildSlashCommands } from './command-builders.ts';
import { containPacketErrors } from './contain-packet-errors.ts';
import { DiscordDigestRenderings } from './digest-renderings.ts';
import { inSendLane } from '../send-lane.ts';
import { GlobalPacer } from './global-pacer.ts';
import { answerInteraction } from './answer-interaction.ts';
import type { CachedPermissions, InteractionDeps } from './handle-interaction.ts';
import { answerHttpInteraction, RecentInteractions, type ClaimInteraction, type HttpInteractionAnswer } from './http-interactions.ts';
import { restResponder } from './interaction-responder.ts';
import { readRawInteraction } from './raw-interaction.ts';
import { createDiscordInteractionsReceiver } from './receive-http-interactions.ts';
import { inspectTarget } from './bot-permissions.ts';
import { ChannelFactsCache, kindOfChannelType, type ChannelFacts } from './channel-facts.ts';
import { placeDigest, type PlacementDeps } from './place-digest.ts';
import { postDiscordMessages } from './send-digest.ts';
import { editDiscordMessages } from './edit-digest.ts';
import { DISCORD_INTERACTIONS_PATH, type WebhookRoute } from '../webhook.ts';
import type { PlatformTelemetry } from '../../telemetry.ts';

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
  /** `discord.layout`: digests without a layout of their own, and command replies (default `components`). */
  layout?: DiscordDigestLayout;
  /**
   * `gateway` (default): log in (automatic sharding), register commands, answer interactions.
   * `http`: no gateway connection; register commands through REST and answer the interactions
   * Discord POSTs to the HTTP server (`answerHttpInteraction`). `rest-only`: only send (the
   * `digest post` CLI); start() does nothing.
   */
  mode?: 'gateway' | 'http' | 'rest-only';
  /** DISCORD_PUBLIC_KEY (http mode): checked at start against the application's `verify_key`. */
  publicKey?: string | null;
  /**
   * Http mode: claims each interaction id in the store every instance shares, so a replayed
   * request is refused whichever instance it reaches. Default: this process's memory only.
   */
  claimInteraction?: ClaimInteraction;
  /** See InteractionDeps.replyBudgetMs; default 1,500 ms, half of Discord's 3-second window. */
  replyBudgetMs?: number;
  /** Told of each 429 and each request discord.js sends again (the metrics). */
  telemetry?: PlatformTelemetry;
  /** How long one start() waits for the gateway's READY before calling the attempt failed (default 60 s). */
  startTimeoutMs?: number;
}

/**
 * Gateway close codes after which Discord will not take the connection as configured: the token,
 * the intents or the sharding must change (Discord "Gateway" docs, close event codes).
 */
const REFUSED_CLOSE_CODES: Record<number, string> = {
  4004: 'Discord refused the token (gateway 4004 Authentication failed): check DISCORD_TOKEN',
  4010: 'Discord refused the shard (gateway 4010 Invalid shard)',
  4011: 'Discord requires sharding for this bot (gateway 4011 Sharding required)',
  4012: 'Discord refused the gateway version (gateway 4012 Invalid API version)',
  4013: 'Discord refused the gateway intents (gateway 4013 Invalid intent(s))',
  4014: 'Discord refused the gateway intents (gateway 4014 Disallowed intent(s)): enable them for the bot in the Developer Portal',
};

/** A start-up failure as permanent (the configuration is refused) or transient (retry later). */
function classifyStartError(error: unknown): PlatformStartError {
  if (error instanceof PlatformStartError) return error;
  if (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid) {
    return new PlatformStartError('discord', true, 'Discord refused the token (401 Unauthorized): check DISCORD_TOKEN', { cause: error });
  }
  if (error instanceof DiscordAPIError && error.status === 401) {
    return new PlatformStartError('discord', true, 'Discord refused the token (401 Unauthorized): check DISCORD_TOKEN', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PlatformStartError('discord', false, `cannot reach Discord: ${message.split('\n')[0]}`, { cause: error });
}

/** What a bot token is made of: visible ASCII, no spaces or line breaks. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/** A rate limit longer than this is surfaced as SendError 'rate-limited' instead of waited out in-process. */
const LONGEST_INLINE_WAIT_MS = 30_000;
const DEFAULT_COLOR = 0x1d9bf0;

/** How many raw interaction payloads to keep while discord.js handles them. */
const RAW_CACHE = 200;

/**
 * Discord through discord.js: slash commands answered via the neutral router, digests and notices
 * posted with discord.js's REST client (which paces per Discord's rate-limit headers and retries
 * 5xx itself) behind a GlobalPacer that keeps the bot under the global 50/s limit.
 */
export class DiscordPlatform implements Platform {
  readonly name = 'discord' as const;
  readonly #options: DiscordPlatformOptions;
  /** The gateway connection: a new Client per start attempt (a failed login leaves one unusable). */
  #client: Client | null = null;
  readonly #mode: 'gateway' | 'http' | 'rest-only';
  readonly #clientOptions: ConstructorParameters<typeof Client>[0];
  readonly #rest: REST;
  /** Where digests go and how (channel kinds, forum posts, publishing); see placeDigest. */
  readonly #placement: PlacementDeps;
  readonly #fatalListeners: Array<(error: PlatformStartError) => void> = [];
  readonly #interactionDeps: InteractionDeps;
  /**
   * The raw INTERACTION_CREATE payloads by id: the handlers read the interaction as Discord sent it
   * (as over HTTP), discord.js's own object only serves to check the event was well-formed and
   * to reach its cache.
   */
  readonly #raw = new Map<string, unknown>();
  /** Claims interactions taken over HTTP (a replayed request is refused). */
  readonly #claimHttp: ClaimInteraction;
  #started = false;
  /** Digest renderings per fan-out (see DiscordDigestRenderings). */
  #renderings: DiscordDigestRenderings | null = null;
  /**
   * Http mode: `POST /discord/interactions` for the HTTP server to mount (signature checked here,
   * then answerHttpInteraction). Null in the other modes.
   */
  readonly webhookRoute: WebhookRoute | null;

  constructor(options: DiscordPlatformOptions) {
    this.#options = options;
    const recent = new RecentInteractions();
    this.#claimHttp = options.claimInteraction ?? ((id) => Promise.resolve(recent.firstTime(id)));
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
      makeRequest: pacer.wrap(options.telemetry ? observeRequests(DefaultRestOptions.makeRequest, options.telemetry) : DefaultRestOptions.makeRequest),
      rejectOnRateLimit: (data: RateLimitData) => data.retryAfter > LONGEST_INLINE_WAIT_MS,
      ...(options.apiBase ? { api: options.apiBase } : {}),
    };
    this.#mode = options.mode ?? 'gateway';
    // `shards: 'auto'`: as many connections as Discord's GET /gateway/bot recommends, so a bot in
    // more than 2,500 servers (where one connection is refused with 4011) still connects.
    this.#clientOptions = { intents: [GatewayIntentBits.Guilds], rest: restOptions, shards: 'auto' };
    // One REST client for everything (sends, command registration, interaction replies), whichever
    // gateway Client is current, so per-route buckets and a global 429 are tracked in one place.
    this.#rest = new REST(restOptions);
    // Sends work before (or without) login.
    this.#rest.setToken(options.token);
    // Opening a forum post has no nonce: its request is never repeated by discord.js (see ForumDeps).
    const restOnce = new REST({ ...restOptions, retries: 0 }).setToken(options.token);
    let botUserId: Promise<string> | null = null;
    this.#placement = {
      rest: this.#rest,
      restOnce,
      channels: new ChannelFactsCache(this.#rest, Date.now, (channelId) => this.#cachedChannelFacts(channelId)),
      botUserId: () => {
        const known = this.#client?.user?.id;
        if (known) return Promise.resolve(known);
        botUserId ??= (this.#rest.get(Routes.user()) as Promise<{ id: string }>).then((user) => user.id);
        // A failed lookup is asked again next time.
        botUserId.catch(() => (botUserId = null));
        return botUserId;
      },
    };
    this.#rest.on('rateLimited', (data) =>
      options.logger.debug({ event: 'discord-rate-limited', route: data.route, global: data.global, retryAfterMs: data.retryAfter }, 'waiting for a Discord rate limit'),
    );
    this.#interactionDeps = {
      router: options.router,
      logger: options.logger,
      owners: options.owners,
      color: options.color ?? DEFAULT_COLOR,
      layout: options.layout ?? 'components',
      replyBudgetMs: options.replyBudgetMs ?? 1500,
      inspect: (target, withImage, known) =>
        inspectTarget({ ...this.#placement, cached: (channelId) => this.#cachedBotPermissions(channelId) }, target, withImage, known),
    };
    const publicKey = options.publicKey;
    this.webhookRoute =
      this.#mode === 'http' && publicKey
        ? {
            path: DISCORD_INTERACTIONS_PATH,
            handler: createDiscordInteractionsReceiver({ publicKey, answer: (payload) => this.answerHttpInteraction(payload), logger: options.logger }),
          }
        : null;
  }

  /**
   * Logs in to the gateway and registers the slash commands; resolves on READY. A token Discord
   * refuses (401, gateway 4004) or intents it disallows reject with a permanent
   * PlatformStartError; an unreachable or hanging Discord with a transient one, after which
   * start() may be called again (each attempt gets a fresh gateway client).
   */
  async start(): Promise<void> {
    if (this.#mode === 'rest-only' || this.#started) return;
    // Not a token Discord could ever accept, and not worth retrying: the HTTP client refuses such a
    // header before any request, which would otherwise look like a network error, retried forever.
    if (!TOKEN_CHARACTERS.test(this.#options.token)) {
      throw new PlatformStartError('discord', true, 'DISCORD_TOKEN contains a line break, a space or another character no token has: copy it again (Developer Portal → Bot → Reset Token)');
    }
    if (this.#mode === 'http') return this.#startHttp();
    const { logger } = this.#options;
    const client = new Client(this.#clientOptions);
    // The shared REST client (see the constructor) also answers interactions; the Client's own is dropped.
    client.rest.clearHashSweeper();
    client.rest.clearHandlerSweeper();
    client.rest = this.#rest;
    this.#client = client;
    containPacketErrors(client, logger);
    let starting = true;
    let refused: (error: PlatformStartError) => void = () => undefined;
    const refusal = new Promise<never>((_, reject) => (refused = reject));
    refusal.catch(() => undefined);
    client.on(Events.Error, (error) => logger.error({ event: 'discord-client-error', err: error }, 'discord client error'));
    client.on(Events.ShardDisconnect, (event, shard) => {
      const reason = REFUSED_CLOSE_CODES[event.code];
      logger.warn({ event: 'discord-shard-disconnect', code: event.code, shard }, 'gateway disconnected');
      if (reason === undefined) return;
      // discord.js does not reconnect after these codes: during start it is a refused
      // configuration; later it would leave the bot half-alive, so the owner of the process is told.
      const error = new PlatformStartError('discord', true, reason);
      if (starting) refused(error);
      else for (const listener of this.#fatalListeners) listener(error);
    });
    client.on(Events.Raw, (packet: GatewayDispatchPayload) => this.#rememberRaw(packet));
    client.on(Events.InteractionCreate, (interaction) => {
      void this.#onInteraction(interaction);
    });

    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.#options.startTimeoutMs ?? 60_000;
    const slow = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PlatformStartError('discord', false, `no READY from the Discord gateway within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    try {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await Promise.race([client.login(this.#options.token).then(() => ready), refusal, slow]);
    } catch (error) {
      await this.#discard(client);
      throw classifyStartError(error);
    } finally {
      clearTimeout(timer);
      starting = false;
    }
    this.#started = true;
    const applicationId = client.application?.id;
    if (!applicationId) {
      await this.#discard(client);
      throw new PlatformStartError('discord', false, 'READY carried no application id');
    }
    try {
      await this.#registerCommands(applicationId);
    } catch (error) {
      // Commands registered by an earlier run keep working, and digests do not need them: keep running.
      logger.error({ event: 'discord-commands-not-registered', err: error }, 'could not register slash commands');
    }
    logger.info({ event: 'discord-ready', user: client.user?.tag, guilds: client.guilds.cache.size, shards: client.ws.shards.size }, 'discord ready');
  }

  /**
   * HTTP interactions: no gateway connection. The application (its id for registration, its
   * `verify_key` to check DISCORD_PUBLIC_KEY against) comes from REST, which also checks the token.
   */
  async #startHttp(): Promise<void> {
    const { logger } = this.#options;
    let application: { id?: unknown; verify_key?: unknown };
    try {
      application = (await this.#rest.get(Routes.currentApplication())) as { id?: unknown; verify_key?: unknown };
    } catch (error) {
      throw classifyStartError(error);
    }
    if (typeof application.id !== 'string') throw new PlatformStartError('discord', false, 'GET /applications/@me carried no application id');
    const publicKey = this.#options.publicKey;
    if (publicKey && typeof application.verify_key === 'string' && application.verify_key.toLowerCase() !== publicKey.toLowerCase()) {
      throw new PlatformStartError('discord', true, "DISCORD_PUBLIC_KEY is not this application's public key (Developer Portal → General Information → Public Key)");
    }
    try {
      await this.#registerCommands(application.id);
    } catch (error) {
      logger.error({ event: 'discord-commands-not-registered', err: error }, 'could not register slash commands');
    }
    this.#started = true;
    logger.info({ event: 'discord-ready', interactions: 'http', application: application.id }, 'discord ready (HTTP interactions, no gateway connection)');
  }

  /**
   * Answers an interaction Discord POSTed to `/discord/interactions` (signature already verified):
   * the HTTP answer, within Discord's 3 seconds; edits and follow-ups go on through REST.
   */
  answerHttpInteraction(payload: unknown): Promise<HttpInteractionAnswer> {
    return answerHttpInteraction(payload, this.#rest, this.#interactionDeps, this.#options.logger, this.#claimHttp);
  }

  /** Started, and (gateway mode) the gateway connection is up, not reconnecting. */
  connected(): boolean {
    if (!this.#started) return false;
    return this.#mode !== 'gateway' || this.#client?.ws.status === Status.Ready;
  }

  onFatalError(listener: (error: PlatformStartError) => void): void {
    this.#fatalListeners.push(listener);
  }

  async stop(): Promise<void> {
    this.#started = false;
    if (this.#client) await this.#client.destroy();
    this.#client = null;
    this.#rest.clearHashSweeper();
    this.#rest.clearHandlerSweeper();
    this.#placement.restOnce.clearHashSweeper();
    this.#placement.restOnce.clearHandlerSweeper();
  }

  /** Drops a gateway client whose start failed; the REST client keeps its token for sends. */
  async #discard(client: Client): Promise<void> {
    this.#started = false;
    await client.destroy().catch(() => undefined);
    if (this.#client === client) this.#client = null;
    // Client.destroy() clears the token of the (shared) REST client.
    this.#rest.setToken(this.#options.token);
  }

  async sendDigest(destination: Destination, digest: Digest, idempotencyKey: string, options: SendDigestOptions = {}): Promise<SendResult> {
    this.#renderings ??= new DiscordDigestRenderings(this.#interactionDeps.color, this.#interactionDeps.layout);
    const rendered = this.#renderings.messagesFor(digest, options.presentation ?? DEFAULT_PRESENTATION);
    // A digest to a subscriber waits in the bulk lane, even when a reader's /repost started it.
    return inSendLane('bulk', () => placeDigest(this.#placement, destination, digest, rendered, idempotencyKey, options));
  }

  async editDigest(destination: Destination, digest: Digest, delivered: readonly SentPart[], presentation?: DigestPresentation): Promise<DigestEditResult> {
    this.#renderings ??= new DiscordDigestRenderings(this.#interactionDeps.color, this.#interactionDeps.layout);
    const rendered = this.#renderings.messagesFor(digest, presentation ?? DEFAULT_PRESENTATION);
    // A forum's digest lives in the post it opened; a channel that cannot be looked up is edited as is (and says why it cannot be).
    const inForumPost = destination.threadId === null && (await this.#placement.channels.get(destination.chatId).catch(() => null))?.kind === 'forum';
    const result = await editDiscordMessages(this.#rest, destination, rendered, delivered, inForumPost);
    const line = { event: 'discord-digest-edited', destination: destination.chatId, slug: digest.slug, outcome: result.status, edited: result.edited };
    if (result.status === 'edited') this.#options.logger.info(line, 'digest corrected in place');
    else this.#options.logger.warn({ ...line, reason: result.reason }, 'a delivered digest could not be corrected in place');
    return result;
  }

  async sendNotice(destination: Destination, text: string): Promise<void> {
    // A notice is not retried by a ledger, so a random key is enough: the nonce only guards discord.js's own retries.
    await postDiscordMessages(this.#rest, destination, renderDiscordText(text), `notice:${randomUUID()}`);
  }

  /** A guild channel as the gateway's cache holds it (what sending needs: kind, guild, tags), or null. */
  #cachedChannelFacts(channelId: string): ChannelFacts | null {
    const channel = this.#client?.channels.cache.get(channelId);
    if (!channel || channel.isDMBased()) return null;
    return {
      id: channel.id,
      kind: kindOfChannelType(channel.type),
      type: channel.type,
      guildId: channel.guildId,
      parentId: channel.parentId,
      availableTags: 'availableTags' in channel ? channel.availableTags.map((t) => ({ id: t.id, name: t.name })) : [],
      // Only inspectTarget reads overwrites, and it asks Discord afresh (ChannelFactsCache.refresh).
      permissionOverwrites: [],
    };
  }

  /** The bot's permissions in a channel from the gateway's cache (overwrites and its roles), or null. */
  #cachedBotPermissions(channelId: string): bigint | null {
    const client = this.#client;
    const channel = client?.channels.cache.get(channelId);
    if (!client?.user || !channel || channel.isDMBased() || !('permissionsFor' in channel)) return null;
    return channel.permissionsFor(client.user)?.bitfield ?? null;
  }

  async #registerCommands(applicationId: string): Promise<void> {
    const body = buildSlashCommands(this.#options.router.definitions);
    const guildId = this.#options.guildId;
    const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
    await this.#rest.put(route, { body });
    this.#options.logger.info({ event: 'discord-commands-registered', scope: guildId ?? 'global', count: body.length }, 'slash commands registered');
  }

  #rememberRaw(packet: GatewayDispatchPayload): void {
    if (packet.t !== GatewayDispatchEvents.InteractionCreate) return;
    // Runs inside discord.js's WebSocket handler, outside the packet guard: read the raw event
    // defensively, a malformed one must not throw here either.
    const d = packet.d as { id?: unknown } | null;
    if (typeof d?.id !== 'string') return;
    this.#raw.set(d.id, d);
    if (this.#raw.size > RAW_CACHE) this.#raw.delete(this.#raw.keys().next().value!);
  }

  async #onInteraction(interaction: Interaction): Promise<void> {
    const raw = readRawInteraction(this.#raw.get(interaction.id));
    this.#raw.delete(interaction.id);
    if (raw === null) {
      this.#options.logger.warn({ event: 'discord-interaction-unread', interaction: interaction.id }, 'no raw payload for an interaction');
      return;
    }
    try {
      await answerInteraction(raw, restResponder(this.#rest, raw), this.#interactionDeps, cachedPermissions(interaction));
    } catch (error) {
      this.#options.logger.error(
        { event: 'discord-interaction-failed', interaction: interaction.id, type: interaction.type, err: error },
        'could not answer an interaction',
      );
    }
  }
}

/**
 * The caller's permissions in a channel from discord.js's gateway cache (channel overwrites and
 * the member's roles), for a target neither current nor picked with an option.
 */
function cachedPermissions(interaction: Interaction): CachedPermissions {
  return (channelId) => {
    const channel = interaction.client.channels.cache.get(channelId);
    const member = interaction.member;
    if (!channel || channel.isDMBased() || !('permissionsFor' in channel) || !(member instanceof GuildMember)) return null;
    return channel.permissionsFor(member)?.bitfield ?? null;
  };
}

/**
 * Wraps discord.js's network call to report what it will act on: a 429 (waited out and sent
 * again, unless longer than LONGEST_INLINE_WAIT_MS), a 5xx or a network failure (sent again
 * within `retries`). Changes nothing about the request.
 */
function observeRequests(makeRequest: RESTOptions['makeRequest'], telemetry: PlatformTelemetry): RESTOptions['makeRequest'] {
  return async (url, init) => {
    let response: Awaited<ReturnType<RESTOptions['makeRequest']>>;
    try {
      response = await makeRequest(url, init);
    } catch (error) {
      telemetry.sendRetried('discord');
      throw error;
    }
    if (response.status === 429) {
      telemetry.rateLimited('discord');
      telemetry.sendRetried('discord');
    } else if (response.status >= 500) {
      telemetry.sendRetried('discord');
    }
    return response;
  };
}

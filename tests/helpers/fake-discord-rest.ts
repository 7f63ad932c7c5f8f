import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowedMentionsProblem, pingsOf } from './fake-discord-mentions.ts';
import { DISCORD_LIMITS } from '../../src/render/limits.ts';
import type { FakeDiscordState, PendingInteraction, RecordedFile } from './fake-discord-state.ts';
import { activeThreads, crosspost, guildMember, guildRoles, openForumPost, plainMessageRefusal } from './fake-discord-forums.ts';
import { FakeRateLimits } from './fake-discord-rate-limits.ts';
import { IS_COMPONENTS_V2, validateCommands, validateMessage, type FakeRefusal } from './fake-discord-validate.ts';

/** Routes of the fake, named as `failNext` takes them. */
export type FakeRoute =
  | 'GET /gateway/bot'
  | 'GET /users/@me'
  | 'GET /applications/@me'
  | 'PUT /applications/:app/commands'
  | 'PUT /applications/:app/guilds/:guild/commands'
  | 'GET /channels/:id'
  | 'POST /channels/:id/messages'
  | 'POST /channels/:id/threads'
  | 'POST /channels/:id/messages/:message/crosspost'
  | 'GET /guilds/:id/threads/active'
  | 'GET /guilds/:id/roles'
  | 'GET /guilds/:id/members/:user'
  | 'PATCH /channels/:id/messages/:message'
  | 'POST /interactions/:id/:token/callback'
  | 'POST /webhooks/:app/:token'
  | 'PATCH /webhooks/:app/:token/messages/@original'
  | 'GET /webhooks/:app/:token/messages/@original'
  | 'DELETE /webhooks/:app/:token/messages/@original';

/** A scripted failure: the next `times` matching requests get `status` (and Discord's `code`). */
export interface FaultSpec {
  channelId?: string;
  times?: number;
  status: 500 | 502 | 503 | 403 | 404 | 429;
  code?: number;
  /** Seconds, for 429. */
  retryAfter?: number;
  /** Let this many matching requests through before failing (e.g. fail the second message of a digest). */
  after?: number;
  /**
   * Carry the request out, then answer `status` anyway: Discord has it, the bot never learns so
   * (an answer lost on the way back, as when the bot dies the moment Discord accepts).
   */
  loseAnswer?: boolean;
}

interface Request {
  method: string;
  path: string;
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  files: RecordedFile[];
  /** The `<tag>` of a `/client/<tag>` prefix, or null. */
  client: string | null;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface RouteSpec {
  key: FakeRoute;
  method: string;
  pattern: RegExp;
  /** Bot-token routes; interaction and webhook-token routes carry no Authorization and skip the global limit. */
  auth: boolean;
  bucket: { hash: string; limit: number; windowMs: number; major(params: string[]): string };
  handle(req: Request): Reply | Promise<Reply>;
}

/** How long `enforce_nonce` remembers a nonce ("a few minutes" in the docs). */
const NONCE_WINDOW_MS = 5 * 60 * 1000;

/** Generic per-route bucket for routes Discord does not document tighter limits for. */
const GENERIC = { limit: 50, windowMs: 1000 };

/**
 * The REST half of the fake: routes, Discord's validation and error codes, rate-limit buckets and
 * headers, scripted faults, and recordings in the shared state.
 */
export class FakeDiscordRest {
  readonly #routes: RouteSpec[];
  readonly #faults = new Map<FakeRoute, FaultSpec[]>();
  readonly #limits: FakeRateLimits;
  readonly #nonces = new Map<string, { at: number; payload: Record<string, unknown> }>();

  constructor(
    private readonly state: FakeDiscordState,
    private readonly options: { enforceRateLimits: boolean; gatewayUrl: () => string; verifyKey: string },
  ) {
    this.#routes = this.#buildRoutes();
    this.#limits = new FakeRateLimits(options.enforceRateLimits);
  }

  failNext(route: FakeRoute, spec: FaultSpec): void {
    const list = this.#faults.get(route) ?? [];
    list.push({ ...spec, times: spec.times ?? 1 });
    this.#faults.set(route, list);
  }

  /** Node request handler for everything under `/api/v10`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pathname = decodeURIComponent(url.pathname);
    const client = /^\/client\/([\w-]+)\//.exec(pathname)?.[1] ?? null;
    const path = pathname.replace(/^\/client\/[\w-]+/, '').replace(/^\/api\/v\d+/, '');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let status = 500;
    try {
      const match = this.#match(method, path);
      if (!match) {
        status = 404;
        send(res, 404, { code: 0, message: '404: Not Found' });
        return;
      }
      const { route, params } = match;
      if (route.auth && req.headers.authorization !== `Bot ${this.state.token}`) {
        status = 401;
        send(res, 401, { code: 0, message: '401: Unauthorized' });
        return;
      }
      const headers: Record<string, string> = {};
      const limited = this.#limits.check(route.auth, { ...route.bucket, major: route.bucket.major(params) }, headers);
      if (limited) {
        status = 429;
        this.state.rateLimited += 1;
        send(res, 429, limited, headers);
        return;
      }
      const fault = this.#takeFault(route.key, params);
      if (fault && !fault.loseAnswer) {
        status = fault.status;
        if (fault.status === 429) {
          this.state.rateLimited += 1;
          const retryAfter = fault.retryAfter ?? 0.1;
          headers['Retry-After'] = String(Math.ceil(retryAfter));
          headers['X-RateLimit-Scope'] = 'user';
          send(res, 429, { message: 'You are being rate limited.', retry_after: retryAfter, global: false }, headers);
        } else {
          send(res, fault.status, faultBody(fault), headers);
        }
        return;
      }
      const parsed = await parseBody(req, raw);
      const reply = await route.handle({ method, path, params, query: url.searchParams, body: parsed.body, files: parsed.files, client });
      if (fault?.loseAnswer) {
        status = fault.status;
        send(res, fault.status, faultBody(fault), headers);
        return;
      }
      status = reply.status;
      send(res, reply.status, reply.body, { ...headers, ...reply.headers });
    } catch (error) {
      status = 500;
      send(res, 500, { code: 0, message: `fake discord: ${(error as Error).message}` });
    } finally {
      this.state.calls.push({ method, path, status });
      this.state.changed();
    }
  }

  #match(method: string, path: string): { route: RouteSpec; params: string[] } | null {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (m) return { route, params: m.slice(1) };
    }
    return null;
  }

  #takeFault(route: FakeRoute, params: string[]): FaultSpec | null {
    const list = this.#faults.get(route);
    if (!list) return null;
    const index = list.findIndex((f) => f.channelId === undefined || f.channelId === params[0]);
    if (index < 0) return null;
    const fault = list[index]!;
    if ((fault.after ?? 0) > 0) {
      fault.after = (fault.after ?? 0) - 1;
      return null;
    }
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) list.splice(index, 1);
    return fault;
  }

  #buildRoutes(): RouteSpec[] {
    const state = this.state;
    const generic = (hash: string, major: (p: string[]) => string = () => ''): RouteSpec['bucket'] => ({ hash, ...GENERIC, major });
    return [
      {
        key: 'GET /gateway/bot',
        method: 'GET',
        pattern: /^\/gateway\/bot$/,
        auth: true,
        bucket: generic('gateway-bot'),
        handle: () => ({
          status: 200,
          body: {
            url: this.options.gatewayUrl(),
            shards: state.requiredShards,
            // max_concurrency as high as the shard count: every shard may identify at once (Discord
            // grants large bots a higher figure); with 1, discord.js spaces identifies 5 s apart.
            session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: Math.max(1, state.requiredShards) },
          },
        }),
      },
      {
        key: 'GET /users/@me',
        method: 'GET',
        pattern: /^\/users\/@me$/,
        auth: true,
        bucket: generic('users-me'),
        handle: () => ({ status: 200, body: state.botUser() }),
      },
      {
        key: 'GET /applications/@me',
        method: 'GET',
        pattern: /^\/applications\/@me$/,
        auth: true,
        bucket: generic('applications-me'),
        handle: () => ({ status: 200, body: { id: state.applicationId, name: 'AI Digest', flags: 0, bot_public: true, description: '', verify_key: this.options.verifyKey } }),
      },
      {
        key: 'PUT /applications/:app/commands',
        method: 'PUT',
        pattern: /^\/applications\/(\d+)\/commands$/,
        auth: true,
        bucket: generic('app-commands'),
        handle: (req) => this.#registerCommands(req.params[0]!, 'global', req.body),
      },
      {
        key: 'PUT /applications/:app/guilds/:guild/commands',
        method: 'PUT',
        pattern: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
        auth: true,
        bucket: generic('guild-commands', (p) => p[1] ?? ''),
        handle: (req) => this.#registerCommands(req.params[0]!, req.params[1]!, req.body),
      },
      {
        key: 'GET /channels/:id',
        method: 'GET',
        pattern: /^\/channels\/(\d+)$/,
        auth: true,
        bucket: generic('get-channel', (p) => p[0] ?? ''),
        handle: (req) => {
          const channel = state.channel(req.params[0]!);
          if (!channel) return refusal({ status: 404, body: { code: 10003, message: 'Unknown Channel' } });
          if (channel.state === 'noAccess') return refusal({ status: 403, body: { code: 50001, message: 'Missing Access' } });
          return { status: 200, body: state.channelPayload(channel) };
        },
      },
      {
        key: 'POST /channels/:id/messages',
        method: 'POST',
        pattern: /^\/channels\/(\d+)\/messages$/,
        auth: true,
        bucket: {
          hash: 'channel-messages',
          limit: DISCORD_LIMITS.channelMessagesPerWindow,
          windowMs: DISCORD_LIMITS.channelWindowMs,
          major: (p) => p[0] ?? '',
        },
        handle: (req) => this.#createMessage(req),
      },
      {
        key: 'POST /channels/:id/threads',
        method: 'POST',
        pattern: /^\/channels\/(\d+)\/threads$/,
        auth: true,
        bucket: generic('channel-threads', (p) => p[0] ?? ''),
        handle: (req) => openForumPost(state, req.params[0]!, req.body, req.files, req.client),
      },
      {
        key: 'POST /channels/:id/messages/:message/crosspost',
        method: 'POST',
        pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/crosspost$/,
        auth: true,
        bucket: generic('channel-crosspost', (p) => p[0] ?? ''),
        handle: (req) => crosspost(state, req.params[0]!, req.params[1]!),
      },
      {
        key: 'GET /guilds/:id/threads/active',
        method: 'GET',
        pattern: /^\/guilds\/(\d+)\/threads\/active$/,
        auth: true,
        bucket: generic('guild-active-threads', (p) => p[0] ?? ''),
        handle: (req) => activeThreads(state, req.params[0]!),
      },
      {
        key: 'GET /guilds/:id/roles',
        method: 'GET',
        pattern: /^\/guilds\/(\d+)\/roles$/,
        auth: true,
        bucket: generic('guild-roles', (p) => p[0] ?? ''),
        handle: (req) => guildRoles(state, req.params[0]!),
      },
      {
        key: 'GET /guilds/:id/members/:user',
        method: 'GET',
        pattern: /^\/guilds\/(\d+)\/members\/(\d+)$/,
        auth: true,
        bucket: generic('guild-member', (p) => p[0] ?? ''),
        handle: (req) => guildMember(state, req.params[0]!, req.params[1]!),
      },
      {
        key: 'PATCH /channels/:id/messages/:message',
        method: 'PATCH',
        pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
        auth: true,
        bucket: generic('channel-message-edit', (p) => p[0] ?? ''),
        handle: (req) => this.#editMessage(req),
      },
      {
        key: 'POST /interactions/:id/:token/callback',
        method: 'POST',
        pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
        auth: false,
        bucket: generic('interaction-callback', (p) => p[0] ?? ''),
        handle: (req) => this.#interactionCallback(req),
      },
      {
        key: 'POST /webhooks/:app/:token',
        method: 'POST',
        pattern: /^\/webhooks\/(\d+)\/([^/]+)$/,
        auth: false,
        bucket: generic('webhook', (p) => p[1] ?? ''),
        handle: (req) => this.#followup(req, 'followup'),
      },
      {
        key: 'PATCH /webhooks/:app/:token/messages/@original',
        method: 'PATCH',
        pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/,
        auth: false,
        bucket: generic('webhook-edit', (p) => p[1] ?? ''),
        handle: (req) => this.#followup(req, 'edit-original'),
      },
      {
        key: 'GET /webhooks/:app/:token/messages/@original',
        method: 'GET',
        pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/,
        auth: false,
        bucket: generic('webhook-get', (p) => p[1] ?? ''),
        handle: (req) => {
          const interaction = this.#byToken(req.params[0]!, req.params[1]!);
          if (!interaction?.originalId) return refusal({ status: 404, body: { code: 10008, message: 'Unknown Message' } });
          return { status: 200, body: state.messagePayload(interaction.originalId, interaction.channelId, {}, []) };
        },
      },
      {
        key: 'DELETE /webhooks/:app/:token/messages/@original',
        method: 'DELETE',
        pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/,
        auth: false,
        bucket: generic('webhook-delete', (p) => p[1] ?? ''),
        handle: (req) => {
          const interaction = this.#byToken(req.params[0]!, req.params[1]!);
          if (!interaction?.originalId) return refusal({ status: 404, body: { code: 10008, message: 'Unknown Message' } });
          this.state.followups.push({ kind: 'delete-original', interactionId: interaction.id, id: interaction.originalId, body: {}, files: [] });
          return { status: 204, body: null };
        },
      },
    ];
  }

  #registerCommands(appId: string, scope: string, body: unknown): Reply {
    if (appId !== this.state.applicationId) return refusal({ status: 403, body: { code: 50001, message: 'Missing Access' } });
    if (scope !== 'global' && !this.state.guilds.some((g) => g.id === scope)) {
      return refusal({ status: 403, body: { code: 50001, message: 'Missing Access' } });
    }
    const invalid = validateCommands(body);
    if (invalid) return refusal(invalid);
    const commands = (body as Record<string, unknown>[]).map((c) => ({
      ...c,
      id: this.state.nextId(),
      application_id: appId,
      version: this.state.nextId(),
      type: c['type'] ?? 1,
      ...(scope === 'global' ? {} : { guild_id: scope }),
    }));
    const existing = this.state.registeredCommands.findIndex((s) => s.scope === scope);
    if (existing >= 0) this.state.registeredCommands.splice(existing, 1);
    this.state.registeredCommands.push({ scope, commands });
    return { status: 200, body: commands };
  }

  #createMessage(req: Request): Reply {
    const channelId = req.params[0]!;
    const channel = this.state.channel(channelId);
    if (!channel) return refusal({ status: 404, body: { code: 10003, message: 'Unknown Channel' } });
    if (channel.state === 'noAccess') return refusal({ status: 403, body: { code: 50001, message: 'Missing Access' } });
    if (channel.state === 'forbidden') return refusal({ status: 403, body: { code: 50013, message: 'Missing Permissions' } });
    const notText = plainMessageRefusal(this.state, channelId);
    if (notText) return notText;
    const invalid = validateMessage(req.body, req.files);
    if (invalid) return refusal(invalid);
    const mentionProblem = allowedMentionsProblem(req.body);
    if (mentionProblem) {
      return refusal({ status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: { allowed_mentions: { _errors: [{ code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', message: mentionProblem }] } } } });
    }

    const nonce = req.body['nonce'];
    const nonceKey = nonce === undefined ? null : `${channelId}:${String(nonce)}`;
    const now = Date.now();
    if (nonceKey && req.body['enforce_nonce'] === true) {
      const seen = this.#nonces.get(nonceKey);
      if (seen && now - seen.at < NONCE_WINDOW_MS) return { status: 200, body: seen.payload };
    }
    const id = this.state.nextId();
    const payload = this.state.messagePayload(id, channelId, req.body, req.files);
    if (nonceKey) this.#nonces.set(nonceKey, { at: now, payload });
    this.state.messages.push({
      id,
      channelId,
      body: req.body,
      files: req.files,
      nonce: nonce === undefined ? null : String(nonce),
      pings: pingsOf(req.body),
      client: req.client,
      time: now,
    });
    return { status: 200, body: payload };
  }

  /**
   * Edits a message the bot posted, as Discord does: an unknown (or deleted) message is 10008, the
   * edited message must still be valid as a whole (the fields sent replace the stored ones), and
   * an explicit `attachments` list keeps only the files it names, the new uploads included.
   */
  #editMessage(req: Request): Reply {
    const [channelId, messageId] = [req.params[0]!, req.params[1]!];
    const channel = this.state.channel(channelId);
    if (!channel) return refusal({ status: 404, body: { code: 10003, message: 'Unknown Channel' } });
    if (channel.state === 'noAccess') return refusal({ status: 403, body: { code: 50001, message: 'Missing Access' } });
    const message = this.state.messages.find((m) => m.id === messageId && m.channelId === channelId);
    if (!message) return refusal({ status: 404, body: { code: 10008, message: 'Unknown Message' } });
    const flags = Number(req.body['flags'] ?? 0);
    if (flags & (1 << 12)) {
      return refusal({ status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: { flags: { _errors: [{ code: 'MESSAGE_FLAGS_INVALID', message: 'Invalid flags' }] } } } });
    }
    const merged: Record<string, unknown> = { ...message.body, ...req.body };
    delete merged['nonce'];
    delete merged['enforce_nonce'];
    const files = req.body['attachments'] === undefined ? message.files : req.files;
    const invalid = validateMessage(merged, files);
    if (invalid) return refusal(invalid);
    message.body = merged;
    message.files = files;
    this.state.messageEdits.push({ id: messageId, channelId, body: req.body, files: req.files, time: Date.now() });
    return { status: 200, body: this.state.messagePayload(messageId, channelId, merged, files) };
  }

  #interactionCallback(req: Request): Reply {
    const interaction = this.state.interactions.get(req.params[0]!);
    if (!interaction || interaction.token !== req.params[1]) return refusal({ status: 404, body: { code: 10062, message: 'Unknown interaction' } });
    const reply = this.acknowledge(interaction, Number(req.body['type']), (req.body['data'] ?? null) as Record<string, unknown> | null, req.files);
    if (reply.status !== 200 || req.query.get('with_response') !== 'true') return reply.status === 200 ? { status: 204, body: null } : reply;
    return {
      status: 200,
      body: {
        interaction: { id: interaction.id, type: interaction.type, response_message_loading: reply.type === 5, response_message_ephemeral: false },
        resource: interaction.originalId
          ? { type: reply.type, message: this.state.messagePayload(interaction.originalId, interaction.channelId, reply.data ?? {}, req.files) }
          : { type: reply.type },
      },
    };
  }

  /**
   * Takes the first response to an interaction, from the callback route or (HTTP interactions)
   * from the bot's answer to Discord's POST: Discord's validation, the 3-second window, one
   * response only. 200 when taken (then recorded), else Discord's refusal.
   */
  acknowledge(interaction: PendingInteraction, type: number, data: Record<string, unknown> | null, files: RecordedFile[]): Reply & { type: number; data: Record<string, unknown> | null } {
    const answer = (reply: Reply) => ({ ...reply, type, data });
    const unknown = answer(refusal({ status: 404, body: { code: 10062, message: 'Unknown interaction' } }));
    if (interaction.failed) return unknown;
    const afterMs = Date.now() - interaction.dispatchedAt;
    if (afterMs > DISCORD_LIMITS.interactionAnswerMs) return unknown;
    if (interaction.responded) {
      return answer(refusal({ status: 400, body: { code: 40060, message: 'Interaction has already been acknowledged.' } }));
    }
    if (type === 4) {
      const invalid = validateMessage(data ?? {}, files);
      if (invalid) return answer(refusal(invalid));
    } else if (type === 8) {
      const choices = data?.['choices'];
      if (!Array.isArray(choices) || choices.length > DISCORD_LIMITS.autocompleteChoices) {
        return answer(refusal({
          status: 400,
          body: {
            code: 50035,
            message: 'Invalid Form Body',
            errors: { data: { choices: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${DISCORD_LIMITS.autocompleteChoices} or fewer in length.` }] } } },
          },
        }));
      }
    } else if (type === 6 || type === 7) {
      // Updating the message a component is on only answers a component interaction (type 3).
      if (interaction.type !== 3) {
        return answer(refusal({ status: 400, body: { code: 40004, message: 'Interaction response type is not valid for this interaction type' } }));
      }
      if (type === 7) {
        const invalid = validateMessage(asUpdateOf(interaction, data ?? {}), files, false);
        if (invalid) return answer(refusal(invalid));
      }
    } else if (![5, 9].includes(type)) {
      return answer(refusal({ status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: { type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of (1, 4, 5, 6, 7, 8, 9, 10, 12).' }] } } } }));
    }
    interaction.responded = true;
    interaction.responseType = type;
    if (type === 4 || type === 5) interaction.originalId = this.state.nextId();
    // After an update (or a deferred one), @original is the message the component is on.
    else if ((type === 6 || type === 7) && interaction.messageId) interaction.originalId = interaction.messageId;
    this.state.interactionResponses.push({ interactionId: interaction.id, type, data, files, afterMs });
    return answer({ status: 200, body: null });
  }

  #byToken(appId: string, token: string): PendingInteraction | undefined {
    if (appId !== this.state.applicationId) return undefined;
    return [...this.state.interactions.values()].find((i) => i.token === token);
  }

  #followup(req: Request, kind: 'followup' | 'edit-original'): Reply {
    const interaction = this.#byToken(req.params[0]!, req.params[1]!);
    const expired = !interaction || Date.now() - interaction.dispatchedAt > DISCORD_LIMITS.interactionTokenMs;
    if (expired) return refusal({ status: 401, body: { code: 50027, message: 'Invalid Webhook Token' } });
    if (!interaction.responded || (kind === 'edit-original' && !interaction.originalId)) {
      return refusal({ status: 404, body: { code: 10015, message: 'Unknown Webhook' } });
    }
    const editsPressedMessage = kind === 'edit-original' && interaction.originalId === interaction.messageId;
    const invalid = validateMessage(editsPressedMessage ? asUpdateOf(interaction, req.body) : req.body, req.files, kind === 'followup');
    if (invalid) return refusal(invalid);
    const id = kind === 'edit-original' ? interaction.originalId! : this.state.nextId();
    this.state.followups.push({ kind, interactionId: interaction.id, id, body: req.body, files: req.files });
    return { status: 200, body: this.state.messagePayload(id, interaction.channelId, req.body, req.files) };
  }
}

/**
 * An update of the message a component is on, as Discord checks it: a Components V2 message stays
 * one (its flag cannot be removed), so the update is held to the V2 rules, content and embeds refused.
 */
function asUpdateOf(interaction: PendingInteraction, body: Record<string, unknown>): Record<string, unknown> {
  const v2 = ((interaction.messageFlags ?? 0) & IS_COMPONENTS_V2) !== 0;
  if (!v2) return body;
  const flags = typeof body['flags'] === 'number' ? body['flags'] : 0;
  return { ...body, flags: flags | IS_COMPONENTS_V2 };
}

function refusal(r: FakeRefusal): Reply {
  return { status: r.status, body: r.body };
}

function faultBody(fault: FaultSpec): Record<string, unknown> {
  switch (fault.status) {
    case 403:
      return fault.code === 50001 ? { code: 50001, message: 'Missing Access' } : { code: fault.code ?? 50013, message: 'Missing Permissions' };
    case 404:
      return { code: fault.code ?? 10003, message: 'Unknown Channel' };
    default:
      return { code: fault.code ?? 0, message: `${fault.status}: Server Error` };
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === null || status === 204) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The name Discord stores an upload under. Discord documents attachment names as ASCII letters,
 * digits, `_`, `-` and `.`, and rewrites any other name on upload (spaces become `_`, anything
 * else outside that alphabet is dropped), so an embed's `attachment://` reference to the original
 * name then matches no file and the message is refused (ATTACHMENT_NOT_FOUND in validateMessage).
 */
export function sanitiseAttachmentName(name: string): string {
  const cleaned = name.replace(/\s/g, '_').replace(/[^A-Za-z0-9_.-]/g, '');
  const dot = cleaned.lastIndexOf('.');
  const stem = dot >= 0 ? cleaned.slice(0, dot) : cleaned;
  return stem === '' ? `unknown${dot >= 0 ? cleaned.slice(dot) : ''}` : cleaned;
}

/** JSON, or multipart with `payload_json` and `files[n]` parts (parsed by undici's FormData). */
async function parseBody(req: IncomingMessage, raw: Buffer): Promise<{ body: Record<string, unknown>; files: RecordedFile[] }> {
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { body: {}, files: [] };
  if (type.startsWith('multipart/form-data')) {
    const form = await new Request('http://127.0.0.1/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
    const payload = form.get('payload_json');
    const body = typeof payload === 'string' ? (JSON.parse(payload) as Record<string, unknown>) : {};
    const files: RecordedFile[] = [];
    for (const [key, value] of form.entries()) {
      if (!/^files\[\d+\]$/.test(key) || typeof value === 'string') continue;
      const data = Buffer.from(await value.arrayBuffer());
      files.push({ name: sanitiseAttachmentName(value.name), bytes: data.length, data });
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
}

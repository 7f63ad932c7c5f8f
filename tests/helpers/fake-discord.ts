import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DISCORD_LIMITS } from '../../src/render/limits.ts';
import { FakeDiscordGateway } from './fake-discord-gateway.ts';
import { FakeDiscordRest, type FakeRoute, type FaultSpec } from './fake-discord-rest.ts';
import {
  FakeDiscordState,
  type FakeGuild,
  type FakeGuildInput,
  type RecordedCall,
  type RecordedFollowup,
  type RecordedInteractionResponse,
  type FakeChannel,
  type RecordedCrosspost,
  type RecordedForumPost,
  type RecordedMessage,
  type RecordedMessageEdit,
  type RegisteredCommandSet,
} from './fake-discord-state.ts';

export type { FakeRoute, FaultSpec } from './fake-discord-rest.ts';
export type * from './fake-discord-state.ts';

/** Who runs a command: a guild member with a permissions bitfield (decimal string). */
export interface FakeMember {
  userId: string;
  /** The member's permissions in the channel the command runs in (Discord sends them resolved). */
  permissions: string;
  roles?: string[];
  /** Permissions in other channels, for `resolved.channels[id].permissions` of a channel option. */
  channelPermissions?: Record<string, string>;
}

export interface SlashCommandInput {
  name: string;
  /** Option values; `channel` becomes a channel option (type 7) with `resolved.channels`. */
  options?: Record<string, string | number | boolean>;
  /** Null for a direct message. */
  guildId: string | null;
  channelId: string;
  member?: FakeMember;
  /** The user's client language (`en-US`, `zh-CN` …); default `zh-CN`. */
  locale?: string;
  /**
   * Edits the INTERACTION_CREATE payload just before it is dispatched: a forged or malformed event
   * (a guild interaction without `member`, no `entitlements` …) that Discord itself never sends.
   */
  forge?: (payload: Record<string, unknown>) => void;
}

export interface AutocompleteInput extends Omit<SlashCommandInput, 'options'> {
  /** The focused option and what was typed in it so far. */
  focused: { name: string; value: string };
  options?: Record<string, string | number | boolean>;
}

/** A press of a button on a message the bot sent (a message component interaction, type 3). */
export interface ButtonPressInput {
  /** The message the button is on: its id and body as the bot last set it (posted, replied or updated). */
  message: { id: string; body: Record<string, unknown>; flags?: number };
  customId: string;
  /** Null for a direct message. */
  guildId: string | null;
  channelId: string;
  member?: FakeMember;
  locale?: string;
}

/** What became of one interaction Discord POSTed to the bot's interactions endpoint. */
export interface HttpDelivery {
  interactionId: string;
  /** The bot's HTTP status, or null when it gave none within 3 s (or the connection failed). */
  status: number | null;
  /** The bot's answer, parsed (null when not JSON). */
  body: unknown;
  /** `answered`: a valid interaction response; `failed`: "The application did not respond" in the client. */
  outcome: 'answered' | 'failed';
  /** Why it failed, when it did. */
  reason?: string;
}

/** How to spoil a signed delivery (the tests of the bot's signature check). */
export interface SigningFault {
  /** Leave out X-Signature-Ed25519, X-Signature-Timestamp, or both. */
  omit?: 'signature' | 'timestamp' | 'both';
  /** Sign with another key than the application's. */
  wrongKey?: boolean;
  /** Change the body after it was signed. */
  alterBody?: boolean;
  /** Sign (validly) with this Unix time in seconds instead of now. */
  timestamp?: number;
}

export interface FakeDiscord {
  /** Pass to discord.js as `rest.api` (it appends `/v10`). */
  readonly apiBase: string;
  readonly gatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  /** The application's Ed25519 public key, 64 hex characters (DISCORD_PUBLIC_KEY); also `verify_key` of GET /applications/@me. */
  readonly publicKey: string;
  /**
   * Delivers interactions by signed HTTP POST to `url` (the bot's `/discord/interactions`) instead
   * of the gateway, as Discord does once an Interactions Endpoint URL is set; null goes back to
   * the gateway.
   */
  useInteractionsEndpoint(url: string | null): void;
  /** Every HTTP delivery and its outcome, in order. */
  readonly httpDeliveries: readonly HttpDelivery[];
  /** Spoils every following HTTP delivery's signature as `fault` says (null: sign properly again). */
  spoilDeliveries(fault: SigningFault | null): void;
  /** Signs and POSTs `body` to the endpoint as Discord would, optionally spoiled; the raw answer. */
  postSigned(body: string, fault?: SigningFault): Promise<{ status: number; text: string }>;
  /** Sets the shard count GET /gateway/bot recommends; a client identifying with fewer gets 4011. */
  requireShards(count: number): void;
  /** `[shard id, shard count]` of each identified gateway connection. */
  readonly gatewayShards: [number, number][];
  /** Gateway WebSocket connections ever opened. */
  readonly gatewayConnectionsOpened: number;
  readonly messages: RecordedMessage[];
  /** Posts opened in forum and media channels, in order. */
  readonly forumPosts: RecordedForumPost[];
  /** Messages published in announcement channels, in order. */
  readonly crossposts: RecordedCrosspost[];
  /** Publishes allowed per announcement channel and window (Discord: about 10 an hour). */
  setPublishLimit(perWindow: number, windowMs: number): void;
  /** Accepted edits of channel messages, in order (remove a message from `messages` to delete it). */
  readonly messageEdits: RecordedMessageEdit[];
  readonly interactionResponses: RecordedInteractionResponse[];
  readonly followups: RecordedFollowup[];
  readonly registeredCommands: RegisteredCommandSet[];
  readonly calls: RecordedCall[];
  /** 429 responses answered so far (enforced limits and injected ones). */
  readonly rateLimited: number;
  /** Connections that identified or resumed on the gateway. */
  readonly connectedSessions: number;
  addGuild(guild: FakeGuildInput): FakeGuild;
  /** A channel of the fake, to change (its overwrites, its tags) as an admin would. */
  channel(id: string): FakeChannel | undefined;
  failNext(route: FakeRoute, spec: FaultSpec): void;
  /** Gateway payloads clients sent (op 2 identify, op 6 resume, op 1 heartbeat …), in order. */
  readonly gatewayReceived: readonly { op: number; d: unknown }[];
  /** Drops every gateway connection with a close code; discord.js resumes after 4000. */
  disconnectGateway(code?: number): void;
  /** Sends a gateway dispatch (op 0) to every connected client. */
  dispatch(event: string, data: unknown): void;
  /** Dispatches an application command interaction; returns its id. */
  sendSlashCommand(input: SlashCommandInput): string;
  /** Dispatches an autocomplete interaction; returns its id. */
  sendAutocomplete(input: AutocompleteInput): string;
  /**
   * Dispatches a button press; returns its id. Refuses (throws) a custom_id that no enabled button
   * of that message carries, as Discord's client offers only the buttons it shows.
   */
  pressButton(input: ButtonPressInput): string;
  /** The token Discord issued with an interaction (for tests that answer it by hand). */
  interactionToken(id: string): string | undefined;
  /** The first callback for an interaction; rejects after `timeoutMs`. */
  waitForInteractionResponse(id: string, timeoutMs?: number): Promise<RecordedInteractionResponse>;
  /** Resolves with the first truthy value of `probe`, checked after every request and gateway payload; rejects after `timeoutMs`. */
  waitFor<T>(probe: () => T | null | undefined | false, timeoutMs?: number, what?: string): Promise<T>;
  /**
   * An outage. `refuse`: the port stops listening (connections refused) and live connections drop;
   * `hang`: connections are accepted but nothing is ever answered (REST requests and gateway
   * upgrades are held). `comeBack()` ends it on the same address.
   */
  goDown(mode: 'refuse' | 'hang'): Promise<void>;
  /** Ends `goDown()`: listens again on the same port; requests held by a hang are reset, as after a restart. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Discord REST API and gateway on 127.0.0.1, for the real discord.js client: validation of every
 * limit in PLATFORMS.md, Discord's error codes, rate-limit buckets and headers (switchable with
 * `enforceRateLimits`; when off, no rate-limit headers and no 429s), idempotent `nonce`, the
 * 3-second interaction window, scripted faults, and recordings of everything that arrived.
 */
export async function startFakeDiscord(
  options: { enforceRateLimits?: boolean; applicationId?: string; botUserId?: string } = {},
): Promise<FakeDiscord> {
  const token = `fake.${randomBytes(12).toString('base64url')}`;
  const state = new FakeDiscordState(token, options.applicationId ?? '100000000000000001', options.botUserId ?? '100000000000000002');
  let port = 0;
  const gatewayUrl = (): string => `ws://127.0.0.1:${port}/gateway`;
  // The application's signing key: Discord signs every HTTP interaction with its private half.
  const keys = generateKeyPairSync('ed25519');
  const publicKey = Buffer.from(String(keys.publicKey.export({ format: 'jwk' }).x), 'base64url').toString('hex');
  const rest = new FakeDiscordRest(state, { enforceRateLimits: options.enforceRateLimits ?? true, gatewayUrl, verifyKey: publicKey });
  const gateway = new FakeDiscordGateway(state, gatewayUrl);

  /** The outage in force, and what a hang holds (reset by comeBack). */
  let outage: 'refuse' | 'hang' | null = null;
  const held = new Set<{ destroy(): unknown }>();
  const server = createServer((req, res) => {
    if (outage === 'hang') {
      held.add(req.socket);
      return;
    }
    void rest.handle(req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    if (outage === 'hang') held.add(socket);
    else if ((req.url ?? '').startsWith('/gateway')) gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  let endpoint: string | null = null;
  let spoil: SigningFault | null = null;
  const httpDeliveries: HttpDelivery[] = [];

  const postSigned = async (body: string, fault: SigningFault = {}): Promise<{ status: number; text: string }> => {
    if (endpoint === null) throw new Error('fake discord: no interactions endpoint set');
    const timestamp = String(fault.timestamp ?? Math.floor(Date.now() / 1000));
    const key = fault.wrongKey ? generateKeyPairSync('ed25519').privateKey : keys.privateKey;
    const signature = sign(null, Buffer.from(timestamp + body), key).toString('hex');
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)' };
    if (fault.omit !== 'signature' && fault.omit !== 'both') headers['x-signature-ed25519'] = signature;
    if (fault.omit !== 'timestamp' && fault.omit !== 'both') headers['x-signature-timestamp'] = timestamp;
    const sent = fault.alterBody ? body.replace(/"(report|latest|subscribe)"/, '"repost"').replace(/}$/, ',"x":1}') : body;
    // Discord waits 3 seconds for the answer, then gives up ("The application did not respond").
    const response = await fetch(endpoint, { method: 'POST', headers, body: sent, signal: AbortSignal.timeout(DISCORD_LIMITS.interactionAnswerMs) });
    return { status: response.status, text: await response.text() };
  };

  /** Discord's side of an HTTP interaction: POST it signed, take the answer as the interaction response. */
  const deliver = async (payload: Record<string, unknown>): Promise<void> => {
    const interaction = state.interactions.get(String(payload['id']))!;
    const record = (delivery: Omit<HttpDelivery, 'interactionId'>): void => {
      if (delivery.outcome === 'failed') interaction.failed = true;
      httpDeliveries.push({ interactionId: interaction.id, ...delivery });
      state.changed();
    };
    let answer: { status: number; text: string };
    try {
      answer = await postSigned(JSON.stringify(payload), spoil ?? {});
    } catch (error) {
      record({ status: null, body: null, outcome: 'failed', reason: (error as Error).message });
      return;
    }
    let body: unknown = null;
    try {
      body = JSON.parse(answer.text);
    } catch {
      body = null;
    }
    if (answer.status < 200 || answer.status > 299 || body === null || typeof body !== 'object') {
      record({ status: answer.status, body, outcome: 'failed', reason: `answered ${answer.status}` });
      return;
    }
    const response = body as { type?: unknown; data?: unknown };
    const taken = rest.acknowledge(interaction, Number(response.type), (response.data ?? null) as Record<string, unknown> | null, []);
    if (taken.status === 200) record({ status: answer.status, body, outcome: 'answered' });
    else record({ status: answer.status, body, outcome: 'failed', reason: JSON.stringify(taken.body) });
  };

  const dispatchInteraction = (
    type: 2 | 3 | 4,
    input: SlashCommandInput,
    options: Record<string, unknown>[],
    component?: { data: Record<string, unknown>; message: Record<string, unknown> },
  ): string => {
    const id = state.nextId();
    const interactionToken = `itk.${randomBytes(16).toString('base64url')}`;
    const channel = state.channel(input.channelId);
    const member = input.member ?? { userId: '300000000000000001', permissions: '0' };
    const user = { id: member.userId, username: `user${member.userId.slice(-4)}`, discriminator: '0', global_name: null, avatar: null };
    const resolvedChannels: Record<string, unknown> = {};
    for (const option of options) {
      if (option['type'] !== 7) continue;
      const target = state.channel(String(option['value']));
      if (!target) continue;
      resolvedChannels[target.id] = {
        id: target.id,
        name: target.name,
        type: target.type,
        parent_id: target.parentId,
        permissions: member.channelPermissions?.[target.id] ?? member.permissions,
        ...(target.type === 11 || target.type === 12 ? { thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false } } : {}),
      };
    }
    // A role option (type 8) comes with the role in `resolved.roles`, as Discord sends it.
    const resolvedRoles: Record<string, unknown> = {};
    for (const option of options) {
      if (option['type'] !== 8) continue;
      const roleId = String(option['value']);
      resolvedRoles[roleId] = { id: roleId, name: `role${roleId.slice(-4)}`, color: 0, hoist: false, position: 1, permissions: '0', managed: false, mentionable: true, flags: 0 };
    }
    const commandId = state.registeredCommands.flatMap((s) => s.commands).find((c) => c['name'] === input.name)?.['id'] ?? state.nextId();
    state.interactions.set(id, {
      id,
      token: interactionToken,
      type,
      channelId: input.channelId,
      guildId: input.guildId,
      dispatchedAt: Date.now(),
      responded: false,
      responseType: null,
      ...(component ? { messageId: String(component.message['id']), messageFlags: Number(component.message['flags'] ?? 0) } : {}),
    });
    const payload: Record<string, unknown> = {
      id,
      application_id: state.applicationId,
      type,
      token: interactionToken,
      version: 1,
      data: component?.data ?? {
        id: commandId,
        name: input.name,
        type: 1,
        options,
        ...(Object.keys(resolvedChannels).length > 0 || Object.keys(resolvedRoles).length > 0
          ? {
              resolved: {
                ...(Object.keys(resolvedChannels).length > 0 ? { channels: resolvedChannels } : {}),
                ...(Object.keys(resolvedRoles).length > 0 ? { roles: resolvedRoles } : {}),
              },
            }
          : {}),
        ...(input.guildId ? { guild_id: input.guildId } : {}),
      },
      ...(component ? { message: component.message } : {}),
      channel_id: input.channelId,
      channel: channel
        ? { ...state.channelPayload(channel), permissions: member.permissions }
        : { id: input.channelId, type: 1, recipients: [user], flags: 0, last_message_id: null },
      ...(input.guildId
        ? {
            guild_id: input.guildId,
            guild: { id: input.guildId, locale: 'zh-CN', features: [] },
            member: {
              user,
              roles: member.roles ?? [],
              permissions: member.permissions,
              joined_at: new Date().toISOString(),
              deaf: false,
              mute: false,
              flags: 0,
              pending: false,
              nick: null,
              avatar: null,
              premium_since: null,
            },
            guild_locale: 'zh-CN',
            context: 0,
          }
        : { user, context: 1 }),
      app_permissions: state.botPermissionsIn(input.channelId) ?? '2248473465835073',
      locale: input.locale ?? 'zh-CN',
      entitlements: [],
      authorizing_integration_owners: input.guildId ? { '0': input.guildId } : { '1': member.userId },
      attachment_size_limit: 10 * 1024 * 1024,
    };
    input.forge?.(payload);
    if (endpoint !== null) void deliver(payload);
    else gateway.dispatch('INTERACTION_CREATE', payload, input.guildId);
    return id;
  };

  // An option's type is the one the bot registered for it (a role option is type 8, as Discord
  // sends it); for a command not registered, guessed from the name and value.
  const registeredType = (command: string, option: string): number | undefined => {
    const registered = state.registeredCommands.flatMap((set) => set.commands).find((c) => c['name'] === command);
    const options = (registered?.['options'] ?? []) as { name?: unknown; type?: unknown }[];
    const type = options.find((o) => o.name === option)?.type;
    return typeof type === 'number' ? type : undefined;
  };
  const toOptions = (values: Record<string, string | number | boolean>, focused?: string, command = ''): Record<string, unknown>[] =>
    Object.entries(values).map(([name, value]) => ({
      name,
      type: registeredType(command, name) ?? (name === 'channel' ? 7 : typeof value === 'boolean' ? 5 : typeof value === 'number' ? 10 : 3),
      value,
      ...(name === focused ? { focused: true } : {}),
    }));

  const waitFor = <T>(probe: () => T | null | undefined | false, timeoutMs = 30_000, what = 'condition'): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const value = probe();
        if (value === null || value === undefined || value === false) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        state.events.off('change', check);
      };
      if (!check()) state.events.on('change', check);
    });

  return {
    apiBase: `http://127.0.0.1:${port}/api`,
    gatewayUrl: gatewayUrl(),
    token,
    applicationId: state.applicationId,
    botUserId: state.botUserId,
    publicKey,
    useInteractionsEndpoint(url) {
      endpoint = url;
    },
    httpDeliveries,
    postSigned,
    spoilDeliveries(fault) {
      spoil = fault;
    },
    requireShards(count) {
      state.requiredShards = count;
    },
    get gatewayShards() {
      return gateway.shards;
    },
    get gatewayConnectionsOpened() {
      return gateway.connectionsOpened;
    },
    messages: state.messages,
    forumPosts: state.forumPosts,
    crossposts: state.crossposts,
    setPublishLimit(perWindow, windowMs) {
      state.publishLimit = { perWindow, windowMs };
    },
    messageEdits: state.messageEdits,
    interactionResponses: state.interactionResponses,
    followups: state.followups,
    registeredCommands: state.registeredCommands,
    calls: state.calls,
    get rateLimited() {
      return state.rateLimited;
    },
    get connectedSessions() {
      return gateway.connectedSessions;
    },
    addGuild(guild) {
      const added = state.addGuild(guild);
      if (gateway.connectedSessions > 0) gateway.announceGuild(added);
      return added;
    },
    channel: (id) => state.channel(id),
    gatewayReceived: gateway.received,
    disconnectGateway: (code = 4000) => gateway.disconnectAll(code),
    failNext: (route, spec) => rest.failNext(route, spec),
    dispatch: (event, data) => gateway.dispatch(event, data),
    sendSlashCommand: (input) => dispatchInteraction(2, input, toOptions(input.options ?? {}, undefined, input.name)),
    sendAutocomplete: (input) =>
      dispatchInteraction(4, input, toOptions({ ...(input.options ?? {}), [input.focused.name]: input.focused.value }, input.focused.name, input.name)),
    pressButton(input) {
      const button = buttonsIn(input.message.body['components']).find((b) => b['custom_id'] === input.customId);
      if (!button || button['disabled'] === true) throw new Error(`fake discord: no enabled button ${input.customId} on message ${input.message.id}`);
      const payload = state.messagePayload(input.message.id, input.channelId, input.message.body, []);
      const message = { ...payload, flags: input.message.flags ?? payload['flags'] };
      return dispatchInteraction(3, { name: '', guildId: input.guildId, channelId: input.channelId, ...(input.member ? { member: input.member } : {}), ...(input.locale ? { locale: input.locale } : {}) }, [], {
        data: { custom_id: input.customId, component_type: 2 },
        message,
      });
    },
    interactionToken: (id) => state.interactions.get(id)?.token,
    waitForInteractionResponse: (id, timeoutMs = 30_000) =>
      waitFor(() => state.interactionResponses.find((r) => r.interactionId === id), timeoutMs, `a response to interaction ${id}`),
    waitFor,
    async goDown(mode) {
      outage = mode;
      if (mode === 'hang') return;
      gateway.disconnectAll(4000, 'fake discord: going down');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async comeBack() {
      const was = outage;
      outage = null;
      for (const socket of held) socket.destroy();
      held.clear();
      if (was === 'refuse') await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const socket of held) socket.destroy();
      held.clear();
      if (outage === 'refuse') return gateway.close();
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Every button of a message, wherever it sits: in top-level action rows, in action rows inside a
 * Components V2 container, or as a section's accessory.
 */
function buttonsIn(components: unknown): Record<string, unknown>[] {
  if (!Array.isArray(components)) return [];
  return (components as Record<string, unknown>[]).flatMap((component) => [
    ...(component['type'] === 2 ? [component] : []),
    ...buttonsIn(component['components']),
    ...(component['accessory'] ? buttonsIn([component['accessory']]) : []),
  ]);
}

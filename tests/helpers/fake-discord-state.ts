import { EventEmitter } from 'node:events';
import { pingsOf, type MessagePings } from './fake-discord-mentions.ts';

/** Discord channel types the fake knows: text, announcement, public thread, private thread. */
export type FakeChannelType = 0 | 5 | 11 | 12;

/** How the fake answers for a channel: normally, 403 Missing Permissions, 403 Missing Access. */
export type FakeChannelState = 'ok' | 'forbidden' | 'noAccess';

export interface FakeChannel {
  id: string;
  type: FakeChannelType;
  name: string;
  /** The parent text channel of a thread. */
  parentId: string | null;
  guildId: string;
  state: FakeChannelState;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: FakeChannel[];
}

export interface FakeGuildInput {
  id: string;
  name: string;
  channels: { id: string; type: FakeChannelType; name: string; parentId?: string; state?: FakeChannelState }[];
}

export interface RecordedFile {
  name: string;
  bytes: number;
  data: Buffer;
}

/** A message created with POST /channels/:id/messages. */
export interface RecordedMessage {
  id: string;
  channelId: string;
  /** The JSON body as sent (from `payload_json` for multipart). */
  body: Record<string, unknown>;
  files: RecordedFile[];
  nonce: string | null;
  /** Who it pinged, as Discord decides from the content and `allowed_mentions`. */
  pings: MessagePings;
  /**
   * Which client sent it: `<tag>` when the bot's API base was `${apiBase}/client/<tag>` with `/api`
   * after it (several processes sharing one token tell themselves apart this way), else null.
   */
  client: string | null;
  /** `Date.now()` when it was posted. */
  time: number;
}

/** One answer to POST /interactions/:id/:token/callback. */
export interface RecordedInteractionResponse {
  interactionId: string;
  /** 4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete result. */
  type: number;
  data: Record<string, unknown> | null;
  files: RecordedFile[];
  /** Milliseconds after the interaction was dispatched. */
  afterMs: number;
}

/** A follow-up (POST /webhooks/:app/:token), an edit (PATCH …/@original) or deletion (DELETE …/@original) of the original response. */
export interface RecordedFollowup {
  kind: 'followup' | 'edit-original' | 'delete-original';
  interactionId: string;
  id: string;
  body: Record<string, unknown>;
  files: RecordedFile[];
}

export interface RecordedCall {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  status: number;
}

export interface RegisteredCommandSet {
  /** `global` or the guild id. */
  scope: string;
  commands: Record<string, unknown>[];
}

export interface PendingInteraction {
  id: string;
  token: string;
  type: number;
  channelId: string;
  guildId: string | null;
  dispatchedAt: number;
  responded: boolean;
  responseType: number | null;
  /** Id of the original response message once answered with type 4 or 5 (for a component: the message it is on, once updated). */
  originalId?: string;
  /** A component interaction: the message the component is on. */
  messageId?: string;
  /** A component interaction: that message's flags (IS_COMPONENTS_V2 makes every update of it a V2 body). */
  messageFlags?: number;
  /** Delivered over HTTP and the bot's answer was not a valid response within 3 s: Discord shows "The application did not respond". */
  failed?: boolean;
}

/** Snowflake-shaped ids: time since the Discord epoch in the high bits, a counter below. */
function createIdSource(): () => string {
  let counter = 0n;
  return () => {
    counter += 1n;
    return ((BigInt(Date.now() - 1_420_070_400_000) << 22n) + counter).toString();
  };
}

/** Everything the fake REST server and gateway share: guilds, recordings, interactions. */
export class FakeDiscordState {
  readonly events = new EventEmitter();
  readonly nextId = createIdSource();
  readonly guilds: FakeGuild[] = [];
  readonly messages: RecordedMessage[] = [];
  readonly interactionResponses: RecordedInteractionResponse[] = [];
  readonly followups: RecordedFollowup[] = [];
  readonly registeredCommands: RegisteredCommandSet[] = [];
  readonly calls: RecordedCall[] = [];
  readonly interactions = new Map<string, PendingInteraction>();
  rateLimited = 0;
  /** The shard count GET /gateway/bot recommends; a connection identifying with fewer gets 4011. */
  requiredShards = 1;

  constructor(
    readonly token: string,
    readonly applicationId: string,
    readonly botUserId: string,
  ) {
    this.events.setMaxListeners(0);
  }

  /** Tells waiters something was recorded. */
  changed(): void {
    this.events.emit('change');
  }

  addGuild(input: FakeGuildInput): FakeGuild {
    const guild: FakeGuild = {
      id: input.id,
      name: input.name,
      channels: input.channels.map((c) => ({
        id: c.id,
        type: c.type,
        name: c.name,
        parentId: c.parentId ?? null,
        guildId: input.id,
        state: c.state ?? 'ok',
      })),
    };
    this.guilds.push(guild);
    return guild;
  }

  channel(id: string): FakeChannel | undefined {
    for (const guild of this.guilds) {
      const found = guild.channels.find((c) => c.id === id);
      if (found) return found;
    }
    return undefined;
  }

  botUser(): Record<string, unknown> {
    return {
      id: this.botUserId,
      username: 'ai-digest',
      discriminator: '0',
      global_name: 'AI Digest',
      avatar: null,
      bot: true,
      verified: true,
      flags: 0,
      mfa_enabled: false,
    };
  }

  channelPayload(channel: FakeChannel, withGuildId = true): Record<string, unknown> {
    const thread = channel.type === 11 || channel.type === 12;
    return {
      id: channel.id,
      type: channel.type,
      name: channel.name,
      ...(withGuildId ? { guild_id: channel.guildId } : {}),
      position: 0,
      permission_overwrites: thread ? undefined : [],
      parent_id: channel.parentId,
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
      ...(thread
        ? {
            owner_id: this.botUserId,
            message_count: 0,
            member_count: 1,
            thread_metadata: {
              archived: false,
              auto_archive_duration: 1440,
              archive_timestamp: new Date().toISOString(),
              locked: false,
            },
          }
        : {}),
    };
  }

  /** A GUILD_CREATE payload: channels and threads separately, an @everyone role, the bot as member. */
  guildCreatePayload(guild: FakeGuild): Record<string, unknown> {
    const isThread = (c: FakeChannel): boolean => c.type === 11 || c.type === 12;
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: '1',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      features: [],
      mfa_level: 0,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'zh-CN',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 2,
      roles: [
        {
          id: guild.id,
          name: '@everyone',
          color: 0,
          hoist: false,
          position: 0,
          permissions: '68608',
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      members: [
        {
          user: this.botUser(),
          roles: [],
          joined_at: new Date().toISOString(),
          deaf: false,
          mute: false,
          flags: 0,
        },
      ],
      channels: guild.channels.filter((c) => !isThread(c)).map((c) => this.channelPayload(c, false)),
      threads: guild.channels.filter(isThread).map((c) => this.channelPayload(c)),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** A message object as Discord returns it, enough for discord.js to build a Message. */
  messagePayload(id: string, channelId: string, body: Record<string, unknown>, files: RecordedFile[]): Record<string, unknown> {
    return {
      id,
      type: 0,
      channel_id: channelId,
      author: this.botUser(),
      content: typeof body['content'] === 'string' ? body['content'] : '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: pingsOf(body).everyone,
      mentions: [],
      mention_roles: pingsOf(body).roles,
      attachments: files.map((f, index) => ({
        id: `${id}${index}`,
        filename: f.name,
        size: f.bytes,
        url: `https://cdn.example.invalid/attachments/${channelId}/${id}/${f.name}`,
        proxy_url: `https://media.example.invalid/attachments/${channelId}/${id}/${f.name}`,
      })),
      embeds: Array.isArray(body['embeds']) ? body['embeds'] : [],
      pinned: false,
      flags: typeof body['flags'] === 'number' ? body['flags'] : 0,
      components: Array.isArray(body['components']) ? body['components'] : [],
      ...(body['nonce'] !== undefined ? { nonce: body['nonce'] } : {}),
    };
  }
}

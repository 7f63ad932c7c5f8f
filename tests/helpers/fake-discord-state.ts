import { EventEmitter } from 'node:events';
import { pingsOf, type MessagePings } from './fake-discord-mentions.ts';

/** Discord channel types the fake knows: text, announcement, public thread, private thread, forum, media. */
export type FakeChannelType = 0 | 5 | 11 | 12 | 15 | 16;

/** A forum tag of a forum or media channel (`available_tags`). */
export interface FakeForumTag {
  id: string;
  name: string;
}

/** A permission overwrite on a channel: type 0 a role (the guild id is @everyone), 1 a member. */
export interface FakeOverwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

/**
 * What the bot's own role grants by default in a fake guild: View Channel, Send Messages, Send
 * Messages in Threads, Embed Links, Attach Files, Read Message History (with @everyone's 68608).
 */
export const FAKE_BOT_ROLE_PERMISSIONS = String((1n << 10n) | (1n << 11n) | (1n << 38n) | (1n << 14n) | (1n << 15n) | (1n << 16n));

/** A post opened in a forum or media channel with POST /channels/:id/threads. */
export interface RecordedForumPost {
  /** The post's thread id, which is also its starter message's id. */
  threadId: string;
  forumId: string;
  name: string;
  appliedTags: string[];
}

/** A message published with POST /channels/:id/messages/:message/crosspost. */
export interface RecordedCrosspost {
  channelId: string;
  messageId: string;
  time: number;
}

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
  /** Forum and media channels: the tags a post may carry. */
  availableTags: FakeForumTag[];
  overwrites: FakeOverwrite[];
  /** Threads: who opened it (the bot for the posts it opens). */
  ownerId?: string;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: FakeChannel[];
  /** The permissions of the role the bot has in this guild (besides @everyone's). */
  botRolePermissions: string;
}

export interface FakeGuildInput {
  id: string;
  name: string;
  channels: {
    id: string;
    type: FakeChannelType;
    name: string;
    parentId?: string;
    state?: FakeChannelState;
    availableTags?: FakeForumTag[];
    overwrites?: FakeOverwrite[];
  }[];
  /** Default FAKE_BOT_ROLE_PERMISSIONS. */
  botRolePermissions?: string;
}

/** The role id the fake gives the bot in a guild. */
export function fakeBotRoleId(guildId: string): string {
  return `${guildId}7`;
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

/** One accepted PATCH /channels/:id/messages/:id (the message's body is updated in `messages` too). */
export interface RecordedMessageEdit {
  id: string;
  channelId: string;
  /** The PATCH body as sent. */
  body: Record<string, unknown>;
  files: RecordedFile[];
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
  readonly messageEdits: RecordedMessageEdit[] = [];
  readonly interactionResponses: RecordedInteractionResponse[] = [];
  readonly followups: RecordedFollowup[] = [];
  readonly registeredCommands: RegisteredCommandSet[] = [];
  readonly calls: RecordedCall[] = [];
  readonly interactions = new Map<string, PendingInteraction>();
  readonly forumPosts: RecordedForumPost[] = [];
  readonly crossposts: RecordedCrosspost[] = [];
  /** Discord's publish limit per announcement channel (about 10 an hour); tests may tighten it. */
  publishLimit = { perWindow: 10, windowMs: 60 * 60 * 1000 };
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
        availableTags: c.availableTags ?? [],
        overwrites: c.overwrites ?? [],
      })),
      botRolePermissions: input.botRolePermissions ?? FAKE_BOT_ROLE_PERMISSIONS,
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

  guild(id: string): FakeGuild | undefined {
    return this.guilds.find((g) => g.id === id);
  }

  /** The guild's roles: @everyone (as the gateway always sent it) and the bot's own role. */
  rolesPayload(guild: FakeGuild): Record<string, unknown>[] {
    const role = (id: string, name: string, position: number, permissions: string) => ({
      id,
      name,
      color: 0,
      hoist: false,
      position,
      permissions,
      managed: position > 0,
      mentionable: false,
      flags: 0,
    });
    return [role(guild.id, '@everyone', 0, '68608'), role(fakeBotRoleId(guild.id), 'AI Digest', 1, guild.botRolePermissions)];
  }

  /**
   * The bot's permissions in a channel as Discord sends them in `app_permissions`: @everyone's and
   * its role's, then the channel's overwrites for @everyone, its role and itself (a thread takes
   * its parent's). Null for a channel the fake does not know.
   */
  botPermissionsIn(channelId: string): string | null {
    let channel = this.channel(channelId);
    if (channel?.parentId && (channel.type === 11 || channel.type === 12)) channel = this.channel(channel.parentId) ?? channel;
    const guild = channel ? this.guild(channel.guildId) : undefined;
    if (!channel || !guild) return null;
    let bits = 68608n | BigInt(guild.botRolePermissions);
    if ((bits & 8n) !== 0n) return String((1n << 53n) - 1n);
    for (const id of [guild.id, fakeBotRoleId(guild.id), this.botUserId]) {
      const o = channel.overwrites.find((w) => w.id === id);
      if (o) bits = (bits & ~BigInt(o.deny)) | BigInt(o.allow);
    }
    return String(bits);
  }

  /** The bot as a guild member (GET /guilds/:id/members/:user). */
  botMemberPayload(guild: FakeGuild): Record<string, unknown> {
    return { user: this.botUser(), roles: [fakeBotRoleId(guild.id)], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 };
  }

  channelPayload(channel: FakeChannel, withGuildId = true): Record<string, unknown> {
    const thread = channel.type === 11 || channel.type === 12;
    const forum = channel.type === 15 || channel.type === 16;
    return {
      id: channel.id,
      type: channel.type,
      name: channel.name,
      ...(withGuildId ? { guild_id: channel.guildId } : {}),
      position: 0,
      permission_overwrites: thread ? undefined : channel.overwrites,
      parent_id: channel.parentId,
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
      ...(forum
        ? {
            available_tags: channel.availableTags.map((t) => ({ id: t.id, name: t.name, moderated: false, emoji_id: null, emoji_name: null })),
            default_reaction_emoji: null,
            default_thread_rate_limit_per_user: 0,
            default_sort_order: null,
            default_forum_layout: 0,
          }
        : {}),
      ...(thread
        ? {
            owner_id: channel.ownerId ?? this.botUserId,
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
      roles: this.rolesPayload(guild),
      emojis: [],
      stickers: [],
      members: [this.botMemberPayload(guild)],
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

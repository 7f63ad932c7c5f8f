import { pingsOf } from './fake-discord-mentions.ts';
import type { FakeDiscordState, RecordedFile } from './fake-discord-state.ts';
import { validateMessage, type FakeRefusal } from './fake-discord-validate.ts';

/** A reply of the fake: status and JSON body, plus headers a 429 carries. */
export interface ForumReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const refuse = (status: number, code: number, message: string, errors?: Record<string, unknown>): ForumReply => ({
  status,
  body: { code, message, ...(errors ? { errors } : {}) },
});

const isForum = (type: number): boolean => type === 15 || type === 16;

/** Discord's longest thread name and most tags on a post. */
const THREAD_NAME_CHARS = 100;
const TAGS_PER_POST = 5;

/**
 * Discord's refusal of a plain message into a forum or media channel (a post must be opened
 * instead), or null where messages may be posted.
 */
export function plainMessageRefusal(state: FakeDiscordState, channelId: string): ForumReply | null {
  const channel = state.channel(channelId);
  if (channel && isForum(channel.type)) return refuse(400, 50008, 'Cannot send messages in a non-text channel');
  return null;
}

/**
 * POST /channels/:id/threads on a forum or media channel: `name`, `applied_tags` (each one of the
 * channel's `available_tags`), `message` (the starter message, validated as a message is; its
 * files uploaded in the same multipart request). The post's thread id is its starter message's id.
 */
export function openForumPost(state: FakeDiscordState, forumId: string, body: Record<string, unknown>, files: RecordedFile[], client: string | null): ForumReply {
  const forum = state.channel(forumId);
  if (!forum) return refuse(404, 10003, 'Unknown Channel');
  if (forum.state === 'noAccess') return refuse(403, 50001, 'Missing Access');
  if (forum.state === 'forbidden') return refuse(403, 50013, 'Missing Permissions');
  // Only forum posts are modelled; a thread in a text channel is not what the bot opens.
  if (!isForum(forum.type)) return refuse(400, 50024, 'Cannot execute action on this channel type');
  const name = body['name'];
  if (typeof name !== 'string' || name.length === 0 || [...name].length > THREAD_NAME_CHARS) {
    return refuse(400, 50035, 'Invalid Form Body', { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between 1 and ${THREAD_NAME_CHARS} in length.` }] } });
  }
  const tags = body['applied_tags'] ?? [];
  const known = new Set(forum.availableTags.map((t) => t.id));
  if (!Array.isArray(tags) || tags.length > TAGS_PER_POST || tags.some((t) => typeof t !== 'string' || !known.has(t))) {
    return refuse(400, 50035, 'Invalid Form Body', { applied_tags: { _errors: [{ code: 'INVALID_TAG', message: 'Tag does not exist in this channel.' }] } });
  }
  const message = body['message'];
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    return refuse(400, 50035, 'Invalid Form Body', { message: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } });
  }
  const starter = message as Record<string, unknown>;
  const invalid: FakeRefusal | null = validateMessage(starter, files);
  if (invalid) return { status: invalid.status, body: invalid.body };

  const threadId = state.nextId();
  const guild = state.guild(forum.guildId)!;
  guild.channels.push({
    id: threadId,
    type: 11,
    name,
    parentId: forum.id,
    guildId: forum.guildId,
    state: 'ok',
    availableTags: [],
    overwrites: [],
    ownerId: state.botUserId,
  });
  state.forumPosts.push({ threadId, forumId: forum.id, name, appliedTags: tags as string[] });
  state.messages.push({ id: threadId, channelId: threadId, body: starter, files, nonce: null, pings: pingsOf(starter), client, time: Date.now() });
  const thread = state.channelPayload(state.channel(threadId)!);
  return { status: 201, body: { ...thread, applied_tags: tags, message: state.messagePayload(threadId, threadId, starter, files) } };
}

/** GET /guilds/:id/threads/active: every thread of the guild not archived (forum posts included). */
export function activeThreads(state: FakeDiscordState, guildId: string): ForumReply {
  const guild = state.guild(guildId);
  if (!guild) return refuse(404, 10004, 'Unknown Guild');
  const threads = guild.channels.filter((c) => c.type === 11 || c.type === 12).map((c) => state.channelPayload(c));
  return { status: 200, body: { threads, members: [] } };
}

/**
 * POST /channels/:id/messages/:message/crosspost: only in an announcement channel (type 5), only a
 * message of that channel, once (40033 after), and at most `state.publishLimit` per channel and
 * window: beyond it a 429 with the `retry_after` until the window frees a publish.
 */
export function crosspost(state: FakeDiscordState, channelId: string, messageId: string): ForumReply {
  const channel = state.channel(channelId);
  if (!channel) return refuse(404, 10003, 'Unknown Channel');
  if (channel.type !== 5) return refuse(400, 50024, 'Cannot execute action on this channel type');
  const message = state.messages.find((m) => m.id === messageId && m.channelId === channelId);
  if (!message) return refuse(404, 10008, 'Unknown Message');
  if (state.crossposts.some((c) => c.messageId === messageId)) return refuse(400, 40033, 'This message has already been crossposted.');
  const now = Date.now();
  const { perWindow, windowMs } = state.publishLimit;
  const recent = state.crossposts.filter((c) => c.channelId === channelId && now - c.time < windowMs);
  if (recent.length >= perWindow) {
    state.rateLimited += 1;
    const retryAfter = (recent[0]!.time + windowMs - now) / 1000;
    return {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
      headers: { 'Retry-After': String(Math.ceil(retryAfter)), 'X-RateLimit-Scope': 'shared' },
    };
  }
  state.crossposts.push({ channelId, messageId, time: now });
  const flags = typeof message.body['flags'] === 'number' ? message.body['flags'] : 0;
  // CROSSPOSTED (1 << 0) from now on.
  return { status: 200, body: state.messagePayload(messageId, channelId, { ...message.body, flags: flags | 1 }, message.files) };
}

/** GET /guilds/:id/roles. */
export function guildRoles(state: FakeDiscordState, guildId: string): ForumReply {
  const guild = state.guild(guildId);
  return guild ? { status: 200, body: state.rolesPayload(guild) } : refuse(404, 10004, 'Unknown Guild');
}

/** GET /guilds/:id/members/:user: only the bot is a member the fake knows. */
export function guildMember(state: FakeDiscordState, guildId: string, userId: string): ForumReply {
  const guild = state.guild(guildId);
  if (!guild) return refuse(404, 10004, 'Unknown Guild');
  if (userId !== state.botUserId) return refuse(404, 10007, 'Unknown Member');
  return { status: 200, body: state.botMemberPayload(guild) };
}

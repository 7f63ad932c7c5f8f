import { ChannelType, Routes, type REST } from 'discord.js';

/** Where a digest goes in a channel of this kind: a message, a new forum post, a message then published. */
export type ChannelKind = 'text' | 'announcement' | 'forum' | 'thread' | 'other';

/** A forum tag as `available_tags` lists it. */
export interface ForumTag {
  id: string;
  name: string;
}

/** One permission overwrite as the channel object carries it (type 0 role, 1 member). */
export interface PermissionOverwrite {
  id: string;
  type: number;
  allow: string;
  deny: string;
}

/** What the bot needs to know of a channel to post into it and to check its own permissions there. */
export interface ChannelFacts {
  id: string;
  kind: ChannelKind;
  /** Discord's channel type number as given. */
  type: number;
  guildId: string | null;
  parentId: string | null;
  /** Forum and media channels: the tags a post may carry; [] elsewhere. */
  availableTags: ForumTag[];
  permissionOverwrites: PermissionOverwrite[];
}

/** The kind of a channel type number: forum and media channels both take posts. */
export function kindOfChannelType(type: number): ChannelKind {
  switch (type) {
    case ChannelType.GuildText:
      return 'text';
    case ChannelType.GuildAnnouncement:
      return 'announcement';
    case ChannelType.GuildForum:
    case ChannelType.GuildMedia:
      return 'forum';
    case ChannelType.PublicThread:
    case ChannelType.PrivateThread:
    case ChannelType.AnnouncementThread:
      return 'thread';
    default:
      return 'other';
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The facts in a channel object from `GET /channels/{id}` (read defensively: a field missing is empty). */
export function readChannelFacts(payload: unknown): ChannelFacts | null {
  if (!isObject(payload)) return null;
  const id = str(payload['id']);
  const type = payload['type'];
  if (id === null || typeof type !== 'number') return null;
  const tags = Array.isArray(payload['available_tags']) ? payload['available_tags'] : [];
  const overwrites = Array.isArray(payload['permission_overwrites']) ? payload['permission_overwrites'] : [];
  return {
    id,
    kind: kindOfChannelType(type),
    type,
    guildId: str(payload['guild_id']),
    parentId: str(payload['parent_id']),
    availableTags: tags.filter(isObject).flatMap((t) => {
      const tagId = str(t['id']);
      const name = typeof t['name'] === 'string' ? t['name'] : null;
      return tagId !== null && name !== null ? [{ id: tagId, name }] : [];
    }),
    permissionOverwrites: overwrites.filter(isObject).flatMap((o) => {
      const owId = str(o['id']);
      return owId === null ? [] : [{ id: owId, type: Number(o['type'] ?? 0), allow: String(o['allow'] ?? '0'), deny: String(o['deny'] ?? '0') }];
    }),
  };
}

/** How long a channel's kind is trusted: an admin may turn a text channel into an announcement one. */
const KIND_TTL_MS = 60 * 60 * 1000;

/**
 * The channels' facts: from the gateway's cache when the bot is connected (kept current by
 * Discord's CHANNEL_UPDATE events, no request at all), else through REST (`GET /channels/{id}`),
 * each remembered for an hour: a fan-out asks once per channel, and a channel turned into an
 * announcement channel is noticed within the hour. Errors are discord.js's (the sender classifies
 * them as it does a refused message).
 */
export class ChannelFactsCache {
  readonly #facts = new Map<string, { facts: ChannelFacts; at: number }>();

  constructor(
    private readonly rest: REST,
    private readonly now: () => number = Date.now,
    /** The gateway's copy of a channel, or null (not connected, not cached). */
    private readonly fromGateway: (channelId: string) => ChannelFacts | null = () => null,
  ) {}

  /** The channel's facts, from the gateway's cache or from memory when fresh. */
  async get(channelId: string): Promise<ChannelFacts> {
    const live = this.fromGateway(channelId);
    if (live) return live;
    const known = this.#facts.get(channelId);
    if (known && this.now() - known.at < KIND_TTL_MS) return known.facts;
    return this.refresh(channelId);
  }

  /** The channel's facts as Discord gives them now (subscribe-time checks want the tags of this minute). */
  async refresh(channelId: string): Promise<ChannelFacts> {
    const facts = readChannelFacts(await this.rest.get(Routes.channel(channelId)));
    if (!facts) throw new Error(`GET /channels/${channelId} answered no channel object`);
    this.#facts.set(channelId, { facts, at: this.now() });
    return facts;
  }
}

import { ChannelType, PermissionFlagsBits } from 'discord.js';
import type { CommandArgs } from '../../commands/types.ts';

/** A channel as an interaction carries it (the channel it ran in, or one picked with an option). */
export interface RawChannel {
  id: string;
  type: number | null;
  name: string | null;
  parentId: string | null;
  /** The caller's permissions there, overwrites applied (only for channels picked with an option). */
  permissions: string | null;
}

/** One option of a slash command or autocomplete, as sent. */
export interface RawOption {
  name: string;
  type: number;
  value: unknown;
  focused: boolean;
}

/**
 * The fields of an interaction (Discord "Interaction Object") the bot acts on, read defensively
 * from the JSON the gateway or the HTTP endpoint delivered. The same for both transports, so one
 * set of handlers serves both.
 */
export interface RawInteraction {
  id: string;
  token: string;
  /** 2 application command, 3 message component, 4 autocomplete (1 PING is answered earlier). */
  type: number;
  applicationId: string;
  guildId: string | null;
  channelId: string | null;
  channel: RawChannel | null;
  userId: string | null;
  /** Whether `member` was present: a guild interaction always has it (see isForgedGuildInteraction). */
  hasMember: boolean;
  /** The caller's permissions in the channel the interaction ran in (`member.permissions`). */
  memberPermissions: string | null;
  /** The bot's own permissions in the channel the interaction ran in (`app_permissions`), overwrites applied. */
  appPermissions: string | null;
  locale: string | null;
  commandName: string | null;
  options: RawOption[];
  /** `data.resolved.channels`: channels picked with a channel option. */
  resolvedChannels: ReadonlyMap<string, RawChannel>;
  /** Message components: the button's custom id and the message it is on. */
  customId: string | null;
  /** Message components: 2 for a button. */
  componentType: number | null;
  messageId: string | null;
  /** Message components: the flags of the message the button is on (0 when not given). */
  messageFlags: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function readChannel(value: unknown, fallbackId: string | null = null): RawChannel | null {
  if (!isObject(value)) return null;
  const id = str(value['id']) ?? fallbackId;
  if (id === null) return null;
  return {
    id,
    type: num(value['type']),
    name: str(value['name']),
    parentId: str(value['parent_id']),
    permissions: str(value['permissions']),
  };
}

/**
 * The interaction in `payload`, or null when it lacks what any answer needs (id, token, type,
 * application id). Never throws: a malformed delivery is dropped by the caller with a log line.
 */
export function readRawInteraction(payload: unknown): RawInteraction | null {
  if (!isObject(payload)) return null;
  const id = str(payload['id']);
  const token = str(payload['token']);
  const type = num(payload['type']);
  const applicationId = str(payload['application_id']);
  if (id === null || token === null || type === null || applicationId === null) return null;
  const data = isObject(payload['data']) ? payload['data'] : {};
  const member = isObject(payload['member']) ? payload['member'] : null;
  const user = isObject(member?.['user']) ? member['user'] : isObject(payload['user']) ? payload['user'] : null;
  const channelId = str(payload['channel_id']) ?? (isObject(payload['channel']) ? str(payload['channel']['id']) : null);
  const resolved = isObject(data['resolved']) && isObject(data['resolved']['channels']) ? data['resolved']['channels'] : {};
  const resolvedChannels = new Map<string, RawChannel>();
  for (const [channelKey, value] of Object.entries(resolved)) {
    const channel = readChannel(value, channelKey);
    if (channel) resolvedChannels.set(channelKey, channel);
  }
  const options: RawOption[] = [];
  if (Array.isArray(data['options'])) {
    for (const option of data['options']) {
      if (!isObject(option) || str(option['name']) === null) continue;
      options.push({ name: String(option['name']), type: num(option['type']) ?? 0, value: option['value'], focused: option['focused'] === true });
    }
  }
  const message = isObject(payload['message']) ? payload['message'] : null;
  return {
    id,
    token,
    type,
    applicationId,
    guildId: str(payload['guild_id']),
    channelId,
    channel: readChannel(payload['channel'], channelId),
    userId: user ? str(user['id']) : null,
    hasMember: member !== null,
    memberPermissions: member ? str(member['permissions']) : null,
    appPermissions: str(payload['app_permissions']),
    locale: str(payload['locale']),
    commandName: str(data['name']),
    options,
    resolvedChannels,
    customId: str(data['custom_id']),
    componentType: num(data['component_type']),
    messageId: message ? str(message['id']) : null,
    messageFlags: message ? (num(message['flags']) ?? 0) : 0,
  };
}

const THREAD_TYPES: readonly number[] = [ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread];

/** The parent of `channel` when it is a thread, else null. */
export function threadParentOf(channel: RawChannel | null | undefined): string | null {
  if (!channel || channel.type === null || !THREAD_TYPES.includes(channel.type)) return null;
  return channel.parentId;
}

/**
 * A guild interaction always carries the caller's `member` (roles, permissions); one without it
 * is forged, and would otherwise read as a DM, where the caller manages their own subscription.
 * Such an interaction is refused.
 */
export function isForgedGuildInteraction(interaction: RawInteraction): boolean {
  return interaction.guildId !== null && !interaction.hasMember;
}

/** Whether a permissions bitfield (decimal string or bigint) includes Manage Server or Manage Channels. */
export function canManageWith(permissions: string | bigint | null): boolean {
  if (permissions === null) return false;
  let bits: bigint;
  try {
    bits = typeof permissions === 'bigint' ? permissions : BigInt(permissions);
  } catch {
    return false;
  }
  return (bits & (PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageChannels)) !== 0n;
}

/** Command arguments from the interaction's options, by the neutral option names. */
export function readArgs(interaction: RawInteraction): CommandArgs {
  const args: CommandArgs = {};
  for (const option of interaction.options) {
    const value = option.value;
    if (value === undefined || value === null) continue;
    switch (option.name) {
      case 'all':
        if (typeof value === 'boolean') args.all = value;
        break;
      case 'channel': {
        // A picked thread is addressed like a command run inside it: parent channel plus thread.
        const parentId = threadParentOf(interaction.resolvedChannels.get(String(value)));
        args.channel = parentId ?? String(value);
        if (parentId !== null) args.thread = String(value);
        break;
      }
      case 'date':
      case 'query':
      case 'time':
      case 'tz':
      case 'language':
      case 'layout':
      case 'tag':
        args[option.name] = String(value);
        break;
      case 'role':
        // The role picker gives the role's id.
        args.role = String(value);
        break;
      case 'silent':
      case 'wordcloud':
      case 'clear_role':
      case 'collapse':
      case 'publish':
        // Neutral switches are words (Telegram types them): a Discord boolean becomes on / off.
        args[option.name] = value === true ? 'on' : value === false ? 'off' : String(value);
        break;
      default:
        break;
    }
  }
  return args;
}

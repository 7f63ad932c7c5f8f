import { PermissionFlagsBits, PermissionsBitField, REST, Routes } from 'discord.js';
import type { PostingPermission, TargetInspection } from '../../commands/types.ts';
import type { Destination } from '../platform.ts';
import { ChannelFactsCache, type ChannelFacts, type PermissionOverwrite } from './channel-facts.ts';

/** A role as `GET /guilds/{id}/roles` lists it. */
interface RoleRow {
  id: string;
  permissions: string;
}

/**
 * A member's permissions in a channel, computed as Discord (and discord.js's
 * `GuildChannel#permissionsFor`) does: @everyone's and the member's roles' permissions, all of them
 * with Administrator; then the channel's overwrites, @everyone's first, the member's roles' next
 * (denies before allows), the member's own last.
 */
export function channelPermissions(
  guildId: string,
  roles: readonly RoleRow[],
  memberId: string,
  memberRoleIds: readonly string[],
  overwrites: readonly PermissionOverwrite[],
): bigint {
  const held = new Set([guildId, ...memberRoleIds]);
  let base = 0n;
  for (const role of roles) if (held.has(role.id)) base |= BigInt(role.permissions);
  if ((base & PermissionFlagsBits.Administrator) !== 0n) return PermissionsBitField.All;
  const apply = (deny: bigint, allow: bigint) => {
    base = (base & ~deny) | allow;
  };
  const everyone = overwrites.find((o) => o.type === 0 && o.id === guildId);
  if (everyone) apply(BigInt(everyone.deny), BigInt(everyone.allow));
  let roleDeny = 0n;
  let roleAllow = 0n;
  for (const o of overwrites) {
    if (o.type !== 0 || o.id === guildId || !held.has(o.id)) continue;
    roleDeny |= BigInt(o.deny);
    roleAllow |= BigInt(o.allow);
  }
  apply(roleDeny, roleAllow);
  const own = overwrites.find((o) => o.type === 1 && o.id === memberId);
  if (own) apply(BigInt(own.deny), BigInt(own.allow));
  return base;
}

/** What a digest needs where it goes, in the order Discord's settings list them. */
function requiredFor(kind: TargetInspection['kind'], withImage: boolean): [PostingPermission, bigint][] {
  const needs: [PostingPermission, bigint][] = [['view-channel', PermissionFlagsBits.ViewChannel]];
  // In a forum, Send Messages is what Discord's settings call Create Posts; later parts go into the post.
  if (kind === 'forum') needs.push(['create-posts', PermissionFlagsBits.SendMessages], ['send-in-threads', PermissionFlagsBits.SendMessagesInThreads]);
  else if (kind === 'thread') needs.push(['send-in-threads', PermissionFlagsBits.SendMessagesInThreads]);
  else needs.push(['send-messages', PermissionFlagsBits.SendMessages]);
  needs.push(['embed-links', PermissionFlagsBits.EmbedLinks]);
  if (withImage) needs.push(['attach-files', PermissionFlagsBits.AttachFiles]);
  return needs;
}

/** What inspecting a place needs of the platform. */
export interface InspectDeps {
  rest: REST;
  channels: ChannelFactsCache;
  botUserId: () => Promise<string>;
  /** The bot's permissions in a channel from the gateway's cache, or null when not cached (or no gateway). */
  cached?: (channelId: string) => bigint | null;
}

/** The bot's permissions in `channel` through REST: the guild's roles and the bot's own roles. */
async function fetchBotPermissions(deps: InspectDeps, channel: ChannelFacts): Promise<bigint | null> {
  if (channel.guildId === null) return null;
  const botId = await deps.botUserId();
  const [roles, member] = await Promise.all([
    deps.rest.get(Routes.guildRoles(channel.guildId)) as Promise<RoleRow[]>,
    deps.rest.get(Routes.guildMember(channel.guildId, botId)) as Promise<{ roles?: string[] }>,
  ]);
  return channelPermissions(channel.guildId, roles, botId, member.roles ?? [], channel.permissionOverwrites);
}

/**
 * What the bot finds at `target`: the kind of place, a forum's tags, and the permissions it lacks
 * to post a digest there. Its permissions come from, in order: `known` (Discord's own figure for
 * the channel an interaction ran in, `app_permissions`), the gateway's cache, or the channel's
 * overwrites and the bot's roles read through REST. A thread is judged by its parent's overwrites.
 * Rejects when Discord cannot be asked.
 */
export async function inspectTarget(deps: InspectDeps, target: Destination, withImage: boolean, known: bigint | null): Promise<TargetInspection> {
  const channel = await deps.channels.refresh(target.chatId);
  const kind = target.threadId !== null ? 'thread' : channel.kind;
  const permissions = known ?? deps.cached?.(target.threadId ?? target.chatId) ?? (await fetchBotPermissions(deps, channel));
  const missingPermissions =
    permissions === null ? [] : requiredFor(kind, withImage).filter(([, flag]) => (permissions & flag) === 0n).map(([name]) => name);
  return { kind, forumTags: kind === 'forum' ? channel.availableTags : [], missingPermissions };
}

/**
 * A one-off inspection through REST alone (the CLI, which has no gateway): `target` as
 * inspectTarget finds it, with the token (and REST root) the bot uses. Rejects when Discord
 * cannot be asked.
 */
export async function inspectThroughRest(token: string, apiBase: string | null, target: Destination, withImage: boolean): Promise<TargetInspection> {
  const rest = new REST({ retries: 1, timeout: 15_000, ...(apiBase ? { api: apiBase } : {}) }).setToken(token);
  try {
    const botUserId = async () => ((await rest.get(Routes.user())) as { id: string }).id;
    return await inspectTarget({ rest, channels: new ChannelFactsCache(rest), botUserId }, target, withImage, null);
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

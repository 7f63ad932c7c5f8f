import type { Destination, PlatformName } from '../words.ts';
import type { Digest } from '../report/digest-types.ts';
import type { SearchOutcome } from '../search/types.ts';

import type { Locale } from '../locale.ts';

export type { Locale };

export type CommandName =
  | 'start'
  | 'help'
  | 'report'
  | 'latest'
  | 'search'
  | 'dates'
  | 'subscribe'
  | 'unsubscribe'
  | 'repost'
  | 'settings'
  | 'status';

/** Arguments as the user gave them (strings); each command validates its own. */
export interface CommandArgs {
  /** `2026-01-03`, `20260103`, `2026/1/3`, `today`, `yesterday`. */
  date?: string;
  /** Discord: a channel id chosen with the `channel` option (defaults to the current channel). */
  channel?: string;
  /**
   * Discord: when the channel picked with the `channel` option is a thread, its id; `channel` is
   * then the thread's parent. So a thread picked by option and a command run inside the thread
   * name the same destination (`{ chatId: parent, threadId: thread }`).
   */
  thread?: string;
  /** `HH:MM` local time of day for this subscription. */
  time?: string;
  /** IANA timezone for `time`. */
  tz?: string;
  /** `/repost … all`: every active subscription (owners only). */
  all?: boolean;
  /** `/search <words>`: the words, as typed. */
  query?: string;
  /** `/settings`, `/subscribe`: Discord role id to mention (`none` to stop); refused on Telegram. */
  role?: string;
  /** `/settings`, `/subscribe`: `on` stops mentioning the role (Discord's role picker cannot say "none"). */
  clear_role?: string;
  /** `/settings`, `/subscribe`: `on` / `off` (Discord booleans arrive as these words). */
  silent?: string;
  /** `/settings`, `/subscribe`: `on` / `off`: whether the word cloud is sent. */
  wordcloud?: string;
  /** `/settings`, `/subscribe`: `zh`, `en` or `default`. */
  language?: string;
  /** `/settings`, `/subscribe`: Discord's digest layout, `components`, `embeds` or `default`; refused on Telegram. */
  layout?: string;
  /** `/settings`, `/subscribe`: `on` / `off` / `default`: Telegram points' details folded; refused on Discord. */
  collapse?: string;
  /** `/settings`, `/subscribe` (Discord forum and media channels): a forum tag's name, or `none`. */
  tag?: string;
  /** `/settings`, `/subscribe` (Discord announcement channels): `on` / `off`: publish each digest. */
  publish?: string;
}

/** A permission the bot needs to post a digest somewhere, named neutrally (each catalogue words it). */
export type PostingPermission = 'view-channel' | 'send-messages' | 'create-posts' | 'send-in-threads' | 'embed-links' | 'attach-files';

/**
 * What the bot finds where it is asked to post (Discord): the kind of place, the forum tags one
 * may apply there, and the permissions it lacks to post a digest.
 */
export interface TargetInspection {
  kind: 'text' | 'announcement' | 'forum' | 'thread' | 'other';
  /** Forum and media channels: the tags their posts may carry; [] elsewhere. */
  forumTags: { id: string; name: string }[];
  /** In the order Discord's settings list them; [] when the bot may post. */
  missingPermissions: PostingPermission[];
}

/** Who asked, where, and what they may do. Built by the platform adapter; neutral from here on. */
export interface CommandContext {
  platform: PlatformName;
  /** Where the command was issued (chat / channel, plus thread or forum topic). */
  destination: Destination;
  /** Human name of the chat or channel, if known (stored with a subscription). */
  chatTitle: string | null;
  /** Discord guild id, or null. */
  guildId: string | null;
  /** The user's id on the platform, or null when unknown (e.g. anonymous channel posts). */
  userId: string | null;
  locale: Locale;
  /** True for a one-to-one chat with the bot, where the user manages their own subscription. */
  isPrivateChat: boolean;
  /** Listed in config `owners` for this platform. */
  isOwner: boolean;
  /**
   * Whether the user may manage `target` (Discord: Manage Server or Manage Channels there;
   * Telegram: creator or administrator, anonymous admins included). Asked lazily: only
   * commands that change something call it.
   */
  canManage(target: Destination): Promise<boolean>;
  /**
   * What the bot finds at `target` (Discord): its kind, forum tags, the permissions it lacks for a
   * digest with (`withImage`) or without the word cloud. Null when it cannot tell (the lookup
   * failed); absent on platforms without such a notion (Telegram).
   */
  inspectTarget?(target: Destination, withImage: boolean): Promise<TargetInspection | null>;
}

/** What a command answers; the adapter turns it into the platform's message. */
export type CommandReply =
  | { kind: 'text'; text: string; /** Discord: visible to the caller only. */ ephemeral?: boolean }
  | { kind: 'digest'; digest: Digest }
  /** Search results (or none, with suggestions); each platform shows them with a way to open each day. */
  | { kind: 'search'; result: SearchOutcome };

/** One option of a command, for registration (Discord options, Telegram help text). */
export interface CommandOption {
  name: 'date' | 'channel' | 'time' | 'tz' | 'all' | 'query' | 'role' | 'clear_role' | 'silent' | 'wordcloud' | 'language' | 'layout' | 'collapse' | 'tag' | 'publish';
  /** `role`: a Discord role picker (Telegram has none; typed as `role:…` there). */
  type: 'string' | 'channel' | 'boolean' | 'role';
  required: boolean;
  autocomplete?: boolean;
  /** Fixed values a string option offers (Discord shows them as choices). */
  choices?: readonly string[];
  /**
   * The platforms whose menus offer the option (absent: all). Elsewhere it is not registered, and
   * the command still refuses it with a reason should it arrive (typed, or from the CLI).
   */
  platforms?: readonly PlatformName[];
  description: Record<Locale, string>;
}

/** Who may run a command. `manage` is re-checked on the server side even where the UI hides it. */
export type CommandPermission = 'anyone' | 'manage';

/** A command defined once, platform-neutral: data for registration plus a handler. */
export interface CommandDefinition {
  name: CommandName;
  description: Record<Locale, string>;
  options: CommandOption[];
  permission: CommandPermission;
  run(args: CommandArgs, context: CommandContext): Promise<CommandReply>;
}

/** What the adapters call: every command, plus date autocomplete. */
export interface CommandRouter {
  readonly definitions: readonly CommandDefinition[];
  handle(name: string, args: CommandArgs, context: CommandContext): Promise<CommandReply>;
  /** Report dates (YYYY-MM-DD), newest first, filtered by what was typed, at most `limit`. */
  autocompleteDates(typed: string, limit: number): string[];
}

/**
 * The delivery path, as commands see it (implemented in delivery/). Reposts go through the same
 * ledger and pacing as scheduled posts.
 */
export interface RepostRequest {
  /** Report slug to post. */
  slug: string;
  /** One destination, or every active subscription (owners only). */
  target: Destination | 'all-subscriptions';
  requestedBy: string;
}

export interface RepostOutcome {
  delivered: number;
  failed: number;
  deactivated: number;
  /** One line per failure, for the reply. */
  errors: string[];
}

export interface Reposter {
  repost(request: RepostRequest): Promise<RepostOutcome>;
}

/**
 * The words every layer speaks — the store, the delivery, the commands, the platforms — kept at
 * the bottom: this module imports nothing of the project, so every import points down to it.
 */

/** Every platform the bot speaks, in the order lists and reports show them. */
export const PLATFORM_NAMES = ['discord', 'telegram'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];

/** Where a digest goes: a Discord channel or thread, a Telegram chat or forum topic. */
export interface Destination {
  platform: PlatformName;
  /** Discord channel id or Telegram chat id, as a string (ids exceed 2^53). */
  chatId: string;
  /** Discord thread id or Telegram forum topic id, or null. */
  threadId: string | null;
}

/**
 * One part of a digest the platform accepted: the Telegram photo or one text chunk, one Discord
 * message. Indexes count from 0 in the order the parts go out.
 */
export interface SentPart {
  index: number;
  messageId: string;
  /**
   * The rendering the part belongs to: '' by default; Telegram's 'text-only' when the picture was
   * dropped (its text parts are laid out differently), so a resume continues the same rendering.
   */
  plan: string;
}

/** `telegram:-100123/42`, `discord:123`: a destination in one token, for notices, logs and keys. */
export function describeDestination(destination: Destination): string {
  const thread = destination.threadId ? `/${destination.threadId}` : '';
  return `${destination.platform}:${destination.chatId}${thread}`;
}

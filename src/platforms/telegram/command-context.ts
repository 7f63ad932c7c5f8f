import type { Api } from 'grammy';
import type { Chat, Message } from 'grammy/types';
import type { CommandContext } from '../../commands/types.ts';
import { localeFrom } from '../../i18n/index.ts';
import type { Logger } from '../../log.ts';
import type { Destination } from '../platform.ts';

/** The user id Telegram shows for messages an anonymous group admin sends. */
export const GROUP_ANONYMOUS_BOT_ID = 1087968824;

/**
 * Where a message came from: its chat, plus the forum topic when it was posted in one (replies
 * in ordinary groups also carry a `message_thread_id`, which is not a topic and must not be used).
 */
export function destinationOf(message: Message): Destination {
  const topic = message.is_topic_message === true && message.message_thread_id !== undefined;
  return {
    platform: 'telegram',
    chatId: String(message.chat.id),
    threadId: topic ? String(message.message_thread_id) : null,
  };
}

/**
 * The neutral CommandContext for a message or channel post. `canManage` asks Telegram lazily:
 * the user's own private chat, a post by the channel itself (only admins can post there) and an
 * anonymous admin (GroupAnonymousBot, or `sender_chat` = the chat) may manage the chat they are in;
 * anyone else must be its creator or an administrator per getChatMember.
 */
export function buildCommandContext(
  message: Message,
  options: { api: Api; owners: readonly string[]; logger: Logger },
): CommandContext {
  const { chat, from } = message;
  const destination = destinationOf(message);
  const postedAsChat = message.sender_chat?.id === chat.id;
  const anonymousAdmin = from?.id === GROUP_ANONYMOUS_BOT_ID || postedAsChat;
  const userId = from && from.id !== GROUP_ANONYMOUS_BOT_ID && !postedAsChat ? String(from.id) : null;
  return {
    platform: 'telegram',
    destination,
    chatTitle: titleOf(chat),
    guildId: null,
    userId,
    locale: localeFrom(from?.language_code),
    isPrivateChat: chat.type === 'private',
    isOwner: userId !== null && options.owners.includes(userId),
    async canManage(target) {
      if (target.platform !== 'telegram') return false;
      const here = target.chatId === destination.chatId;
      if (here && (chat.type === 'private' || anonymousAdmin)) return true;
      if (userId === null) return false;
      try {
        const member = await options.api.getChatMember(target.chatId, Number(userId));
        return member.status === 'creator' || member.status === 'administrator';
      } catch (error) {
        // Not a member there, or the bot cannot see the chat: not allowed, and say why in the log.
        options.logger.warn(
          { event: 'telegram-permission-check-failed', chat: target.chatId, user: userId, reason: String(error) },
          'could not check chat membership',
        );
        return false;
      }
    },
  };
}

function titleOf(chat: Chat): string | null {
  if (chat.type !== 'private') return chat.title;
  const name = [chat.first_name, chat.last_name].filter(Boolean).join(' ');
  return name || (chat.username ? `@${chat.username}` : null);
}

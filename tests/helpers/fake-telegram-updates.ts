import type { Update } from 'grammy/types';
import type { FakeChat, SendTextOptions } from './fake-telegram.ts';

/** The id Telegram uses for messages from anonymous group admins. */
export const GROUP_ANONYMOUS_BOT_ID = 1087968824;

/**
 * A realistic text update for the fake Bot API server: `message` from a user (or an anonymous
 * admin, `from` = GroupAnonymousBot with `sender_chat` = the group), or `channel_post` in a
 * channel; a leading `/command` gets its `bot_command` entity, a forum topic its thread id.
 */
export function buildTextUpdate(chat: FakeChat, text: string, opts: SendTextOptions, messageId: number): Omit<Update, 'update_id'> {
  const chatObject =
    chat.type === 'private'
      ? { id: chat.id, type: 'private' as const, first_name: chat.title ?? 'User' }
      : { id: chat.id, type: chat.type, title: chat.title ?? `Chat ${chat.id}`, ...(chat.isForum ? { is_forum: true as const } : {}) };
  const command = /^\/\S+/.exec(text);
  const message: Record<string, unknown> = {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: chatObject,
    text,
    ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
  };
  if (opts.threadId !== undefined) {
    message.message_thread_id = opts.threadId;
    message.is_topic_message = true;
  }
  if (opts.asChannelPost || chat.type === 'channel') {
    message.sender_chat = chatObject;
    return { channel_post: message } as unknown as Omit<Update, 'update_id'>;
  }
  if (opts.anonymousAdmin) {
    message.from = { id: GROUP_ANONYMOUS_BOT_ID, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' };
    message.sender_chat = chatObject;
  } else {
    const from = opts.from ?? { id: chat.id };
    message.from = {
      id: from.id,
      is_bot: false,
      first_name: `User ${from.id}`,
      ...(from.language_code ? { language_code: from.language_code } : {}),
    };
  }
  return { message } as unknown as Omit<Update, 'update_id'>;
}

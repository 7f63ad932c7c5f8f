import { GrammyError, InputFile, type Api, type Bot } from 'grammy';
import type { CallbackQuery } from 'grammy/types';
import type { CommandContext, CommandReply, CommandRouter } from '../../commands/types.ts';
import { localeFrom, messages } from '../../i18n/index.ts';
import type { Logger } from '../../log.ts';
import { decodeAction, type ButtonAction } from '../../render/button-actions.ts';
import { TELEGRAM_LIMITS } from '../../render/limits.ts';
import { telegramNavigationKeyboard } from '../../render/navigation-buttons.ts';
import { renderTelegramCalls, telegramCaption } from '../../render/telegram.ts';
import type { Digest } from '../../report/digest-types.ts';
import type { Destination } from '../platform.ts';
import { photoKey, type PhotoFileIds } from './photo-file-ids.ts';
import { sendTelegramCalls } from './send-calls.ts';
import { sendTelegramDigest } from './send-digest.ts';
import { fileBytes } from '../file-bytes.ts';
import { runDetached } from './detached-tasks.ts';
import { isNotModified } from './edit-digest.ts';

export interface CallbackReceiverOptions {
  router: CommandRouter;
  owners: readonly string[];
  logger: Logger;
  photos?: PhotoFileIds;
  /** How the digest a press shows is rendered (folded details, the report link's preview); defaults: neither. */
  rendering?: { collapseDetails: boolean; previewReportLink: boolean };
}

/**
 * Answers inline keyboard presses (`callback_query`). Previous / next edits the digest in place:
 * the text message with editMessageText (new text, new keyboard) and, when the buttons name the
 * digest's photo message, the picture with editMessageMedia (or only its caption when the new day
 * has no picture yet). Every press is answered with answerCallbackQuery, so the client stops
 * spinning, even when editing failed. The date comes from the button and the report from the
 * library, so buttons on old messages keep working after restarts. Tasks run detached and are
 * tracked in `running` (stop() waits for them).
 */
export function receiveCallbacks(bot: Bot, options: CallbackReceiverOptions, running: Set<Promise<void>>): void {
  bot.on('callback_query:data', (ctx) => {
    runDetached(running, () => answerPress(bot.api, ctx.callbackQuery, options), options.logger, ctx.update.update_id);
  });
}

function pressContext(query: CallbackQuery, destination: Destination, owners: readonly string[]): CommandContext {
  const userId = String(query.from.id);
  return {
    platform: 'telegram',
    destination,
    chatTitle: null,
    guildId: null,
    userId,
    locale: localeFrom(query.from.language_code),
    isPrivateChat: query.message?.chat.type === 'private',
    isOwner: owners.includes(userId),
    // Reading is public; a button never changes a subscription.
    canManage: async () => false,
  };
}

async function answerPress(api: Api, query: CallbackQuery, options: CallbackReceiverOptions): Promise<void> {
  const { logger } = options;
  const locale = localeFrom(query.from.language_code);
  let notice: string | null = null;
  try {
    const action = decodeAction(query.data ?? '');
    const message = query.message;
    if (action === null || !message) {
      // Not ours, or pressed on an inline-mode message we never put buttons on.
      notice = messages(locale).errors.staleButton;
      return;
    }
    const destination: Destination = {
      platform: 'telegram',
      chatId: String(message.chat.id),
      threadId: message.is_topic_message === true && message.message_thread_id !== undefined ? String(message.message_thread_id) : null,
    };
    const reply: CommandReply = await options.router.handle('report', { date: action.date }, pressContext(query, destination, options.owners));
    if (reply.kind !== 'digest') {
      notice = reply.kind === 'text' ? reply.text : messages(locale).errors.apology;
      return;
    }
    if (action.kind === 'open') {
      await sendTelegramDigest(api, destination, reply.digest, logger, options.photos ? { photos: options.photos } : {});
      return;
    }
    await showInPlace(api, destination, message.message_id, action, reply.digest, options);
  } catch (error) {
    logger.warn({ event: 'telegram-button-failed', data: query.data, reason: error instanceof Error ? error.message : String(error) }, 'button press failed');
    notice = messages(locale).errors.apology;
  } finally {
    const text = notice === null ? {} : { text: notice.slice(0, TELEGRAM_LIMITS.callbackAnswerChars), show_alert: true };
    await api.answerCallbackQuery(query.id, text).catch((error: unknown) =>
      logger.warn({ event: 'telegram-callback-answer-failed', reason: error instanceof Error ? error.message : String(error) }, 'answerCallbackQuery failed'),
    );
  }
}


async function ignoreNotModified(edit: Promise<unknown>): Promise<void> {
  try {
    await edit;
  } catch (error) {
    if (!isNotModified(error)) throw error;
  }
}

/**
 * Replaces the digest shown in `messageId` (and its photo message, when the buttons name one) with
 * `digest`. A digest too long for one message continues in new messages after it: Telegram cannot
 * edit one message into several.
 */
async function showInPlace(
  api: Api,
  destination: Destination,
  messageId: number,
  action: Extract<ButtonAction, { kind: 'show' }>,
  digest: Digest,
  options: CallbackReceiverOptions,
): Promise<void> {
  const chatId = destination.chatId;
  const photoMessageId = action.photoMessageId;
  if (photoMessageId !== undefined) await editPhoto(api, chatId, Number(photoMessageId), digest, options);

  const texts = renderTelegramCalls({ ...digest, image: null }, options.rendering ?? {}).filter((call) => call.method === 'sendMessage');
  const [first, ...rest] = texts;
  if (!first || first.method !== 'sendMessage') return;
  const keyboard = telegramNavigationKeyboard(digest, photoMessageId);
  await ignoreNotModified(
    api.editMessageText(chatId, messageId, first.params.text, {
      parse_mode: 'HTML',
      link_preview_options: first.params.link_preview_options,
      ...(keyboard ? { reply_markup: keyboard } : {}),
    }),
  );
  if (rest.length > 0) {
    const plain = rest.map((call) => {
      if (call.method !== 'sendMessage') return call;
      const { reply_markup: _keyboard, ...params } = call.params;
      return { ...call, params };
    });
    await sendTelegramCalls(api, destination, plain, options.logger);
  }
}

/**
 * The digest's photo message shows the new day's word cloud and caption (by file_id when
 * Telegram has the picture already). Without a picture for the new day only the caption changes,
 * saying so, since a photo message cannot become a text message. A failure here is logged and
 * the text is still edited.
 */
async function editPhoto(api: Api, chatId: string, photoMessageId: number, digest: Digest, options: CallbackReceiverOptions): Promise<void> {
  const caption = telegramCaption(digest);
  try {
    if (!digest.image) {
      await ignoreNotModified(api.editMessageCaption(chatId, photoMessageId, { caption, parse_mode: 'HTML' }));
      return;
    }
    const key = options.photos ? await photoKey(digest.image.path) : null;
    const source = key !== null && options.photos ? await options.photos.source(key) : null;
    let fileId: string | null = null;
    try {
      const media = source?.kind === 'file-id' ? source.fileId : new InputFile(await fileBytes(digest.image.path), digest.image.name);
      const edited = await api.editMessageMedia(chatId, photoMessageId, { type: 'photo', media, caption, parse_mode: 'HTML' });
      const sizes = edited !== true ? (edited.photo ?? []) : [];
      fileId = sizes.at(-1)?.file_id ?? null;
    } finally {
      if (source?.kind === 'upload') source.settle(fileId);
    }
  } catch (error) {
    if (isNotModified(error)) return;
    options.logger.warn(
      { event: 'telegram-photo-edit-failed', chat: chatId, message: photoMessageId, reason: error instanceof Error ? error.message : String(error) },
      'could not replace the word cloud; editing the text only',
    );
  }
}

import { GrammyError, InputFile, type Api } from 'grammy';
import type { Logger } from '../../log.ts';
import type { TelegramCall } from '../../render/payload-types.ts';
import type { Digest } from '../../report/digest-types.ts';
import { describeDestination } from '../../words.ts';
import { DEFAULT_PRESENTATION, type Destination, type DigestEditResult, type DigestPresentation, type SentPart } from '../platform.ts';
import { fileBytes } from '../file-bytes.ts';
import { isGoneForBot } from './classify-error.ts';
import { TEXT_ONLY_PLAN, planOf, renderChoiceOf, rendered, withPhotoReference, type TelegramRendering } from './send-digest.ts';

/** Telegram's refusal of an edit that would change nothing: the message shows the digest already. */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && /message is not modified/i.test(error.description);
}

/**
 * Refusals that mean this message can no longer be edited (deleted, too old, not the bot's); with
 * the chat gone for the bot (classify-error's rule), a correction reports them and never sends anew.
 */
const MESSAGE_NOT_EDITABLE = [/message to edit not found/i, /message can't be edited/i, /MESSAGE_ID_INVALID/i];

function notEditableReason(error: unknown): string | null {
  if (!(error instanceof GrammyError)) return null;
  if (isGoneForBot(error) || MESSAGE_NOT_EDITABLE.some((re) => re.test(error.description))) return error.description;
  return null;
}

/**
 * Edits the messages of a delivered digest to `digest`, part by part, with the same rendering the
 * delivery used (the picture first unless the ledger's parts say the text-only plan): the photo's
 * picture and caption with editMessageMedia (editMessageCaption when the digest has no picture),
 * each text with editMessageText. A part Telegram finds unchanged counts as unchanged. Rate limits
 * are waited out by the api's transformers; a message that cannot be edited any more ends the
 * correction with its reason; any other refusal is thrown (grammY's error) for the caller to
 * classify. Nothing is ever sent anew.
 */
export async function editTelegramDigest(
  api: Api,
  destination: Destination,
  digest: Digest,
  delivered: readonly SentPart[],
  logger: Logger,
  presentation: DigestPresentation = DEFAULT_PRESENTATION,
  configured: TelegramRendering = {},
): Promise<DigestEditResult> {
  const textOnly = delivered.some((part) => part.plan === TEXT_ONLY_PLAN) || !presentation.withImage;
  const { calls } = rendered(digest, { ...renderChoiceOf(presentation, configured), withImage: !textOnly });
  const sorted = [...delivered].sort((a, b) => a.index - b.index);
  const deliveredPlan = textOnly ? TEXT_ONLY_PLAN : sorted[0]?.plan ?? '';
  if (calls.length !== sorted.length || planOf(calls) !== deliveredPlan) {
    return {
      status: 'not-editable',
      edited: 0,
      reason: `the corrected digest needs ${calls.length} message(s) (${planOf(calls) === TEXT_ONLY_PLAN ? 'text only' : 'picture first'}) where ${sorted.length} were delivered; Telegram cannot add or remove messages by editing`,
    };
  }
  const done = new Map(sorted.map((part) => [part.index, part]));
  let edited = 0;
  let unchanged = 0;
  for (const [index, call] of calls.entries()) {
    const part = sorted[index]!;
    try {
      await editOne(api, destination.chatId, Number(part.messageId), withPhotoReference(call, calls, done), digest);
      edited += 1;
    } catch (error) {
      if (isNotModified(error)) {
        unchanged += 1;
        continue;
      }
      const reason = notEditableReason(error);
      if (reason === null) throw error;
      logger.warn(
        { event: 'telegram-edit-refused', destination: describeDestination(destination), messageId: part.messageId, reason },
        'a delivered message can no longer be edited',
      );
      return { status: 'not-editable', edited, reason: `message ${part.messageId}: ${reason}` };
    }
  }
  logger.info({ event: 'telegram-digest-edited', destination: describeDestination(destination), slug: digest.slug, edited, unchanged }, 'digest corrected in place');
  return { status: 'edited', edited, unchanged };
}

async function editOne(api: Api, chatId: string, messageId: number, call: TelegramCall, digest: Digest): Promise<void> {
  if (call.method === 'sendPhoto') {
    const { caption, parse_mode, show_caption_above_media } = call.params;
    const above = show_caption_above_media === undefined ? {} : { show_caption_above_media };
    if (!digest.image) {
      await api.editMessageCaption(chatId, messageId, { caption, parse_mode, ...above });
      return;
    }
    await api.editMessageMedia(chatId, messageId, {
      type: 'photo',
      media: new InputFile(await fileBytes(call.photo.path), call.photo.name),
      caption,
      parse_mode,
      ...above,
    });
    return;
  }
  const { text, parse_mode, link_preview_options, reply_markup } = call.params;
  await api.editMessageText(chatId, messageId, text, { parse_mode, link_preview_options, ...(reply_markup ? { reply_markup } : {}) });
}

import { TELEGRAM_LIMITS } from '../../src/render/limits.ts';
import { parseTelegramHtml } from '../../src/render/telegram-html.ts';

/** Why Telegram would refuse a value, worded like its 400 descriptions; null when it is fine. */
export type Refusal = string | null;

/**
 * An `InlineKeyboardMarkup` as Telegram checks it: rows of buttons, each with a non-empty `text`
 * and exactly one action; `callback_data` of 1–64 bytes; `url` with http(s) or tg scheme.
 */
export function checkInlineKeyboard(markup: unknown): Refusal {
  if (markup === undefined) return null;
  const rows = (markup as { inline_keyboard?: unknown } | null)?.inline_keyboard;
  if (!Array.isArray(rows)) return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array';
  for (const row of rows) {
    if (!Array.isArray(row)) return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays';
    for (const button of row as Record<string, unknown>[]) {
      if (typeof button['text'] !== 'string' || button['text'].trim() === '') return 'Bad Request: text buttons are unallowed in the inline keyboard';
      const data = button['callback_data'];
      const url = button['url'];
      if ((data === undefined) === (url === undefined)) return 'Bad Request: can\'t parse inline keyboard button: exactly one action is required';
      if (data !== undefined) {
        const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
        if (bytes < 1 || bytes > TELEGRAM_LIMITS.callbackDataBytes) return 'Bad Request: BUTTON_DATA_INVALID';
      }
      if (url !== undefined && !(typeof url === 'string' && /^(https?|tg):\/\//.test(url))) return 'Bad Request: BUTTON_URL_INVALID';
    }
  }
  return null;
}

/** Bot API `LinkPreviewOptions`, the fields the bot may send. */
export interface LinkPreviewOptions {
  is_disabled?: boolean;
  url?: string;
  prefer_small_media?: boolean;
  prefer_large_media?: boolean;
  show_above_text?: boolean;
}

const PREVIEW_FLAGS = ['is_disabled', 'prefer_small_media', 'prefer_large_media', 'show_above_text'] as const;

/**
 * `link_preview_options` as the Bot API reads them: a JSON object whose documented fields have
 * their documented types (booleans, `url` a string); a malformed one is refused.
 */
export function checkLinkPreview(value: unknown): Refusal {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'Bad Request: can\'t parse link preview options JSON object';
  const options = value as Record<string, unknown>;
  if (PREVIEW_FLAGS.some((flag) => options[flag] !== undefined && typeof options[flag] !== 'boolean')) return 'Bad Request: can\'t parse link preview options JSON object';
  if (options['url'] !== undefined && typeof options['url'] !== 'string') return 'Bad Request: can\'t parse link preview options JSON object';
  return null;
}

/** The preview options as sent (already checked), or null when absent. */
export function readLinkPreview(value: unknown): LinkPreviewOptions | null {
  return value === undefined || value === null ? null : (value as LinkPreviewOptions);
}

/** HTML text or caption after entity parsing, or the refusal. */
export function parseText(text: unknown, parseMode: unknown, max: number, what: 'message' | 'caption'): { plain: string } | { refusal: string } {
  const raw = text === undefined ? '' : String(text);
  let plain = raw;
  if (parseMode !== undefined && parseMode !== null) {
    if (parseMode !== 'HTML') return { refusal: `Bad Request: unsupported parse_mode ${String(parseMode)}` };
    const parsed = parseTelegramHtml(raw);
    if (!parsed.ok) return { refusal: `Bad Request: can't parse entities: ${parsed.error}` };
    plain = parsed.text;
  }
  if (what === 'message' && plain.trim() === '') return { refusal: 'Bad Request: message text is empty' };
  if (plain.length > max) return { refusal: what === 'message' ? 'Bad Request: message is too long' : 'Bad Request: message caption is too long' };
  return { plain };
}

/**
 * An answerInlineQuery `results` array as Telegram checks it: at most 50, unique ids of 1–64
 * bytes; `article` results need a title and `input_message_content.message_text` (≤ 4,096 after
 * parsing); `photo` results with `photo_file_id` (cached) need a file_id the fake issued, caption
 * ≤ 1,024; every reply_markup is a valid inline keyboard.
 */
export function checkInlineResults(results: unknown, knownFileId: (id: string) => boolean): Refusal {
  if (!Array.isArray(results)) return 'Bad Request: results must be an Array';
  if (results.length > TELEGRAM_LIMITS.inlineResults) return 'Bad Request: RESULTS_TOO_MUCH';
  const ids = new Set<string>();
  for (const raw of results as Record<string, unknown>[]) {
    const id = raw['id'];
    if (typeof id !== 'string' || Buffer.byteLength(id) < 1 || Buffer.byteLength(id) > TELEGRAM_LIMITS.inlineResultIdBytes) return 'Bad Request: RESULT_ID_INVALID';
    if (ids.has(id)) return 'Bad Request: RESULT_ID_DUPLICATE';
    ids.add(id);
    const keyboard = checkInlineKeyboard(raw['reply_markup']);
    if (keyboard) return keyboard;
    if (raw['type'] === 'article') {
      if (typeof raw['title'] !== 'string' || raw['title'] === '') return 'Bad Request: RESULT_TITLE_EMPTY';
      const content = raw['input_message_content'] as Record<string, unknown> | undefined;
      if (!content) return 'Bad Request: input_message_content is required';
      const parsed = parseText(content['message_text'], content['parse_mode'], TELEGRAM_LIMITS.messageChars, 'message');
      if ('refusal' in parsed) return parsed.refusal;
    } else if (raw['type'] === 'photo') {
      const fileId = raw['photo_file_id'];
      if (typeof fileId !== 'string' || !knownFileId(fileId)) return 'Bad Request: wrong file identifier/HTTP URL specified';
      const parsed = parseText(raw['caption'] ?? '', raw['parse_mode'], TELEGRAM_LIMITS.captionChars, 'caption');
      if ('refusal' in parsed) return parsed.refusal;
    } else {
      return `Bad Request: unsupported inline result type ${String(raw['type'])}`;
    }
  }
  return null;
}

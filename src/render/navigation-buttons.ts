import { messages } from '../i18n/index.ts';
import { DEFAULT_LOCALE, type Locale } from '../locale.ts';
import type { Digest } from '../report/digest-types.ts';
import { decodeAction, encodeAction } from './button-actions.ts';
import { safeLinkUrl } from './link-segments.ts';
import type { DiscordActionRow, DiscordButton, TelegramInlineButton, TelegramInlineKeyboard } from './payload-types.ts';

/** What the buttons say in the default locale; dates are the same in every language. */
export const NAVIGATION_LABELS = { previous: '◀', next: '▶', fullReport: '完整报告' } as const;

/**
 * Discord's row under a digest with navigation: previous and next date (disabled at either end of
 * the archive, so the row keeps its shape) and a link button to the full report when there is one.
 * Null when the digest has no navigation.
 */
export function discordNavigationRow(digest: Digest, locale: Locale = DEFAULT_LOCALE): DiscordActionRow | null {
  const navigation = digest.navigation;
  if (!navigation) return null;
  const dateButton = (side: 'previous' | 'next', date: string | null): DiscordButton => {
    const arrow = NAVIGATION_LABELS[side];
    if (date === null) {
      // A disabled button still needs a custom_id, unique in the message.
      return { type: 2, style: 2, label: arrow, custom_id: `none:${side}`, disabled: true };
    }
    const label = side === 'previous' ? `${arrow} ${date}` : `${date} ${arrow}`;
    return { type: 2, style: 2, label, custom_id: encodeAction({ kind: 'show', date }) };
  };
  const components: DiscordButton[] = [dateButton('previous', navigation.previous), dateButton('next', navigation.next)];
  const url = digest.url ? safeLinkUrl(digest.url) : null;
  if (url !== null) components.push({ type: 2, style: 5, label: messages(locale).digest.fullReport, url });
  return { type: 1, components };
}

/**
 * Telegram's inline keyboard under a digest with navigation: previous and next date (absent at
 * either end: Telegram has no disabled buttons), then the full report link when there is one.
 * `photoMessageId` is the digest's photo message, edited along with the text when pressed.
 */
export function telegramNavigationKeyboard(
  digest: Digest,
  photoMessageId?: string,
  locale: Locale = DEFAULT_LOCALE,
): TelegramInlineKeyboard | null {
  const navigation = digest.navigation;
  if (!navigation) return null;
  const photo = photoMessageId === undefined ? {} : { photoMessageId };
  const row: TelegramInlineButton[] = [];
  if (navigation.previous !== null) {
    row.push({ text: `${NAVIGATION_LABELS.previous} ${navigation.previous}`, callback_data: encodeAction({ kind: 'show', date: navigation.previous, ...photo }) });
  }
  if (navigation.next !== null) {
    row.push({ text: `${navigation.next} ${NAVIGATION_LABELS.next}`, callback_data: encodeAction({ kind: 'show', date: navigation.next, ...photo }) });
  }
  const rows: TelegramInlineButton[][] = row.length > 0 ? [row] : [];
  const url = digest.url ? safeLinkUrl(digest.url) : null;
  if (url !== null) rows.push([{ text: messages(locale).digest.fullReport, url }]);
  return rows.length > 0 ? { inline_keyboard: rows } : null;
}

/**
 * The same keyboard with `photoMessageId` in each previous / next button, once the digest's photo
 * has gone out and its message id is known: a press then edits the photo along with the text.
 */
export function withPhotoMessage(keyboard: TelegramInlineKeyboard, photoMessageId: string): TelegramInlineKeyboard {
  return {
    inline_keyboard: keyboard.inline_keyboard.map((row) =>
      row.map((button) => {
        if (!('callback_data' in button)) return button;
        const action = decodeAction(button.callback_data);
        if (action?.kind !== 'show') return button;
        return { ...button, callback_data: encodeAction({ ...action, photoMessageId }) };
      }),
    ),
  };
}

import type { Locale } from '../locale.ts';
import { en } from './en.ts';
import { zh, type Messages } from './zh.ts';

export type { Messages };
export type { Locale };

const catalogues: Record<Locale, Messages> = { zh, en };

/** The message catalogue for a locale. */
export function messages(locale: Locale): Messages {
  return catalogues[locale];
}

/**
 * The bot's locale for a client language code (Discord `en-US`, Telegram `en`): English for any
 * `en` variant, Chinese (the reports' language) for everything else, unknown included.
 */
export function localeFrom(code: string | null | undefined): Locale {
  if (!code) return 'zh';
  const primary = code.trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'en' ? 'en' : 'zh';
}

/** Both languages' text for one message, for command registration (descriptions carry both). */
export function bothLocales(pick: (m: Messages) => string): Record<Locale, string> {
  return { zh: pick(zh), en: pick(en) };
}

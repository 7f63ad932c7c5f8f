/**
 * Languages the bot speaks: Chinese (the reports' language) by default, English on request.
 * A word every layer speaks (commands, the store, the renderers), so it imports nothing of ours.
 */
export type Locale = 'zh' | 'en';

/** Every locale, default first. */
export const LOCALES: readonly Locale[] = ['zh', 'en'];

/** The bot's default locale: the reports' language. */
export const DEFAULT_LOCALE: Locale = 'zh';

/** True for a supported locale code (`zh`, `en`). */
export function isLocale(value: unknown): value is Locale {
  return value === 'zh' || value === 'en';
}

import { messages } from '../i18n/index.ts';
import { DEFAULT_LOCALE, type Locale } from '../locale.ts';
import type { Digest } from '../report/digest-types.ts';

/**
 * The digest's title in `locale`. Only the date range of a multi-day report has words of ours in it
 * (`… · 2026-01-05 至 2026-01-11`, src/report/condense.ts); the prefix is the operator's
 * (`digest.titlePrefix`) and stays as configured. A title not in that shape is left alone.
 */
export function localizedTitle(digest: Pick<Digest, 'title' | 'dateStart' | 'dateEnd'>, locale: Locale = DEFAULT_LOCALE): string {
  if (locale === DEFAULT_LOCALE || digest.dateStart === digest.dateEnd) return digest.title;
  const zhRange = messages(DEFAULT_LOCALE).digest.dateRange(digest.dateStart, digest.dateEnd);
  if (!digest.title.endsWith(zhRange)) return digest.title;
  return `${digest.title.slice(0, -zhRange.length)}${messages(locale).digest.dateRange(digest.dateStart, digest.dateEnd)}`;
}

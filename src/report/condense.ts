import type { Digest, DigestImage } from './digest-types.ts';
import { findCut, measure } from './text-cut.ts';
import type { Report } from './types.ts';

/** How a report becomes a digest (from config `digest.*`). */
export interface CondenseOptions {
  /** Details longer than this many characters (code points) are shortened, "…" included. */
  detailMaxChars: number;
  /** e.g. `https://example.com/{yyyy}/{mm}/{dd}/{slug}.html`; null for no link. */
  reportUrlTemplate: string | null;
  /** e.g. `Twitter AI 报告`. */
  titlePrefix: string;
}

const ELLIPSIS = '…';
/** Trailing punctuation replaced by the ellipsis (`句子。…` reads worse than `句子…`). */
const TRAILING_PUNCTUATION = /[\s。！？；，、：.!?;,:]+$/u;

/**
 * Shortens text to at most `maxChars` characters (code points, the "…" included): at the last
 * sentence or clause boundary (`。！？；，` and `.!?;,` before a space) if one lies at least 40% in,
 * else at a space, else at the limit without splitting a grapheme or, when avoidable, an ASCII
 * word. Text that fits is returned unchanged.
 */
export function shortenText(text: string, maxChars: number): string {
  if (measure(text, 'codepoint') <= maxChars) return text;
  const budget = Math.max(1, maxChars - 1);
  const cut = findCut(text, budget, {
    unit: 'codepoint',
    preference: [['newline', 'sentence', 'clause'], ['space']],
  });
  const kept = cut ? text.slice(0, cut.end) : text;
  const trimmed = kept.replace(TRAILING_PUNCTUATION, '');
  return `${trimmed.length > 0 ? trimmed : kept}${ELLIPSIS}`;
}

/** Fills `{slug} {dateStart} {dateEnd} {yyyy} {mm} {dd}` (the last three of dateStart). */
export function fillReportUrl(template: string, report: Pick<Report, 'slug' | 'dateStart' | 'dateEnd'>): string {
  const [yyyy = '', mm = '', dd = ''] = report.dateStart.split('-');
  const values: Record<string, string> = {
    slug: report.slug,
    dateStart: report.dateStart,
    dateEnd: report.dateEnd,
    yyyy,
    mm,
    dd,
  };
  return template.replace(/\{(slug|dateStart|dateEnd|yyyy|mm|dd)\}/g, (_, key: string) =>
    encodeURIComponent(values[key] ?? ''),
  );
}

/**
 * `Twitter AI 报告 · 2026-01-03`, or `… · 2026-01-05 至 2026-01-11` for a range (in the default
 * locale; render/digest-labels.ts gives the range in another, keep the two in step).
 */
export function digestTitle(prefix: string, dateStart: string, dateEnd: string): string {
  return dateEnd === dateStart ? `${prefix} · ${dateStart}` : `${prefix} · ${dateStart} 至 ${dateEnd}`;
}

/**
 * The platform-neutral digest of a report: every point kept in order, details shortened, the
 * title and link filled in. Pure: the image is resolved by the caller.
 */
export function condenseReport(
  report: Report,
  options: CondenseOptions,
  image: DigestImage | null,
  note: string | null = null,
): Digest {
  return {
    slug: report.slug,
    contentHash: report.contentHash,
    dateStart: report.dateStart,
    dateEnd: report.dateEnd,
    title: digestTitle(options.titlePrefix, report.dateStart, report.dateEnd),
    headline: report.headline,
    points: report.points.map((point) => {
      const detail = shortenText(point.detail, options.detailMaxChars);
      // A link whose text was cut away with the detail goes with it.
      const links = point.links?.filter((link) => point.title.includes(link.text) || detail.includes(link.text));
      return { title: point.title, detail, ...(links && links.length > 0 ? { links } : {}) };
    }),
    url: options.reportUrlTemplate ? fillReportUrl(options.reportUrlTemplate, report) : null,
    publishedAt: report.publishedAt,
    image,
    note: note !== null && note.trim() !== '' ? note.trim() : null,
  };
}

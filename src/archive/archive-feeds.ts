import { Feed } from 'feed';
import type { ReportEntry } from '../report/library.ts';
import type { CorePoint } from '../report/types.ts';
import { linkSegments } from '../render/link-segments.ts';
import { escapeHtml } from '../render/telegram-html.ts';
import { describePoints, SITE_NAME } from './archive-pages.ts';
import type { ArchivedReport } from './archive-source.ts';
import { reportPagePath } from './report-links.ts';

/** How many of the newest reports a feed carries. */
export const FEED_ENTRIES = 30;

/** One feed entry: the report, its index entry (for `updated`) and whether it has a picture. */
export interface FeedReport {
  view: ArchivedReport;
  entry: ReportEntry;
  /** Absolute URL of the word cloud (ending `.png` or `.jpg`: the feed's media type comes from it), or null. */
  image: string | null;
}

/** The two feeds of one moment, and when the newest of their reports last changed. */
export interface BuiltFeeds {
  atom: string;
  json: string;
  updated: Date;
}

/** An entry id that never changes with PUBLIC_URL or the host name: a tag URI of the report's slug. */
export function entryId(slug: string): string {
  return `tag:ai-digest-bot,2026:report/${encodeURIComponent(slug)}`;
}

/** The points as HTML (an ordered list; links kept when http/https; everything escaped). */
export function pointsHtml(points: readonly CorePoint[]): string {
  const linked = (text: string, point: CorePoint): string =>
    linkSegments(text, point.links)
      .map((s) => (s.url ? `<a href="${escapeHtml(s.url)}">${escapeHtml(s.text)}</a>` : escapeHtml(s.text)))
      .join('');
  const items = points.map((p) => `<li><strong>${linked(p.title, p)}</strong>${p.detail ? ` ${linked(p.detail, p)}` : ''}</li>`);
  return `<ol>${items.join('')}</ol>`;
}

/**
 * The Atom 1.0 and JSON Feed 1.1 documents for the newest reports, built with the `feed`
 * library: entries carry a stable id, `updated` (the file's last change), the page link, the
 * points as HTML and the word cloud (Atom `link rel="enclosure"`, JSON Feed `image`).
 */
export function buildFeeds(reports: readonly FeedReport[], origin: string): BuiltFeeds {
  const updated = new Date(Math.max(0, ...reports.map((r) => Math.floor(r.entry.mtimeMs / 1000) * 1000)));
  const feed = new Feed({
    id: `${origin}/`,
    title: SITE_NAME,
    description: '每日 Twitter AI 报告：十条要点、链接与词云',
    link: `${origin}/`,
    language: 'zh-Hans',
    updated,
    generator: 'ai-digest-bot',
    feedLinks: { atom: `${origin}/feed.xml`, json: `${origin}/feed.json` },
  });
  for (const { view, entry, image } of reports) {
    const link = `${origin}${reportPagePath(view.report.dateStart)}`;
    feed.addItem({
      id: entryId(view.report.slug),
      title: view.title,
      link,
      date: new Date(Math.floor(entry.mtimeMs / 1000) * 1000),
      ...(view.report.publishedAt ? { published: new Date(view.report.publishedAt) } : {}),
      // Atom says type="html": the summary is escaped like the content.
      description: escapeHtml(describePoints(view.report.points)),
      content: pointsHtml(view.report.points),
      ...(image ? { image } : {}),
    });
  }
  // The library writes JSON Feed 1; every field it writes means the same in 1.1 (and `authors`
  // is not used), so the version is all that changes.
  const json = JSON.parse(feed.json1()) as Record<string, unknown>;
  json['version'] = 'https://jsonfeed.org/version/1.1';
  json['language'] = 'zh-Hans';
  return { atom: feed.atom1(), json: JSON.stringify(json, null, 2), updated };
}

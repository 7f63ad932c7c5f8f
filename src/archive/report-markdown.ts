import { linkSegments } from '../render/link-segments.ts';
import type { CorePoint } from '../report/types.ts';
import type { ArchivedReport } from './archive-source.ts';

/** Markdown's own characters in report text, so a title never turns into markup or a link. */
const escapeMarkdown = (text: string): string => text.replace(/([\\`*_[\]<>#|])/g, '\\$1');

function linked(text: string, point: CorePoint): string {
  return linkSegments(text, point.links)
    .map((s) => (s.url ? `[${escapeMarkdown(s.text)}](${s.url})` : escapeMarkdown(s.text)))
    .join('');
}

/**
 * A report as Markdown for an AI agent: the title, the date(s), the page link, the headline and
 * the points with their details and links.
 */
export function reportMarkdown(view: ArchivedReport, link: string | null): string {
  const { report } = view;
  const dates = report.dateStart === report.dateEnd ? report.dateStart : `${report.dateStart} – ${report.dateEnd}`;
  const lines = [`# ${escapeMarkdown(view.title)}`, '', `Date: ${dates}`];
  if (link) lines.push(`Link: ${link}`);
  if (view.sourceUrl && view.sourceUrl !== link) lines.push(`Source: ${view.sourceUrl}`);
  lines.push('', `## ${escapeMarkdown(report.headline)}`, '');
  report.points.forEach((p, i) => lines.push(`${i + 1}. **${linked(p.title, p)}**${p.detail ? `: ${linked(p.detail, p)}` : ''}`));
  return `${lines.join('\n')}\n`;
}

/** The same report as structured content (MCP `structuredContent`). */
export function reportStructure(view: ArchivedReport, link: string | null): Record<string, unknown> {
  const { report } = view;
  return {
    date: report.dateStart,
    dateEnd: report.dateEnd,
    title: view.title,
    headline: report.headline,
    url: link,
    sourceUrl: view.sourceUrl,
    publishedAt: report.publishedAt,
    points: report.points.map((p) => ({ title: p.title, detail: p.detail, links: p.links ?? [] })),
  };
}

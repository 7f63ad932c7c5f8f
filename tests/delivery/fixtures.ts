import type { DigestBuilder } from '../../src/digest-builder.ts';
import type { DeliveryLibrary } from '../../src/delivery/fanout.ts';
import type { Report } from '../../src/report/types.ts';
import { testDigest } from './scripted-platform.ts';

/** A one-day report for `date` (YYYY-MM-DD) published at `publishedAt`. */
export function testReport(date: string, publishedAt: string | null): Report {
  const compact = date.replaceAll('-', '');
  return {
    slug: `twitter_ai_${compact}_${compact}`,
    file: `/content/twitter_ai_${compact}_${compact}.md`,
    dateStart: date,
    dateEnd: date,
    publishedAt,
    headline: `AI 日报 ${date}`,
    overview: '',
    points: [{ title: '要点', detail: '细节' }],
    image: null,
    warnings: [],
    contentHash: compact,
  };
}

/** An in-memory content folder; `add` is a new report appearing. */
export class MemoryLibrary implements DeliveryLibrary {
  private reports: Report[] = [];

  constructor(...reports: Report[]) {
    for (const r of reports) this.add(r);
  }

  add(report: Report): void {
    this.reports = [...this.reports, report].sort((a, b) => (a.dateEnd < b.dateEnd ? 1 : -1));
  }

  entries() {
    return this.reports.map(({ slug, dateStart, dateEnd, file }) => ({ slug, dateStart, dateEnd, file }));
  }

  async latest(): Promise<Report | null> {
    return this.reports[0] ?? null;
  }

  async findByDate(date: string): Promise<Report> {
    const found = this.reports.find((r) => r.dateStart <= date && date <= r.dateEnd);
    if (!found) throw new Error(`no report for ${date}`);
    return found;
  }

  async load(entry: { slug: string }): Promise<Report> {
    const found = this.reports.find((r) => r.slug === entry.slug);
    if (!found) throw new Error(`no report ${entry.slug}`);
    return found;
  }
}

/** Digests that carry the slug and note, which is all delivery looks at. */
export const testDigests: DigestBuilder = {
  async forReport(report, options) {
    return { ...testDigest(report.slug, options?.note ?? null), dateStart: report.dateStart, dateEnd: report.dateEnd };
  },
};

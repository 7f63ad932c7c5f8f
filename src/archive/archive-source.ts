import type { DigestBuilder, DigestImages } from '../digest-builder.ts';
import type { DigestImage, DigestNavigation } from '../report/digest-types.ts';
import { fillReportUrl } from '../report/condense.ts';
import type { ReportEntry } from '../report/library.ts';
import { navigationFor } from '../report/navigation.ts';
import type { Report } from '../report/types.ts';
import { parseUserDate } from '../report/user-date.ts';
import type { ReportSearcher, SearchOutcome } from '../search/types.ts';

/** The parts of ReportLibrary the archive reads. */
export interface ArchiveLibrary {
  entries(): readonly ReportEntry[];
  dates(): string[];
  findEntry(date: string): ReportEntry | null;
  findByDate(date: string): Promise<Report>;
  load(entry: ReportEntry): Promise<Report>;
}

/** What the archive is built on: the bot's own library, digest builder, search index and word clouds. */
export interface ArchiveSourceDeps {
  library: ArchiveLibrary;
  digests: DigestBuilder;
  images: DigestImages;
  /** Null while there is no index (the `/search` page and tool say so). */
  search: ReportSearcher | null;
  /** For `today` / `yesterday` in dates typed to the MCP tools. */
  timezone: string;
  /** `digest.reportUrlTemplate` as configured: the source post's link, or null for none. */
  sourceUrlTemplate: string | null;
  /** `wordcloud.enabled`: a report without its own picture gets one drawn. */
  drawsClouds: boolean;
  now?: () => Date;
}

/** One report as the archive shows it. */
export interface ArchivedReport {
  report: Report;
  /** e.g. `Twitter AI 报告 · 2026-01-03` (the digest's title). */
  title: string;
  navigation: DigestNavigation;
  /** The source post (`reportUrlTemplate`), or null. */
  sourceUrl: string | null;
}

/** A page of the index, newest first. */
export interface ArchivePage {
  entries: readonly ReportEntry[];
  page: number;
  pages: number;
  total: number;
}

/** Search results shown per query: as many as the chat `/search` shows. */
export const ARCHIVE_SEARCH_RESULTS = 10;

/**
 * The one core the pages, the feeds and the MCP tools read through: lookups on the bot's own
 * library, digest builder and search index, so every surface answers as `/report` and `/search` do.
 */
export class ArchiveSource {
  readonly #deps: ArchiveSourceDeps;

  constructor(deps: ArchiveSourceDeps) {
    this.#deps = deps;
  }

  /** Every indexed report, newest first. */
  entries(): readonly ReportEntry[] {
    return this.#deps.library.entries();
  }

  /** The index entry covering a `YYYY-MM-DD` day (what its page's cache is keyed by), or null. */
  entryFor(date: string): ReportEntry | null {
    return this.#deps.library.findEntry(date);
  }

  /** The neighbouring reports' first days around a report. */
  navigation(dateStart: string): DigestNavigation {
    return navigationFor(dateStart, this.#deps.library.dates());
  }

  /** Page `page` (from 1) of the index; a page past the end is empty. */
  page(page: number, pageSize: number): ArchivePage {
    const all = this.entries();
    const pages = Math.max(1, Math.ceil(all.length / pageSize));
    return { entries: all.slice((page - 1) * pageSize, page * pageSize), page, pages, total: all.length };
  }

  /**
   * The report covering a `YYYY-MM-DD` day. Throws InvalidDateError, ReportNotFoundError (with
   * the nearest dates) or ReportParseError, as the library does.
   */
  async report(date: string): Promise<ArchivedReport> {
    return this.#view(await this.#deps.library.findByDate(date));
  }

  /** A date as `/report` accepts it (`2026-01-03`, `20260103`, `2026/1/3`, `today`, `昨天`…). */
  async reportTyped(input: string): Promise<ArchivedReport> {
    const date = parseUserDate(input, { timezone: this.#deps.timezone, now: (this.#deps.now ?? (() => new Date()))() });
    return this.report(date);
  }

  /** The newest report that parses, or null for an empty archive. */
  async latest(): Promise<ArchivedReport | null> {
    for (const entry of this.entries()) {
      const report = await this.#deps.library.load(entry).catch(() => null);
      if (report) return this.#view(report);
    }
    return null;
  }

  /** The report of an index entry. */
  async load(entry: ReportEntry): Promise<ArchivedReport> {
    return this.#view(await this.#deps.library.load(entry));
  }

  /** First days of the reports between `from` and `to` (inclusive, either open), newest first. */
  dates(from?: string, to?: string): string[] {
    return this.#deps.library.dates().filter((d) => (from === undefined || d >= from) && (to === undefined || d <= to));
  }

  /** The bot's own search (same ranking and snippets as `/search`); null when there is no index. */
  async search(query: string, limit = ARCHIVE_SEARCH_RESULTS): Promise<SearchOutcome | null> {
    return this.#deps.search ? this.#deps.search.search(query, limit) : null;
  }

  /** The word cloud for a report: found or drawn (shared with the digests' cache); null when there is none. */
  imageFor(report: Report): Promise<DigestImage | null> {
    return this.#deps.images.imageFor(report);
  }

  /** Whether a page may promise a picture: one is cached, or one can be drawn. */
  mayHaveImage(report: Report): boolean {
    return this.#deps.images.cachedImageFor(report) !== null || this.#deps.drawsClouds;
  }

  /** The file name of the picture already available for a report (`….png`, `….jpg`), or null. */
  cachedImageName(report: Report): string | null {
    return this.#deps.images.cachedImageFor(report)?.name ?? null;
  }

  async #view(report: Report): Promise<ArchivedReport> {
    const digest = await this.#deps.digests.forReport(report, { navigation: false });
    return {
      report,
      title: digest.title,
      navigation: this.navigation(report.dateStart),
      sourceUrl: this.#deps.sourceUrlTemplate ? fillReportUrl(this.#deps.sourceUrlTemplate, report) : null,
    };
  }
}

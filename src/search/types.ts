/** One day that matched a search, with the sentence that matched best. */
export interface SearchHit {
  slug: string;
  dateStart: string;
  dateEnd: string;
  /** The point title or sentence that matched best (plain text, at most ~160 characters). */
  snippet: string;
  /** `[start, end)` UTF-16 ranges of `snippet` to highlight: where the query's words occur. Sorted, not overlapping. */
  highlights: Array<[number, number]>;
}

/** What a search found. */
export interface SearchOutcome {
  /** The query as given (shortened for display by the renderers). */
  query: string;
  /** The query's terms after segmentation and folding. */
  terms: string[];
  /** The best matches, best first. */
  hits: SearchHit[];
  /** How many reports matched in all. */
  total: number;
  /** When nothing matched: indexed terms closest to the query's, else empty. */
  suggestions: string[];
}

/** Full-text search over the reports, as commands see it. */
export interface ReportSearcher {
  search(query: string, limit?: number): Promise<SearchOutcome>;
}

/** One of the report's core points (`核心信息`): a bold title and the text after it. */
export interface CorePoint {
  title: string;
  /** Plain text after the title; empty for title-only points. */
  detail: string;
  /**
   * Markdown links in the point (`[text](url)`), in order: `text` occurs in `title` or `detail`
   * as plain text. Renderers turn the occurrences back into links where the platform allows.
   */
  links?: PointLink[];
}

/** A link written in a report's point. The URL is as written; renderers decide which schemes to keep. */
export interface PointLink {
  text: string;
  url: string;
}

/** A parsed "Twitter AI 报告" markdown post. Pure data: no file handles, no clock. */
export interface Report {
  /** File name without `.md`, e.g. `twitter_ai_20260103_20260103`. */
  slug: string;
  /** Absolute path of the markdown file. */
  file: string;
  /** First day covered, `YYYY-MM-DD`. */
  dateStart: string;
  /** Last day covered, `YYYY-MM-DD` (same as dateStart for a one-day report). */
  dateEnd: string;
  /** Publish time as ISO 8601 with its UTC offset (`2026-01-03T14:34:15+08:00`), or null if unknown. */
  publishedAt: string | null;
  /** The H1 heading, as plain text. */
  headline: string;
  /** The overview section (`主要话题与行业趋势概述`) as plain text, paragraphs separated by blank lines. */
  overview: string;
  /** The core points in report order. */
  points: CorePoint[];
  /**
   * How many points the report should hold: the number its core heading announces
   * (`核心信息（8个信息点概述）` → 8), else ten. A report with fewer is incomplete (still being
   * written) and held back from delivery. Absent on reports not read from markdown (not judged).
   */
  expectedPoints?: number;
  /** Absolute path of the referenced word-cloud image (it may not exist), or null if none is referenced. */
  image: string | null;
  /**
   * The file name of the referenced image when no such file exists (the word-cloud step draws one
   * from the text instead: information, not a warning), else null or absent.
   */
  missingImage?: string | null;
  /** Things that were odd but survivable (e.g. "9 core points instead of 10"). */
  warnings: string[];
  /** sha256 (hex) of the file's bytes: a changed file gets a new hash. */
  contentHash: string;
}

import type { CorePoint } from './types.ts';

/** The image a digest carries: the report's own word cloud or one generated from its text. */
export interface DigestImage {
  /** Absolute path of the image file to upload. */
  path: string;
  /** File name as uploaded (`wordcloud_<slug>.jpg` / `.png`). */
  name: string;
  /** Size in bytes. */
  bytes: number;
  /** True when drawn by us from the report text, false when it is the report's own file. */
  generated: boolean;
}

/** Platform-neutral digest of one report: what every platform renders. */
export interface Digest {
  slug: string;
  /**
   * sha256 of the report file it was made from (Report.contentHash): the ledger records which
   * version readers got, so an edit after delivery is told from a mere newer mtime. Absent in
   * digests made by hand (tests).
   */
  contentHash?: string;
  dateStart: string;
  dateEnd: string;
  /** e.g. `Twitter AI 报告 · 2026-01-03` or `Twitter AI 报告 · 2026-01-05 至 2026-01-11`. */
  title: string;
  /** The report's H1. */
  headline: string;
  /** Points with details shortened to the configured length. Never fewer than the report has. */
  points: CorePoint[];
  /** Link to the full report, from the configured URL template, or null. */
  url: string | null;
  /** ISO 8601 publish time, or null. */
  publishedAt: string | null;
  image: DigestImage | null;
  /** An optional one-line note shown above the points (e.g. a catch-up note naming missed dates). */
  note: string | null;
  /**
   * Where a reader can go from here: the neighbouring report dates. Present when the digest is
   * shown with previous / next buttons (command replies; scheduled posts with
   * `digest.buttonsOnDelivery`); each platform turns it into its own controls.
   */
  navigation?: DigestNavigation;
}

/** The neighbouring reports of a digest, by their first day; null at either end of the archive. */
export interface DigestNavigation {
  /** First day of the closest older report. */
  previous: string | null;
  /** First day of the closest newer report. */
  next: string | null;
}

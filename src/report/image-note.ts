import type { Report } from './types.ts';

/** What the operator is told about a referenced image that does not exist. */
export interface ImageNote {
  /** `info` when a word cloud is drawn in its place (nothing to do), `warning` when the digest goes without one. */
  level: 'info' | 'warning';
  text: string;
}

/**
 * The note for a report whose referenced image is missing, or null when it has its image (or
 * references none). A missing image is information when a word cloud is drawn from the text
 * instead (the bundled reports ship without their images), a warning only when the digest would
 * go out without a picture.
 */
export function missingImageNote(report: Pick<Report, 'missingImage'>, options: { drawn: boolean }): ImageNote | null {
  const name = report.missingImage;
  if (!name) return null;
  return options.drawn
    ? { level: 'info', text: `image ${name} not found: a word cloud is drawn from the text instead` }
    : { level: 'warning', text: `image ${name} not found and word clouds are off: sent without an image` };
}

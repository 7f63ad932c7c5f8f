import { condenseReport } from './report/condense.ts';
import type { Digest, DigestImage } from './report/digest-types.ts';
import { navigationFor } from './report/navigation.ts';
import type { Report } from './report/types.ts';

/** Turns a report into the digest every platform renders: the one path for commands and the scheduler. */
export interface DigestBuilder {
  /**
   * The digest of `report`. With `waitForImage` (the scheduler) it waits for the word cloud to be
   * found or drawn; without it (commands, the default) it uses whatever image is ready now and
   * starts drawing one in the background for next time, so a command answers within seconds.
   * With `navigation` the digest carries its neighbouring dates (previous / next buttons); by
   * default only scheduled posts (`waitForImage`) do, and only with `digest.buttonsOnDelivery`.
   */
  forReport(report: Report, options?: { note?: string | null; waitForImage?: boolean; navigation?: boolean }): Promise<Digest>;
}

/** Where digests get their image: the report's own word cloud or one drawn from its text. */
export interface DigestImages {
  /** Finds or draws the image; null when there is none and drawing is off or failed. Never throws. */
  imageFor(report: Report): Promise<DigestImage | null>;
  /** The image if it is available right now (the report's own file or a cached drawing), else null. */
  cachedImageFor(report: Report): DigestImage | null;
}

export interface DigestBuilderConfig {
  digest: { detailMaxChars: number; reportUrlTemplate: string | null; titlePrefix: string; buttonsOnDelivery?: boolean };
}

/** Where the neighbouring dates come from: every report's first day, newest first (ReportLibrary.dates). */
export interface ReportDates {
  dates(): string[];
}

/**
 * A DigestBuilder over the configured digest options and an image source. Without `dates`,
 * digests never carry navigation.
 */
export function createDigestBuilder(config: DigestBuilderConfig, images: DigestImages, dates?: ReportDates): DigestBuilder {
  const options = {
    detailMaxChars: config.digest.detailMaxChars,
    reportUrlTemplate: config.digest.reportUrlTemplate,
    titlePrefix: config.digest.titlePrefix,
  };
  return {
    async forReport(report, { note = null, waitForImage = false, navigation } = {}) {
      let image: DigestImage | null;
      if (waitForImage) {
        image = await images.imageFor(report);
      } else {
        image = images.cachedImageFor(report);
        if (image === null) {
          // Warm the cache for the next request; imageFor never throws, the catch is belt and braces
          // so a broken image source can never surface as an unhandled rejection.
          images.imageFor(report).catch(() => undefined);
        }
      }
      const digest = condenseReport(report, options, image, note);
      const withNavigation = navigation ?? (waitForImage && config.digest.buttonsOnDelivery === true);
      if (!withNavigation || !dates) return digest;
      return { ...digest, navigation: navigationFor(report.dateStart, dates.dates()) };
    },
  };
}

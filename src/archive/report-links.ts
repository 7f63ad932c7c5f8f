import type { DigestBuilderConfig } from '../digest-builder.ts';

/** The path of a report's public page: `/reports/<YYYY-MM-DD>` (its first day). */
export function reportPagePath(dateStart: string): string {
  return `/reports/${dateStart}`;
}

/**
 * Where the "full report" links and buttons point: `digest.reportUrlTemplate` when set; else,
 * with PUBLIC_URL and the archive on, the report's own page on the bot (`PUBLIC_URL/reports/<date>`);
 * else nowhere (null).
 */
export function fullReportUrlTemplate(config: {
  digest: { reportUrlTemplate: string | null };
  archive: { enabled: boolean };
  http: { publicUrl?: string | null };
}): string | null {
  if (config.digest.reportUrlTemplate !== null) return config.digest.reportUrlTemplate;
  if (!config.archive.enabled || !config.http.publicUrl) return null;
  return `${config.http.publicUrl}${reportPagePath('{dateStart}')}`;
}

/** `config` with the digest's link template as {@link fullReportUrlTemplate} decides: what createDigestBuilder takes. */
export function withArchiveLinks<T extends DigestBuilderConfig & Parameters<typeof fullReportUrlTemplate>[0]>(config: T): T {
  return { ...config, digest: { ...config.digest, reportUrlTemplate: fullReportUrlTemplate(config) } };
}

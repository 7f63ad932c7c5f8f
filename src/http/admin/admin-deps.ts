import type { Config } from '../../config.ts';
import type { AdminDeps } from './admin-routes.ts';

/**
 * The status page's dependencies from the configuration and the running parts: null without
 * ADMIN_TOKEN (the page is then 404). One place for the bot and the tokenless status-only start.
 */
export function adminDepsFor(
  config: Pick<Config, 'http' | 'schedule' | 'timezone' | 'digest'> & Partial<Pick<Config, 'discord' | 'telegram'>>,
  parts: Omit<AdminDeps, 'token' | 'config'>,
): AdminDeps | null {
  if (!config.http.adminToken) return null;
  return {
    token: config.http.adminToken,
    config: { schedule: config.schedule, timezone: config.timezone, discordColor: config.digest.discordColor, discordLayout: config.discord?.layout ?? 'components',
      // The Telegram payloads as a chat without options of its own gets them (folded details, link preview).
      ...(config.telegram ? { telegram: { collapseDetails: config.telegram.collapseDetails, previewReportLink: config.telegram.previewReportLink } } : {}),
    },
    ...parts,
  };
}

import type { DigestBuilder } from './digest-builder.ts';
import type { Digest } from './report/digest-types.ts';
import type { Report } from './report/types.ts';
import { renderDiscordMessages } from './render/discord.ts';
import { renderDiscordComponents } from './render/discord-components.ts';
import { buildPreviewJson, type PreviewJson } from './render/preview-json.ts';
import { renderTelegramCalls, type TelegramRenderOptions } from './render/telegram.ts';

/**
 * The digest of `report` and the exact payloads each platform would get, as `digest preview
 * --json` prints them: the one path for the CLI and the status page's preview.
 */
export async function buildDigestPreview(
  report: Report,
  digests: DigestBuilder,
  options: {
    discordColor: number;
    /** Config `discord.layout`: which of the two Discord layouts a subscription without its own choice gets. */
    discordLayout?: 'components' | 'embeds';
    /** Config `telegram.collapseDetails` / `previewReportLink`: the Telegram payloads as a chat without options of its own gets them. */
    telegram?: Pick<TelegramRenderOptions, 'collapseDetails' | 'previewReportLink'>;
  },
): Promise<{ preview: PreviewJson; digest: Digest }> {
  // The same digest the bot posts: the report's own word cloud, or one drawn (and cached) from its text.
  const digest = await digests.forReport(report, { waitForImage: true });
  const preview = buildPreviewJson(
    report,
    digest,
    renderDiscordMessages(digest, { color: options.discordColor }),
    renderTelegramCalls(digest, options.telegram ?? {}),
    { messages: renderDiscordComponents(digest, { color: options.discordColor }), layout: options.discordLayout ?? 'components' },
  );
  return { preview, digest };
}

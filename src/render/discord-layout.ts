import type { Digest } from '../report/digest-types.ts';
import { renderDiscordMessages, type DiscordRenderOptions } from './discord.ts';
import { renderDiscordComponents } from './discord-components.ts';
import type { DiscordOutgoingMessage } from './payload-types.ts';

/** How a Discord digest is laid out: one Components V2 message, or the embed layout. */
export type DiscordDigestLayout = 'components' | 'embeds';

/** The layout a digest goes out in: the subscription's own choice, else the configured default. */
export function resolveDiscordLayout(chosen: DiscordDigestLayout | null | undefined, configured: DiscordDigestLayout): DiscordDigestLayout {
  return chosen ?? configured;
}

/** A digest's message bodies in `layout`: the one place that picks a renderer for it. */
export function renderDiscordDigest(digest: Digest, options: DiscordRenderOptions & { layout: DiscordDigestLayout }): DiscordOutgoingMessage[] {
  return options.layout === 'components' ? renderDiscordComponents(digest, options) : renderDiscordMessages(digest, options);
}

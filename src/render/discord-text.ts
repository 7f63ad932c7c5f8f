import type { Digest } from '../report/digest-types.ts';
import { splitText, SPLIT_PREFERENCE } from '../report/text-cut.ts';
import { escapeDiscordMarkdown } from './discord-markdown.ts';
import { linkSegments } from './link-segments.ts';

/**
 * Discord counts characters; we count UTF-16 code units, which is never less than any other count
 * of the same text, so a body within our count is within Discord's.
 */
export const discordLength = (text: string): number => text.length;

/** How Discord text is cut: by UTF-16 units, preferring line, sentence, clause, then word ends. */
export const DISCORD_SPLIT_OPTIONS = { unit: 'utf16', preference: SPLIT_PREFERENCE } as const;

/** `text` cut to at most `max` characters at a natural boundary, with `…` where it was cut. */
export function truncateDiscord(text: string, max: number): string {
  if (discordLength(text) <= max) return text;
  return `${splitText(text, max - 1, DISCORD_SPLIT_OPTIONS)[0] ?? ''}…`;
}

/** Escaped text with the point's links as masked links (`[text](url)`, which embeds and text displays show). */
export function linkedMarkdown(text: string, links: Digest['points'][number]['links']): string {
  return linkSegments(text, links)
    .map((segment) => (segment.url ? `[${escapeDiscordMarkdown(segment.text)}](${segment.url})` : escapeDiscordMarkdown(segment.text)))
    .join('');
}

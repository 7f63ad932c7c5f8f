import type { Digest } from '../report/digest-types.ts';
import { discordAttachmentName, normaliseTimestamp, SUPPRESS_NOTIFICATIONS, type DiscordRenderOptions } from './discord.ts';
import { escapeDiscordMarkdown } from './discord-markdown.ts';
import { discordLength, linkedMarkdown, truncateDiscord } from './discord-text.ts';
import { localizedTitle } from './digest-labels.ts';
import { DISCORD_LIMITS } from './limits.ts';
import { safeLinkUrl } from './link-segments.ts';
import { discordNavigationRow } from './navigation-buttons.ts';
import {
  IS_COMPONENTS_V2,
  type DiscordButton,
  type DiscordComponentsMessage,
  type DiscordContainerChild,
  type DiscordTextDisplay,
  type OutgoingFile,
} from './payload-types.ts';

/** A point's title is never longer than this (raw characters), so one point cannot fill a message. */
const POINT_TITLE_MAX = 256;
/** Condensing never shortens a detail below this many characters; beyond that the digest continues in another message. */
export const MIN_DETAIL_CHARS = 60;
/** A link button's label: the link's own text, kept short enough to sit beside the point. */
const LINK_LABEL_MAX = 40;
const HEADLINE_MAX = 256;
/** Between points that share a text display. */
const JOIN = '\n\n';
const NOTE_MAX = 500;
/**
 * A point text longer than this is shown without its masked links: links with very long addresses
 * could otherwise make one point outgrow a message whatever its detail is cut to.
 */
const LINKED_POINT_MAX = 2000;

/** One point as it will be shown: its text (≤ 4,000) and the link button beside it, if any. */
interface PointBlock {
  text: string;
  link: DiscordButton | null;
}

/** The first safe link of a point as a link button (style 5), or null. */
function linkButton(point: Digest['points'][number]): DiscordButton | null {
  for (const link of point.links ?? []) {
    const url = safeLinkUrl(link.url);
    const label = truncateDiscord(link.text.replace(/\s+/g, ' ').trim(), LINK_LABEL_MAX);
    if (url !== null && label !== '') return { type: 2, style: 5, label, url };
  }
  return null;
}

/** `**n. title**` and the detail below it, the detail cut to `detailMax` raw characters (Infinity: whole). */
function pointText(point: Digest['points'][number], index: number, detailMax: number): string {
  const title = truncateDiscord(point.title, POINT_TITLE_MAX);
  const detail = Number.isFinite(detailMax) ? truncateDiscord(point.detail, detailMax) : point.detail;
  const compose = (links: Digest['points'][number]['links']): string => {
    const heading = `**${`${index + 1}. ${linkedMarkdown(title, links)}`.trimEnd()}**`;
    return detail ? `${heading}\n${linkedMarkdown(detail, links)}` : heading;
  };
  const linked = compose(point.links);
  return discordLength(linked) <= LINKED_POINT_MAX ? linked : compose([]);
}

/**
 * The heading text display: the role mention (the only thing that may ping), the title (linked to
 * the full report) and date, the headline with the publish time (Discord shows `<t:…>` in each
 * reader's own time zone), and the note.
 */
function headingText(digest: Digest, options: DiscordRenderOptions, role: string | null): string {
  const title = escapeDiscordMarkdown(truncateDiscord(localizedTitle(digest, options.locale), DISCORD_LIMITS.embedTitleChars));
  const url = digest.url ? safeLinkUrl(digest.url) : null;
  const lines: string[] = [];
  if (role !== null) lines.push(`<@&${role}>`);
  lines.push(`## ${url ? `[${title}](${url})` : title}`);
  const timestamp = normaliseTimestamp(digest.publishedAt);
  const subtext = [
    digest.headline.trim() === '' ? '' : escapeDiscordMarkdown(truncateDiscord(digest.headline.replace(/\s+/g, ' ').trim(), HEADLINE_MAX)),
    timestamp ? `<t:${Math.floor(Date.parse(timestamp) / 1000)}:f>` : '',
  ].filter((part) => part !== '');
  if (subtext.length > 0) lines.push(`-# ${subtext.join(' · ')}`);
  if (digest.note) lines.push(`*${escapeDiscordMarkdown(truncateDiscord(digest.note, NOTE_MAX))}*`);
  return lines.join('\n');
}

/** Total characters of the texts. */
const charsOf = (texts: readonly string[]): number => texts.reduce((sum, text) => sum + discordLength(text), 0);

/**
 * The point texts with details as long as the budget allows: whole when everything fits;
 * otherwise the longest common detail length (never below MIN_DETAIL_CHARS) at which the heading
 * and all points fit one message's text budget. Details are shortened before anything else is.
 */
function condensedPoints(digest: Digest, budget: number): { texts: string[]; fits: boolean } {
  const at = (max: number) => digest.points.map((point, i) => pointText(point, i, max));
  const whole = at(Number.POSITIVE_INFINITY);
  if (charsOf(whole) <= budget) return { texts: whole, fits: true };
  let low = MIN_DETAIL_CHARS;
  let high = Math.max(MIN_DETAIL_CHARS, ...digest.points.map((p) => discordLength(p.detail)));
  if (charsOf(at(low)) > budget) return { texts: at(low), fits: false };
  // The largest cap that fits: total length grows with the cap, so a binary search finds it.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (charsOf(at(mid)) <= budget) low = mid;
    else high = mid - 1;
  }
  return { texts: at(low), fits: true };
}

/**
 * Points as container children within `slots` components: a section with its link button where a
 * point has a link and every point of the message gets its own component; otherwise plain text
 * displays, neighbours sharing one display when there are more points than slots.
 */
function pointComponents(blocks: readonly PointBlock[], slots: number): DiscordContainerChild[] {
  const cost = blocks.reduce((sum, block) => sum + (block.link ? 3 : 1), 0);
  if (cost <= slots) {
    return blocks.map((block) =>
      block.link
        ? { type: 9, components: [{ type: 10, content: block.text }], accessory: block.link }
        : { type: 10, content: block.text },
    );
  }
  const perDisplay = Math.ceil(blocks.length / Math.max(1, slots));
  const displays: DiscordTextDisplay[] = [];
  for (let i = 0; i < blocks.length; i += perDisplay) {
    displays.push({ type: 10, content: blocks.slice(i, i + perDisplay).map((b) => b.text).join(JOIN) });
  }
  return displays;
}

/** Components a child counts for towards the 40 (itself and everything inside it). */
export function countComponents(child: object): number {
  const { components, accessory } = child as { components?: unknown; accessory?: unknown };
  const nested = Array.isArray(components) ? (components as object[]) : [];
  return 1 + (accessory ? 1 : 0) + nested.reduce((sum, c) => sum + countComponents(c), 0);
}

/**
 * The exact bodies of `POST /channels/{id}/messages` for a digest as Components V2: one message
 * flagged IS_COMPONENTS_V2 holding one container in the accent colour: the heading text display,
 * the points (sections with a link button where a point has a link), the word cloud in a media
 * gallery (uploaded with the message as `attachment://…`), then a separator and the previous /
 * next / full report row where the digest has navigation. Within Discord's limits (40 components,
 * 4,000 characters of text): details are shortened first; only a digest whose titles alone
 * overflow continues in further messages. No point is ever dropped.
 */
export function renderDiscordComponents(source: Digest, options: DiscordRenderOptions): DiscordComponentsMessage[] {
  const digest = options.withImage === false ? { ...source, image: null } : source;
  const L = DISCORD_LIMITS;
  // A role id is a snowflake; anything else would put arbitrary text in the message.
  const role = options.mentionRoleId && /^\d{1,25}$/.test(options.mentionRoleId) ? options.mentionRoleId : null;
  const heading = headingText(digest, options, role);
  const attachmentName = digest.image ? discordAttachmentName({ ...digest, image: digest.image }) : null;
  const navigation = discordNavigationRow(digest, options.locale);

  // Points may share a text display when components run short: keep room for the blank lines between them.
  const joins = JOIN.length * digest.points.length;
  const { texts, fits } = condensedPoints(digest, L.textDisplayTotalChars - discordLength(heading) - joins);
  const blocks: PointBlock[] = digest.points.map((point, i) => ({ text: texts[i]!, link: linkButton(point) }));
  // Each message's points, by characters: all in the first when they fit, else packed in order.
  const groups: PointBlock[][] = [[]];
  let used = discordLength(heading);
  for (const block of blocks) {
    const size = discordLength(block.text) + JOIN.length;
    if (!fits && used + size > L.textDisplayTotalChars && groups.at(-1)!.length > 0) {
      groups.push([]);
      used = 0;
    }
    groups.at(-1)!.push(block);
    used += size;
  }

  const flags = IS_COMPONENTS_V2 | (options.silent ? SUPPRESS_NOTIFICATIONS : 0);
  return groups.map((group, index) => {
    const first = index === 0;
    const tail: DiscordContainerChild[] = [];
    if (first && attachmentName) tail.push({ type: 12, items: [{ media: { url: `attachment://${attachmentName}` } }] });
    if (first && navigation) tail.push({ type: 14, divider: true, spacing: 1 }, navigation);
    const head: DiscordContainerChild[] = first ? [{ type: 10, content: heading }] : [];
    const fixed = 1 + [...head, ...tail].reduce((sum, child) => sum + countComponents(child), 0);
    const children = [...head, ...pointComponents(group, L.componentsPerMessage - fixed), ...tail];
    // A container needs at least one child: a continuation is never empty, a first message has its heading.
    const files: OutgoingFile[] = first && digest.image && attachmentName ? [{ name: attachmentName, path: digest.image.path, bytes: digest.image.bytes }] : [];
    const mention = first && role !== null;
    return {
      body: {
        flags,
        components: [{ type: 17, accent_color: options.color, components: children }],
        // parse: [] always: a report's text can never ping; only the chosen role, where it is mentioned.
        allowed_mentions: mention ? { parse: [], roles: [role] } : { parse: [] },
        ...(files.length > 0 ? { attachments: files.map((file, id) => ({ id, filename: file.name })) } : {}),
      },
      files,
    };
  });
}

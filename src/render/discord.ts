import type { Locale } from '../locale.ts';
import type { Digest } from '../report/digest-types.ts';
import { localizedTitle } from './digest-labels.ts';
import { splitText } from '../report/text-cut.ts';
import { escapeDiscordMarkdown } from './discord-markdown.ts';
import { DISCORD_SPLIT_OPTIONS, discordLength as length, linkedMarkdown, truncateDiscord as truncate } from './discord-text.ts';
import { discordNavigationRow } from './navigation-buttons.ts';
import { DISCORD_LIMITS } from './limits.ts';
import type { DiscordEmbed, DiscordMessage, OutgoingFile } from './payload-types.ts';

/** Presentation choices for Discord: config `digest.discordColor`, and a subscription's options. */
export interface DiscordRenderOptions {
  color: number;
  /** Language of the digest's own labels (default zh). */
  locale?: Locale;
  /** A role to mention in the first message's content; the only mention allowed to ping. */
  mentionRoleId?: string | null;
  /** `SUPPRESS_NOTIFICATIONS` on every message (Discord's `@silent`). */
  silent?: boolean;
  /** False: the digest without its word cloud (default true). */
  withImage?: boolean;
}

/** Discord's message flag for `@silent` messages: delivered without a push or desktop notification. */
export const SUPPRESS_NOTIFICATIONS = 1 << 12;

const splitOptions = DISCORD_SPLIT_OPTIONS;
const BLOCK_SEPARATOR = '\n\n';

/**
 * Splits raw text into escaped pieces of at most `max` characters each. Cutting happens before
 * escaping so a cut can never fall between a backslash and the character it escapes.
 */
function splitEscaped(raw: string, max: number, rawBudget = max): string[] {
  return splitText(raw, rawBudget, splitOptions).flatMap((piece) => {
    const escaped = escapeDiscordMarkdown(piece);
    if (length(escaped) <= max) return [escaped];
    return splitEscaped(piece, max, Math.max(1, Math.floor(rawBudget / 2)));
  });
}

/**
 * The description pieces in order, each at most `max` characters: the note, then each point as
 * `**n. title**` and its detail; an overlong point continues in further pieces.
 */
function digestPieces(digest: Digest, max: number): string[] {
  const pieces: string[] = [];
  if (digest.note) pieces.push(...splitEscaped(digest.note, max - 2).map((p) => `*${p}*`));
  digest.points.forEach((point, index) => {
    const number = `${index + 1}. `;
    // A point without a title (the report's was only whitespace) shows as `**3.**` and its detail.
    const heading = `${number}${linkedMarkdown(point.title, point.links)}`.trimEnd();
    const whole = `**${heading}**${point.detail ? `\n${linkedMarkdown(point.detail, point.links)}` : ''}`;
    if (length(whole) <= max) {
      pieces.push(whole);
      return;
    }
    const titles = (point.title === '' ? [] : splitEscaped(point.title, Math.floor(max / 2) - 4 - number.length)).map(
      (p, i) => `**${i === 0 ? number : ''}${p}**`,
    );
    const last = titles.pop() ?? `**${number.trimEnd()}**`;
    pieces.push(...titles);
    if (!point.detail) {
      pieces.push(last);
      return;
    }
    // Pieces sized so the first fits beside the title; the rest pack densely into descriptions anyway.
    const details = splitEscaped(point.detail, max - length(last) - 1);
    pieces.push(`${last}\n${details[0]!}`, ...details.slice(1));
  });
  return pieces;
}

/** The characters Discord keeps in an attachment's file name; it rewrites any other on upload. */
const ATTACHMENT_NAME_UNSAFE = /[^A-Za-z0-9_.-]/g;

/**
 * The name the word cloud is uploaded under and referenced by (`attachment://…`), made from the
 * digest's dates so it only ever uses Discord's attachment alphabet (ASCII letters, digits, `_`,
 * `-`, `.`): `wordcloud-2026-01-03.png`, `wordcloud-2026-01-05_2026-01-11.jpg`. The source file's
 * own name (`词云 图 (1).png`, a slug with spaces) would be rewritten by Discord on upload, and the
 * embed's reference to it would then point at nothing. Only the extension is kept.
 */
export function discordAttachmentName(digest: Pick<Digest, 'dateStart' | 'dateEnd'> & { image: { name: string } }): string {
  const extension = /\.([A-Za-z0-9]{1,5})$/.exec(digest.image.name)?.[1]?.toLowerCase() ?? 'png';
  const dates = digest.dateEnd === digest.dateStart ? digest.dateStart : `${digest.dateStart}_${digest.dateEnd}`;
  return `wordcloud-${dates}.${extension}`.replace(ATTACHMENT_NAME_UNSAFE, '_');
}

/** An ISO 8601 time as Discord's timestamp format, or null when there is none or it does not parse. */
export function normaliseTimestamp(iso: string | null): string | null {
  if (!iso) return null;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/**
 * The exact bodies of `POST /channels/{id}/messages` for a digest. The first embed carries the
 * title, link and word cloud; the last one the footer and timestamp. When the points do not fit
 * one embed (4,096) or one message (10 embeds, 6,000 characters), they continue in further embeds
 * and messages; no point is ever dropped, and a single overlong point is split at sentences.
 */
export function renderDiscordMessages(source: Digest, options: DiscordRenderOptions): DiscordMessage[] {
  const digest = options.withImage === false ? { ...source, image: null } : source;
  const title = truncate(localizedTitle(digest, options.locale), DISCORD_LIMITS.embedTitleChars);
  const footer = truncate(digest.headline, DISCORD_LIMITS.embedFooterChars);
  // Room for the title and footer is kept in every message, so any description piece fits a fresh one.
  const pieceMax = Math.min(
    DISCORD_LIMITS.embedDescriptionChars,
    DISCORD_LIMITS.embedTotalChars - length(title) - length(footer),
  );
  const pieces = digestPieces(digest, pieceMax);

  const messages: DiscordEmbed[][] = [];
  let embeds: DiscordEmbed[] = [];
  let description = '';
  let used = length(title) + length(footer);

  const closeEmbed = (): void => {
    if (description === '') return;
    embeds.push({ description, color: options.color });
    used += length(description);
    description = '';
  };
  for (const piece of pieces) {
    const added = description === '' ? piece : `${description}${BLOCK_SEPARATOR}${piece}`;
    if (length(added) <= DISCORD_LIMITS.embedDescriptionChars && used + length(added) <= DISCORD_LIMITS.embedTotalChars) {
      description = added;
      continue;
    }
    closeEmbed();
    if (embeds.length >= DISCORD_LIMITS.embedsPerMessage || used + length(piece) > DISCORD_LIMITS.embedTotalChars) {
      messages.push(embeds);
      embeds = [];
      used = length(title) + length(footer);
    }
    description = piece;
  }
  closeEmbed();
  if (embeds.length > 0 || messages.length === 0) messages.push(embeds);

  const first = messages[0]!;
  if (first.length === 0) first.push({ color: options.color });
  const head = first[0]!;
  Object.assign(head, { title, ...(digest.url ? { url: digest.url } : {}) });
  const attachmentName = digest.image ? discordAttachmentName({ ...digest, image: digest.image }) : null;
  if (attachmentName) head.image = { url: `attachment://${attachmentName}` };
  const tail = messages.at(-1)!.at(-1)!;
  if (footer !== '') tail.footer = { text: footer };
  const timestamp = normaliseTimestamp(digest.publishedAt);
  if (timestamp) tail.timestamp = timestamp;

  // Navigation buttons go under the first message, the one with the title and word cloud.
  const navigation = discordNavigationRow(digest, options.locale);
  // A role id is a snowflake; anything else would put arbitrary text in the content.
  const role = options.mentionRoleId && /^\d{1,25}$/.test(options.mentionRoleId) ? options.mentionRoleId : null;
  return messages.map((messageEmbeds, index) => {
    const files: OutgoingFile[] =
      index === 0 && digest.image && attachmentName
        ? [{ name: attachmentName, path: digest.image.path, bytes: digest.image.bytes }]
        : [];
    const mention = index === 0 && role !== null;
    return {
      body: {
        ...(mention ? { content: `<@&${role}>` } : {}),
        embeds: messageEmbeds.map(orderEmbed),
        // parse: [] always: a report's text can never ping; only the chosen role, where it is mentioned.
        allowed_mentions: mention ? { parse: [], roles: [role] } : { parse: [] },
        ...(options.silent ? { flags: SUPPRESS_NOTIFICATIONS } : {}),
        ...(files.length > 0 ? { attachments: files.map((file, id) => ({ id, filename: file.name })) } : {}),
        ...(index === 0 && navigation ? { components: [navigation] } : {}),
      },
      files,
    };
  });
}

/** Stable key order, so previews and snapshots read top to bottom like the embed. */
function orderEmbed(embed: DiscordEmbed): DiscordEmbed {
  const ordered: DiscordEmbed = {};
  if (embed.title !== undefined) ordered.title = embed.title;
  if (embed.url !== undefined) ordered.url = embed.url;
  if (embed.description !== undefined) ordered.description = embed.description;
  if (embed.image !== undefined) ordered.image = embed.image;
  if (embed.footer !== undefined) ordered.footer = embed.footer;
  if (embed.timestamp !== undefined) ordered.timestamp = embed.timestamp;
  if (embed.color !== undefined) ordered.color = embed.color;
  return ordered;
}

/** A plain-text reply as message bodies of at most 2,000 characters each, mentions silenced. */
export function renderDiscordText(text: string): DiscordMessage[] {
  const pieces = splitText(text.trim() === '' ? '\u200b' : text, DISCORD_LIMITS.contentChars, splitOptions);
  return pieces.map((content) => ({ body: { content, embeds: [], allowed_mentions: { parse: [] } }, files: [] }));
}

import { messages } from '../i18n/index.ts';
import type { Locale } from '../locale.ts';
import type { Digest } from '../report/digest-types.ts';
import { localizedTitle } from './digest-labels.ts';
import { splitText, SPLIT_PREFERENCE } from '../report/text-cut.ts';
import { TELEGRAM_LIMITS } from './limits.ts';
import { linkSegments } from './link-segments.ts';
import { telegramNavigationKeyboard } from './navigation-buttons.ts';
import type { TelegramCall, TelegramLinkPreview } from './payload-types.ts';
import { escapeHtml } from './telegram-html.ts';

/**
 * A piece of message HTML with its length as Telegram counts it (UTF-16 code units of the text
 * after entity parsing). Every block is self-contained: tags opened in it close in it, so joining
 * blocks never splits a tag.
 */
interface Block {
  html: string;
  length: number;
}

const BLOCK_SEPARATOR = '\n\n';
const splitOptions = { unit: 'utf16', preference: SPLIT_PREFERENCE } as const;

/** Escaped text; its parsed length is the raw text's length because escaping is undone by parsing. */
function plain(text: string): Block {
  return { html: escapeHtml(text), length: text.length };
}

function wrap(tag: 'b' | 'i', block: Block): Block {
  return { html: `<${tag}>${block.html}</${tag}>`, length: block.length };
}

/**
 * A point's detail as it is shown: in an expandable blockquote when collapsed (Telegram shows the
 * first lines and opens the rest on a tap; the tags add no characters), as is otherwise. Blocks
 * are never nested in one another, so a quote never lands inside a quote (Telegram refuses that).
 */
function detailBlock(block: Block, collapse: boolean): Block {
  return collapse ? { html: `<blockquote expandable>${block.html}</blockquote>`, length: block.length } : block;
}

function concat(...blocks: Block[]): Block {
  return { html: blocks.map((b) => b.html).join(''), length: blocks.reduce((n, b) => n + b.length, 0) };
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${splitText(text, max - 1, splitOptions)[0] ?? ''}…`;
}

/** Escaped text with the point's http(s) links as `<a href>`; its length is the visible text's. */
function linked(text: string, links: Digest['points'][number]['links']): Block {
  return concat(
    ...linkSegments(text, links).map((segment) =>
      segment.url ? { html: `<a href="${escapeHtml(segment.url)}">${escapeHtml(segment.text)}</a>`, length: segment.text.length } : plain(segment.text),
    ),
  );
}

/**
 * A point as blocks of at most `max`: `<b>n. title</b>` then its detail (in an expandable quote
 * when `collapse`), continued when too long.
 */
function pointBlocks(
  number: number,
  title: string,
  detail: string,
  max: number,
  links: Digest['points'][number]['links'] | undefined,
  collapse: boolean,
): Block[] {
  const heading = `${number}. ${title}`;
  const whole = detail ? heading.length + 1 + detail.length : heading.length;
  if (whole <= max) {
    const head = wrap('b', concat(plain(`${number}. `), linked(title, links)));
    return [detail ? concat(head, plain('\n'), detailBlock(linked(detail, links), collapse)) : head];
  }
  const titles = splitText(heading, Math.floor(max / 2), splitOptions).map((t) => wrap('b', plain(t)));
  const last = titles.pop()!;
  if (!detail) return [...titles, last];
  const details = splitText(detail, max - last.length - 1, splitOptions).map((piece) => detailBlock(plain(piece), collapse));
  return [...titles, concat(last, plain('\n'), details[0]!), ...details.slice(1)];
}

/** Groups blocks into message texts of at most `max`, separated by blank lines. */
function packBlocks(blocks: Block[], max: number): string[] {
  const texts: string[] = [];
  let current: Block | null = null;
  for (const block of blocks) {
    if (current && current.length + BLOCK_SEPARATOR.length + block.length <= max) {
      current = concat(current, plain(BLOCK_SEPARATOR), block);
      continue;
    }
    if (current) texts.push(current.html);
    current = block;
  }
  if (current) texts.push(current.html);
  return texts;
}

const NO_PREVIEW: TelegramLinkPreview = Object.freeze({ is_disabled: true });

function sendMessage(text: string, preview: TelegramLinkPreview = NO_PREVIEW): TelegramCall {
  return {
    method: 'sendMessage',
    params: { text, parse_mode: 'HTML', link_preview_options: preview },
  };
}

/** `2026-01-03 14:34` from `2026-01-03T14:34:15+08:00`: the time as the report states it. */
function publishedLabel(iso: string | null): string | null {
  const match = iso ? /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso) : null;
  return match ? `${match[1]} ${match[2]}` : null;
}

/** Presentation choices for Telegram (a subscription's options). */
export interface TelegramRenderOptions {
  /** Language of the digest's own labels (default zh). */
  locale?: Locale;
  /** False: the text-only rendering, without the word cloud (default true). */
  withImage?: boolean;
  /**
   * Each point's detail in an expandable blockquote, so a chat sees the titles at a glance
   * (config `telegram.collapseDetails`, or the subscription's own choice). Default false.
   */
  collapseDetails?: boolean;
  /**
   * The message holding the full-report link previews that link (config
   * `telegram.previewReportLink`); every other message, and every message without it, has
   * previews off, so no link inside a point ever unfurls. Default false.
   */
  previewReportLink?: boolean;
}

/** Photo caption: bold title, headline, publish time; the headline is shortened to keep ≤ 1,024. */
export function telegramCaption(digest: Digest, locale?: Locale): string {
  const title = wrap('b', plain(truncate(localizedTitle(digest, locale), 256)));
  const published = publishedLabel(digest.publishedAt);
  const tail = published ? plain(`\n${messages(locale ?? 'zh').digest.published(published)}`) : plain('');
  const room = TELEGRAM_LIMITS.captionChars - title.length - tail.length - 1;
  const headline = digest.headline ? concat(plain('\n'), plain(truncate(digest.headline, room))) : plain('');
  return concat(title, headline, tail).html;
}

/**
 * The exact Bot API calls for a digest, without `chat_id`: with an image, `sendPhoto` (word cloud
 * and short caption) then `sendMessage`; without, `sendMessage` only. Message texts are HTML with
 * all report text escaped, each ≤ 4,096 characters after parsing; on overflow the digest continues
 * in further messages at point (or, for an overlong point, sentence) boundaries. No point is dropped.
 */
export function renderTelegramCalls(source: Digest, options: TelegramRenderOptions = {}): TelegramCall[] {
  const digest = options.withImage === false ? { ...source, image: null } : source;
  const locale = options.locale ?? 'zh';
  const max = TELEGRAM_LIMITS.messageChars;
  const blocks: Block[] = [];
  const title = wrap('b', plain(truncate(localizedTitle(digest, locale), 256)));
  blocks.push(
    digest.image || !digest.headline
      ? title
      : concat(title, plain('\n'), plain(truncate(digest.headline, max - title.length - 1))),
  );
  if (digest.note) blocks.push(...splitText(digest.note, max, splitOptions).map((n) => wrap('i', plain(n))));
  const collapse = options.collapseDetails === true;
  digest.points.forEach((point, index) => blocks.push(...pointBlocks(index + 1, point.title, point.detail, max, point.links, collapse)));
  if (digest.url) {
    const label = messages(locale).digest.fullReport;
    blocks.push({ html: `<a href="${escapeHtml(digest.url)}">${escapeHtml(label)}</a>`, length: label.length });
  }

  const calls: TelegramCall[] = [];
  if (digest.image) {
    calls.push({
      method: 'sendPhoto',
      params: { caption: telegramCaption(digest, locale), parse_mode: 'HTML' },
      photo: { name: digest.image.name, path: digest.image.path, bytes: digest.image.bytes },
    });
  }
  const texts = packBlocks(blocks, max);
  // The report link is the last block, so it is in the last message: only that one may preview it.
  const reportPreview: TelegramLinkPreview | null =
    options.previewReportLink === true && digest.url ? { url: digest.url, prefer_large_media: true } : null;
  texts.forEach((text, index) => calls.push(sendMessage(text, reportPreview && index === texts.length - 1 ? reportPreview : NO_PREVIEW)));
  // Navigation buttons go under the last text message, where a reader finishes.
  const keyboard = telegramNavigationKeyboard(digest, undefined, locale);
  const last = calls.at(-1);
  if (keyboard && last?.method === 'sendMessage') last.params.reply_markup = keyboard;
  return calls;
}

/** A plain-text reply as `sendMessage` calls: escaped, each ≤ 4,096 characters. */
export function renderTelegramText(text: string): TelegramCall[] {
  const source = text.trim() === '' ? '—' : text;
  return splitText(source, TELEGRAM_LIMITS.messageChars, splitOptions).map((piece) =>
    sendMessage(escapeHtml(piece)),
  );
}

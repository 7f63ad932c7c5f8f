import { parseTelegramHtml } from '../../render/telegram-html.ts';

/**
 * Turns the exact payloads the platforms get into HTML the status page can show as those
 * platforms would, safely: everything is escaped first and only a known handful of formats is
 * turned back into tags, so nothing from a report or a chat title can become markup or script.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Only links a reader could follow anyway: http(s) and Telegram's tg: links. */
function safeHref(url: string): string | null {
  return /^(https?:|tg:)/i.test(url.trim()) ? url.trim() : null;
}

const decodeEntities = (text: string): string =>
  text.replace(/&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/gi, (all, name: string) => {
    const lower = name.toLowerCase();
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'amp') return '&';
    if (lower === 'quot') return '"';
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });

/** Telegram tag → the tag the page uses (attributes are rebuilt, never copied). */
const TELEGRAM_TAGS: Record<string, string> = {
  b: 'b', strong: 'b', i: 'i', em: 'i', u: 'u', ins: 'u', s: 's', strike: 's', del: 's',
  code: 'code', pre: 'pre', blockquote: 'blockquote', a: 'a', span: 'span', 'tg-spoiler': 'span', 'tg-emoji': 'span',
};

/**
 * Telegram `parse_mode: "HTML"` text as a Telegram client shows it. Text that Telegram would
 * refuse is shown as its escaped source with the reason (the page then flags it).
 */
export function telegramHtmlToSafeHtml(source: string): { html: string; error: string | null } {
  const checked = parseTelegramHtml(source);
  if (!checked.ok) return { html: `<pre class="raw">${escapeHtml(source)}</pre>`, error: checked.error };
  const out: string[] = [];
  const tag = /<(\/?)([a-z-]+)([^>]*)>/gi;
  let last = 0;
  for (let match = tag.exec(source); match !== null; match = tag.exec(source)) {
    out.push(escapeHtml(decodeEntities(source.slice(last, match.index))));
    last = match.index + match[0].length;
    const closing = match[1] === '/';
    const name = (match[2] ?? '').toLowerCase();
    const mapped = TELEGRAM_TAGS[name];
    if (!mapped) continue;
    if (closing) {
      out.push(`</${mapped}>`);
    } else if (name === 'a') {
      const href = /href\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(match[3] ?? '');
      const url = safeHref(decodeEntities(href?.[1] ?? href?.[2] ?? ''));
      out.push(url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer">` : '<a>');
    } else if (name === 'span' || name === 'tg-spoiler') {
      out.push('<span class="spoiler">');
    } else {
      out.push(`<${mapped}>`);
    }
  }
  out.push(escapeHtml(decodeEntities(source.slice(last))));
  return { html: out.join('').replace(/\n/g, '<br>'), error: null };
}

/**
 * Discord markdown as the page shows it: `**bold**`, `*italic*` / `_italic_`, `[text](url)`
 * masked links, `\x` escapes; everything else stays text.
 */
export function discordMarkdownToSafeHtml(markdown: string): string {
  // Escaped characters are set aside first so `\*` never opens bold.
  const held: string[] = [];
  const hold = (text: string): string => `\u0000${held.push(text) - 1}\u0000`;
  let text = markdown.replace(/\u0000/g, "").replace(/\\([!-/:-@[-`{-~])/g, (_, ch: string) => hold(escapeHtml(ch)));
  text = escapeHtml(text);
  text = text.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (all, label: string, url: string) => {
    const href = safeHref(url.replace(/&amp;/g, '&'));
    return href ? hold(`<a href="${escapeHtml(href)}" rel="noopener noreferrer">${label}</a>`) : all;
  });
  text = text.replace(/\*\*([^*\n]+?)\*\*/g, '<b>$1</b>');
  text = text.replace(/(^|[^*\w])\*([^*\n]+?)\*(?!\w)/g, '$1<i>$2</i>');
  text = text.replace(/(^|[^_\w])_([^_\n]+?)_(?!\w)/g, '$1<i>$2</i>');
  text = text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => held[Number(i)] ?? '');
  // Held links may themselves contain held escapes.
  text = text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => held[Number(i)] ?? '');
  return text.replace(/\n/g, '<br>');
}

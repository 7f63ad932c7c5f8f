/**
 * Telegram `parse_mode: "HTML"`: escaping for text we put into messages, and a strict parser of
 * the rules Telegram applies (the renderers' tests and the fake Bot API server both use it).
 *
 * The parser follows Telegram's own HTML entity parser, with two deliberate tightenings that only
 * ever reject text our renderers must not produce anyway: a `&` that does not start a valid entity
 * (Telegram would keep it literally) and attributes Telegram would silently ignore. Nesting
 * follows the Bot API's entity rules: no `<a>` inside `<a>`, no blockquote (expandable or not)
 * inside another, which Telegram does not show as written.
 */

/** Escapes text for Telegram HTML: `& < > "` become `&amp; &lt; &gt; &quot;`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Attributes each tag may carry; a tag missing here is not accepted at all. */
const TAG_ATTRIBUTES: Record<string, readonly string[]> = {
  b: [], strong: [], i: [], em: [], u: [], ins: [], s: [], strike: [], del: [],
  'tg-spoiler': [],
  span: ['class'],
  a: ['href'],
  'tg-emoji': ['emoji-id'],
  code: ['class'],
  pre: [],
  blockquote: ['expandable'],
};

export type TelegramHtmlResult =
  | { ok: true; text: string; length: number }
  | { ok: false; error: string };

interface OpenTag {
  name: string;
  /** UTF-16 index of the `<` in the source, for error messages. */
  at: number;
}

/**
 * Strictly checks text against Telegram's `parse_mode: "HTML"` rules and measures the text as
 * Telegram counts it: after entity parsing, in UTF-16 code units.
 *
 * Accepted: the tags in TELEGRAM_HTML_TAGS (span only with `class="tg-spoiler"`, `a` only with
 * `href`, `tg-emoji` only with `emoji-id`, `code` optionally with `class="language-…"` inside `pre`,
 * `blockquote` optionally `expandable`, never inside another blockquote), properly nested; `&lt; &gt; &amp; &quot;` and numeric
 * entities. Rejected: any other tag or attribute, a raw `<`, a `&` that starts no valid entity,
 * unclosed or mismatched tags. Errors read like Telegram's ("Unsupported start tag …").
 */
export function parseTelegramHtml(html: string): TelegramHtmlResult {
  const out: string[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  const fail = (message: string, at: number): TelegramHtmlResult => ({
    ok: false,
    error: `${message} at byte offset ${byteOffset(html, at)}`,
  });
  // A lone surrogate cannot be encoded as UTF-8: Telegram refuses such text outright.
  const lone = LONE_SURROGATE.exec(html);
  if (lone) return { ok: false, error: `Text must be encoded in UTF-8 (lone surrogate at index ${lone.index})` };

  while (i < html.length) {
    const ch = html[i]!;
    if (ch === '&') {
      const entity = decodeEntity(html, i);
      if (!entity) return fail('Invalid or unsupported HTML entity', i);
      out.push(entity.text);
      i = entity.end;
      continue;
    }
    if (ch !== '<') {
      out.push(ch);
      i += 1;
      continue;
    }

    const start = i;
    if (html[i + 1] === '/') {
      const match = /^<\/([a-zA-Z0-9-]*)\s*>/.exec(html.slice(i, i + 64));
      if (!match) return fail("Can't find end of the end tag", start);
      const name = match[1]!.toLowerCase();
      const open = stack.pop();
      if (!open) return fail(`Unexpected end tag "</${name}>"`, start);
      if (open.name !== name) {
        return fail(`Unmatched end tag, expected "</${open.name}>", found "</${name}>"`, start);
      }
      i += match[0].length;
      continue;
    }

    const nameMatch = /^[a-zA-Z0-9-]+/.exec(html.slice(i + 1, i + 40));
    if (!nameMatch) return fail('Unsupported start tag ""', start);
    const name = nameMatch[0].toLowerCase();
    const allowed = TAG_ATTRIBUTES[name];
    if (!allowed) return fail(`Unsupported start tag "${name}"`, start);
    i += 1 + nameMatch[0].length;

    const attributes = new Map<string, string>();
    for (;;) {
      while (i < html.length && isSpace(html[i]!)) i += 1;
      if (i >= html.length) return fail(`Can't find end of the start tag "${name}"`, start);
      if (html[i] === '>') {
        i += 1;
        break;
      }
      if (html[i] === '/') return fail(`Self-closing tag "${name}" is not supported`, start);
      const attr = readAttribute(html, i);
      if (!attr) return fail(`Invalid attribute in start tag "${name}"`, i);
      if (!allowed.includes(attr.name)) {
        return fail(`Unsupported attribute "${attr.name}" in start tag "${name}"`, i);
      }
      if (attributes.has(attr.name)) return fail(`Duplicate attribute "${attr.name}" in start tag "${name}"`, i);
      attributes.set(attr.name, attr.value);
      i = attr.end;
    }

    const problem = checkAttributes(name, attributes, stack);
    if (problem) return fail(problem, start);
    stack.push({ name, at: start });
  }

  const unclosed = stack.pop();
  if (unclosed) {
    return { ok: false, error: `Can't find end tag corresponding to start tag "${unclosed.name}"` };
  }
  const text = out.join('');
  return { ok: true, text, length: text.length };
}

function checkAttributes(name: string, attributes: Map<string, string>, stack: OpenTag[]): string | null {
  switch (name) {
    case 'span':
      return attributes.get('class') === 'tg-spoiler' ? null : 'Tag "span" must have class "tg-spoiler"';
    case 'a': {
      const href = attributes.get('href');
      if (href === undefined || href.trim() === '') return 'Tag "a" must have a non-empty "href"';
      if (stack.some((t) => t.name === 'a')) return 'Nested "a" tags are not supported';
      return null;
    }
    case 'tg-emoji':
      return /^\d+$/.test(attributes.get('emoji-id') ?? '') ? null : 'Tag "tg-emoji" must have a numeric "emoji-id"';
    case 'code': {
      const cls = attributes.get('class');
      if (cls === undefined) return null;
      const inPre = stack.at(-1)?.name === 'pre';
      return inPre && /^language-\S+$/.test(cls) ? null : 'Tag "code" may only have class "language-…" inside "pre"';
    }
    case 'blockquote':
      if (attributes.has('expandable') && attributes.get('expandable') !== '') return 'Attribute "expandable" of "blockquote" takes no value';
      // Bot API: "blockquote and expandable_blockquote entities can't be nested".
      return stack.some((t) => t.name === 'blockquote') ? 'Nested "blockquote" tags are not supported' : null;
    default:
      return null;
  }
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/** Reads `name`, `name=value`, `name='value'` or `name="value"`; entities in values are decoded. */
function readAttribute(html: string, from: number): { name: string; value: string; end: number } | null {
  const nameMatch = /^[a-zA-Z0-9-]+/.exec(html.slice(from, from + 64));
  if (!nameMatch) return null;
  const name = nameMatch[0].toLowerCase();
  let i = from + nameMatch[0].length;
  while (i < html.length && isSpace(html[i]!)) i += 1;
  if (html[i] !== '=') return { name, value: '', end: i };
  i += 1;
  while (i < html.length && isSpace(html[i]!)) i += 1;
  const quote = html[i];
  let raw: string;
  if (quote === '"' || quote === "'") {
    const close = html.indexOf(quote, i + 1);
    if (close < 0) return null;
    raw = html.slice(i + 1, close);
    i = close + 1;
  } else {
    const match = /^[^\s>"'<=`]+/.exec(html.slice(i));
    if (!match) return null;
    raw = match[0];
    i += raw.length;
  }
  if (raw.includes('<')) return null;
  let value = '';
  for (let j = 0; j < raw.length; ) {
    if (raw[j] === '&') {
      const entity = decodeEntity(raw, j);
      if (!entity) return null;
      value += entity.text;
      j = entity.end;
    } else {
      value += raw[j];
      j += 1;
    }
  }
  return { name, value, end: i };
}

/** Decodes the entity at `from` (which holds `&`), or returns null when it is not a valid one. */
function decodeEntity(text: string, from: number): { text: string; end: number } | null {
  const semi = text.indexOf(';', from + 1);
  if (semi < 0 || semi - from > 12) return null;
  const body = text.slice(from + 1, semi);
  const named = NAMED_ENTITIES[body];
  if (named !== undefined) return { text: named, end: semi + 1 };
  let code: number;
  if (/^#[0-9]{1,8}$/.test(body)) code = Number.parseInt(body.slice(1), 10);
  else if (/^#[xX][0-9a-fA-F]{1,6}$/.test(body)) code = Number.parseInt(body.slice(2), 16);
  else return null;
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
  return { text: String.fromCodePoint(code), end: semi + 1 };
}

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

/**
 * A bare URL as Discord's own link rule sees one, limited to the characters a URL may hold
 * (RFC 3986, ASCII), less trailing punctuation that belongs to the sentence around it.
 */
const BARE_URL = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
const TRAILING_PUNCTUATION = /[.,:;!?'")\]]+$/;

/**
 * Neutralises Discord markdown in report text so a title like `**GPT** _x_ > y` shows as written
 * and cannot break the formatting around it. Discord drops a backslash before any ASCII
 * punctuation, so over-escaping is invisible, except inside a link: there a backslash would
 * become part of the address (`https://github.com/foo\_bar`). So bare URLs are left as written
 * and wrapped in `<…>` (Discord hides the brackets), which ends the link exactly where the URL
 * ends, even when `**` or CJK text follows it directly.
 */
export function escapeDiscordMarkdown(text: string): string {
  let out = '';
  let from = 0;
  for (const match of text.matchAll(BARE_URL)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    if (!/^https?:\/\/[^/?#]/.test(url)) continue;
    out += escapeText(text.slice(from, match.index)) + `<${url}>`;
    from = match.index + url.length;
  }
  return out + escapeText(text.slice(from));
}

function escapeText(text: string): string {
  return (
    text
      .replace(/[\\*_~`|>#<[\]]/g, '\\$&')
      // List markers, headings and numbered lists only matter at the start of a line.
      .replace(/^(\s*)([-+])(?=\s)/gm, '$1\\$2')
      .replace(/^(\s*\d+)\.(?=\s)/gm, '$1\\.')
      // Mentions are already silenced by allowed_mentions; the zero-width space also keeps them from looking live.
      .replace(/@(everyone|here)\b/g, '@\u200b$1')
  );
}

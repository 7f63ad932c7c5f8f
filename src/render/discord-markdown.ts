/**
 * Neutralises Discord markdown in report text so a title like `**GPT** _x_ > y` shows as written
 * and cannot break the formatting around it. Discord drops a backslash before any ASCII
 * punctuation, so over-escaping is invisible.
 */
export function escapeDiscordMarkdown(text: string): string {
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

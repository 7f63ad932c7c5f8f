import { expect } from 'vitest';
import { DISCORD_LIMITS, TELEGRAM_LIMITS } from '../../src/render/limits.ts';
import type { DiscordMessage, TelegramCall } from '../../src/render/payload-types.ts';
import { escapeHtml, parseTelegramHtml } from '../../src/render/telegram-html.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Asserts every Discord limit in PLATFORMS.md on each message; returns all descriptions joined. */
export function expectDiscordWithinLimits(messages: DiscordMessage[]): string {
  const L = DISCORD_LIMITS;
  const descriptions: string[] = [];
  expect(messages.length).toBeGreaterThan(0);
  for (const { body, files } of messages) {
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds.length).toBeLessThanOrEqual(L.embedsPerMessage);
    expect(files.length).toBeLessThanOrEqual(L.attachmentsPerMessage);
    if (body.content !== undefined) expect(body.content.length).toBeLessThanOrEqual(L.contentChars);
    let total = 0;
    for (const embed of body.embeds) {
      const title = embed.title ?? '';
      const description = embed.description ?? '';
      const footer = embed.footer?.text ?? '';
      expect(title.length).toBeLessThanOrEqual(L.embedTitleChars);
      expect(description.length).toBeLessThanOrEqual(L.embedDescriptionChars);
      expect(footer.length).toBeLessThanOrEqual(L.embedFooterChars);
      for (const text of [title, description, footer]) expect(LONE_SURROGATE.test(text)).toBe(false);
      total += title.length + description.length + footer.length;
      if (embed.image) {
        const name = embed.image.url.replace(/^attachment:\/\//, '');
        expect(files.map((f) => f.name)).toContain(name);
        expect(body.attachments).toContainEqual({ id: files.findIndex((f) => f.name === name), filename: name });
      }
      descriptions.push(description);
    }
    expect(total).toBeLessThanOrEqual(L.embedTotalChars);
  }
  return descriptions.join('\n\n');
}

/** Asserts each Telegram call parses under the strict HTML rules and fits; returns the parsed message texts joined. */
export function expectTelegramValid(calls: TelegramCall[]): string {
  const texts: string[] = [];
  for (const call of calls) {
    if (call.method === 'sendPhoto') {
      const parsed = parseTelegramHtml(call.params.caption);
      expect(parsed).toMatchObject({ ok: true });
      if (parsed.ok) expect(parsed.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.captionChars);
    } else {
      expect(call.params.parse_mode).toBe('HTML');
      // Previews are off, or name the one link allowed to unfurl: a link the same message holds.
      const preview = call.params.link_preview_options;
      if ('url' in preview) expect(call.params.text).toContain(`<a href="${escapeHtml(preview.url)}">`);
      else expect(preview).toEqual({ is_disabled: true });
      const parsed = parseTelegramHtml(call.params.text);
      if (!parsed.ok) throw new Error(`${parsed.error}\n${call.params.text.slice(0, 300)}`);
      expect(parsed.length).toBeGreaterThan(0);
      expect(parsed.text.trim().length).toBeGreaterThan(0);
      expect(parsed.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageChars);
      texts.push(parsed.text);
    }
  }
  return texts.join('\n\n');
}

/** Removes whitespace so text split across pieces can be compared with the original. */
export function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

/** Undoes escapeDiscordMarkdown for comparison. */
export function unescapeDiscord(text: string): string {
  return text
    .replace(/@\u200b/g, '@')
    // Bare URLs are delimited as <url>; a literal < in text is escaped, so this only matches those.
    .replace(/(?<!\\)<(https?:\/\/[^\s<>]+)>/g, '$1')
    .replace(/\\([^0-9A-Za-z\s])/g, '$1');
}

/**
 * Asserts that each point's numbered title and then its detail appear in `rendered` in report
 * order (whitespace ignored, since splitting trims it at the cuts).
 */
export function expectPointsInOrder(rendered: string, points: readonly { title: string; detail: string }[]): void {
  const all = squash(rendered);
  let from = 0;
  points.forEach((point, i) => {
    for (const part of [`${i + 1}. ${point.title}`, point.detail]) {
      const at = all.indexOf(squash(part), from);
      expect(at, `point ${i + 1}: ${part.slice(0, 40)}`).toBeGreaterThanOrEqual(from);
      from = at + squash(part).length;
    }
  });
}

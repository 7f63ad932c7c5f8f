import { ContainerBuilder } from '@discordjs/builders';
import { expect } from 'vitest';
import { DISCORD_LIMITS, TELEGRAM_LIMITS } from '../../src/render/limits.ts';
import { IS_COMPONENTS_V2, type DiscordMessage, type TelegramCall } from '../../src/render/payload-types.ts';
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

/**
 * The problems Discord would find in a Components V2 body, checked with `@discordjs/builders`' own
 * V2 builders (call `enableValidators()` first): each top-level container is rebuilt with
 * `ContainerBuilder` and must come out of `toJSON()` unchanged; then the message-wide rules the
 * builders cannot see: the flag, no content or embeds, at most 40 components (nested counted),
 * at most 4,000 characters across text displays, every `attachment://` naming an upload listed in
 * `attachments`, mentions silenced but for `roles`. Empty when valid.
 */
export function componentsV2Problems(body: Record<string, unknown>, files: readonly { name: string }[]): string[] {
  const problems: string[] = [];
  if (typeof body['flags'] !== 'number' || (body['flags'] & IS_COMPONENTS_V2) === 0) problems.push('no IS_COMPONENTS_V2 flag');
  if ('content' in body) problems.push('content with the V2 flag');
  if ('embeds' in body) problems.push('embeds with the V2 flag');
  const mentions = body['allowed_mentions'] as { parse?: unknown[] } | undefined;
  if (!Array.isArray(mentions?.parse) || mentions.parse.length > 0) problems.push('mentions not silenced');
  const components = (body['components'] ?? []) as Record<string, unknown>[];
  if (components.length === 0) problems.push('no components');
  for (const [index, component] of components.entries()) {
    try {
      const built = new ContainerBuilder(component as never).toJSON();
      expect(built).toEqual(component);
    } catch (error) {
      problems.push(`container ${index + 1}: ${error instanceof Error ? error.message.split('\n').slice(0, 4).join(' ') : String(error)}`);
    }
  }
  let count = 0;
  let chars = 0;
  const refs: string[] = [];
  const visit = (component: Record<string, unknown>): void => {
    count += 1;
    if (component['type'] === 10) chars += String(component['content']).length;
    if (component['type'] === 12) {
      for (const item of component['items'] as { media: { url: string } }[]) {
        if (item.media.url.startsWith('attachment://')) refs.push(item.media.url.slice('attachment://'.length));
      }
    }
    for (const child of (component['components'] ?? []) as Record<string, unknown>[]) visit(child);
    if (component['accessory']) visit(component['accessory'] as Record<string, unknown>);
  };
  components.forEach(visit);
  if (count > DISCORD_LIMITS.componentsPerMessage) problems.push(`${count} components`);
  if (chars > DISCORD_LIMITS.textDisplayTotalChars) problems.push(`${chars} characters of text`);
  const attachments = (body['attachments'] ?? []) as { id: number; filename: string }[];
  for (const ref of refs) {
    if (!files.some((f) => f.name === ref)) problems.push(`attachment://${ref} names no uploaded file`);
    if (!attachments.some((a) => a.filename === ref)) problems.push(`attachment://${ref} not in attachments`);
  }
  return problems;
}

/** All text of a V2 body's text displays, in order, joined by blank lines. */
export function componentsText(body: Record<string, unknown>): string {
  const texts: string[] = [];
  const visit = (component: Record<string, unknown>): void => {
    if (component['type'] === 10) texts.push(String(component['content']));
    for (const child of (component['components'] ?? []) as Record<string, unknown>[]) visit(child);
  };
  ((body['components'] ?? []) as Record<string, unknown>[]).forEach(visit);
  return texts.join('\n\n');
}

import type { Digest } from '../report/digest-types.ts';
import { TELEGRAM_LIMITS } from './limits.ts';
import { renderTelegramCalls } from './telegram.ts';
import { escapeHtml } from './telegram-html.ts';

/**
 * One message's HTML for a digest shared through inline mode (an inline result posts exactly one
 * message): the digest as the bot posts it when it fits one message, else the numbered point
 * titles (details left out) and the full-report link. Within 4,096 characters after parsing.
 */
export function renderTelegramInlineText(digest: Digest): string {
  // A shared message has no buttons: a press there would come without a chat message to edit.
  const { navigation: _navigation, ...plain } = digest;
  const texts = renderTelegramCalls({ ...plain, image: null }).filter((c) => c.method === 'sendMessage');
  if (texts.length === 1 && texts[0]!.method === 'sendMessage') return texts[0]!.params.text;
  return titlesOnly(digest, TELEGRAM_LIMITS.messageChars);
}

/** The photo caption of a shared digest: the title and as many numbered point titles as fit 1,024. */
export function renderTelegramInlineCaption(digest: Digest): string {
  return titlesOnly(digest, TELEGRAM_LIMITS.captionChars);
}

function titlesOnly(digest: Digest, max: number): string {
  const link = digest.url ? { html: `\n<a href="${escapeHtml(digest.url)}">完整报告</a>`, length: 5 } : { html: '', length: 0 };
  const title = digest.title.slice(0, 256);
  let html = `<b>${escapeHtml(title)}</b>`;
  let length = title.length;
  const room = max - link.length - 2;
  for (const [index, point] of digest.points.entries()) {
    const line = `${index + 1}. ${point.title}`;
    if (length + 1 + line.length > room) {
      html += '\n…';
      length += 2;
      break;
    }
    html += `\n${escapeHtml(line)}`;
    length += 1 + line.length;
  }
  return html + link.html;
}

import type { SearchHit, SearchOutcome } from '../search/types.ts';
import { encodeAction } from './button-actions.ts';
import { escapeDiscordMarkdown } from './discord-markdown.ts';
import { DISCORD_LIMITS, TELEGRAM_LIMITS } from './limits.ts';
import type { DiscordButton, DiscordMessage, TelegramCall } from './payload-types.ts';
import { escapeHtml } from './telegram-html.ts';

/** The words shown back to the reader: a 2,000-character query is echoed as its first 60 characters. */
const QUERY_ECHO_CHARS = 60;

/** What the search reply says around the results, in the reader's language. */
export interface SearchTexts {
  heading: (query: string, shown: number, total: number) => string;
  none: (query: string) => string;
  suggestions: (terms: string) => string;
}

export function echoQuery(query: string): string {
  const oneLine = query.replace(/\s+/g, ' ').trim();
  const chars = [...oneLine];
  return chars.length <= QUERY_ECHO_CHARS ? oneLine : `${chars.slice(0, QUERY_ECHO_CHARS).join('')}…`;
}

/** `2026-01-03`, or `2026-01-05 – 2026-01-11`. */
function hitDate(hit: SearchHit): string {
  return hit.dateStart === hit.dateEnd ? hit.dateStart : `${hit.dateStart} – ${hit.dateEnd}`;
}

/** The snippet as escaped pieces, highlights wrapped by `mark` (each piece escaped by `escape`). */
function highlighted(hit: SearchHit, escape: (text: string) => string, mark: (escaped: string) => string): string {
  let out = '';
  let cursor = 0;
  for (const [start, end] of hit.highlights) {
    out += escape(hit.snippet.slice(cursor, start)) + mark(escape(hit.snippet.slice(start, end)));
    cursor = end;
  }
  return out + escape(hit.snippet.slice(cursor));
}

/**
 * Discord: one embed listing the matches (date in bold, the sentence with the query's words in
 * bold), and a button per match (`open:<date>`) that shows that day's digest to whoever presses
 * it. Nothing found: the reason and the closest terms, as plain text.
 */
export function renderDiscordSearch(result: SearchOutcome, texts: SearchTexts, color: number): DiscordMessage {
  const query = echoQuery(result.query);
  if (result.hits.length === 0) {
    const lines = [texts.none(escapeDiscordMarkdown(query))];
    if (result.suggestions.length > 0) lines.push(texts.suggestions(result.suggestions.map(escapeDiscordMarkdown).join(', ')));
    return { body: { content: lines.join('\n'), embeds: [], allowed_mentions: { parse: [] } }, files: [] };
  }
  const title = texts.heading(query, result.hits.length, result.total);
  const entries = result.hits.map(
    (hit, i) => `**${i + 1}. ${hitDate(hit)}**\n${highlighted(hit, escapeDiscordMarkdown, (s) => `**${s}**`)}`,
  );
  let description = '';
  for (const entry of entries) {
    const next = description === '' ? entry : `${description}\n\n${entry}`;
    if (next.length > DISCORD_LIMITS.embedDescriptionChars) break;
    description = next;
  }
  const buttons: DiscordButton[] = result.hits.map((hit) => ({
    type: 2,
    style: 2,
    label: hit.dateStart,
    custom_id: encodeAction({ kind: 'open', date: hit.dateStart }),
  }));
  const rows = [];
  for (let i = 0; i < buttons.length && rows.length < DISCORD_LIMITS.actionRowsPerMessage; i += DISCORD_LIMITS.buttonsPerRow) {
    rows.push({ type: 1 as const, components: buttons.slice(i, i + DISCORD_LIMITS.buttonsPerRow) });
  }
  return {
    body: {
      embeds: [{ title: title.slice(0, DISCORD_LIMITS.embedTitleChars), description, color }],
      components: rows,
      allowed_mentions: { parse: [] },
    },
    files: [],
  };
}

/**
 * Telegram: one HTML message listing the matches, each with a command link (`/report_20260103`,
 * which the reader taps to get that day's digest) and the sentence with the query's words in bold.
 */
export function renderTelegramSearch(result: SearchOutcome, texts: SearchTexts): TelegramCall {
  const query = echoQuery(result.query);
  const message = (text: string): TelegramCall => ({
    method: 'sendMessage',
    params: { text, parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
  });
  if (result.hits.length === 0) {
    const lines = [escapeHtml(texts.none(query))];
    if (result.suggestions.length > 0) lines.push(escapeHtml(texts.suggestions(result.suggestions.join('、'))));
    return message(lines.join('\n'));
  }
  let text = `<b>${escapeHtml(texts.heading(query, result.hits.length, result.total))}</b>`;
  // Parsed length: what the reader sees, which is what Telegram's 4,096 limit counts.
  let visible = texts.heading(query, result.hits.length, result.total).length;
  result.hits.forEach((hit, i) => {
    const command = `/report_${hit.dateStart.replaceAll('-', '')}`;
    const head = `${i + 1}. ${hitDate(hit)} ${command}`;
    const entry = `\n\n<b>${i + 1}. ${escapeHtml(hitDate(hit))}</b> ${command}\n${highlighted(hit, escapeHtml, (s) => `<b>${s}</b>`)}`;
    const entryVisible = 3 + head.length + hit.snippet.length;
    if (visible + entryVisible > TELEGRAM_LIMITS.messageChars) return;
    text += entry;
    visible += entryVisible;
  });
  return message(text);
}

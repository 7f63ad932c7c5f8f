/**
 * What a button carries, platform-neutral: the action and the report date (plus, on Telegram, the
 * photo message to edit along with the text). State lives in this data and the report library,
 * never in memory, so a button pressed days later, after restarts, still works.
 *
 * Encoded compactly (`show:20260103`, `show:20260103:42`, `open:20260103`): Telegram allows 64
 * bytes of callback_data, Discord 100 characters of custom_id.
 */
export type ButtonAction =
  /** Replace the digest shown in this message with that date's (previous / next). */
  | { kind: 'show'; date: string; photoMessageId?: string }
  /** Show that date's digest to the one who pressed (a search result). */
  | { kind: 'open'; date: string };

const PATTERN = /^(show|open):(\d{4})(\d{2})(\d{2})(?::(\d{1,20}))?$/;

/** The button data for an action. */
export function encodeAction(action: ButtonAction): string {
  const compact = action.date.replaceAll('-', '');
  const photo = action.kind === 'show' && action.photoMessageId !== undefined ? `:${action.photoMessageId}` : '';
  return `${action.kind}:${compact}${photo}`;
}

/** The action in button data, or null for data this bot did not write (or a disabled placeholder). */
export function decodeAction(data: string): ButtonAction | null {
  const match = PATTERN.exec(data);
  if (!match) return null;
  const [, kind, yyyy, mm, dd, photo] = match;
  const date = `${yyyy}-${mm}-${dd}`;
  if (kind === 'open') return { kind: 'open', date };
  return photo === undefined ? { kind: 'show', date } : { kind: 'show', date, photoMessageId: photo };
}

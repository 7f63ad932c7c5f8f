/**
 * Why a delivery failed or a subscription was stopped, in words a chat can act on. The ledger
 * keeps the reason as delivery wrote it (`<kind>: <platform code> <destination>: <platform's
 * description>`, see describeSendError in delivery/deliverer.ts); this reads the kind and the
 * platform's own words, never showing them (they may name chats and internals).
 */
export type FailureCause =
  /** The bot may not post here (Discord 50001 / 50013, Telegram "not enough rights"). */
  | 'missing-permission'
  /** A user blocked the bot (Telegram private chats). */
  | 'blocked'
  /** The bot was removed, or the chat / channel / topic no longer exists. */
  | 'removed'
  /** The platform said "too many requests" and kept saying it through every retry. */
  | 'rate-limited'
  /** The platform could not be reached or answered with a server error, through every retry. */
  | 'unreachable'
  /** The platform refused the message itself (a 400 that is not about the chat). */
  | 'refused'
  /** Someone ran /unsubscribe (or `digest subs remove`). */
  | 'unsubscribed'
  /** Something else (the ledger could not record the send, the platform was not configured). */
  | 'other';

const MISSING_PERMISSION = [/\b5000[13]\b/, /Missing (Access|Permissions)/i, /not enough rights/i, /have no rights/i, /CHAT_WRITE_FORBIDDEN/, /CHAT_ADMIN_REQUIRED/];
const BLOCKED = [/blocked by the user/i, /user is deactivated/i];

/** The cause of a failed or deactivated ledger row, or of a subscription's deactivation reason. */
export function failureCauseOf(reason: string | null): FailureCause {
  const text = reason ?? '';
  if (/^unsubscribed by /.test(text)) return 'unsubscribed';
  const kind = /^([a-z-]+):/.exec(text)?.[1];
  switch (kind) {
    case 'gone':
      if (MISSING_PERMISSION.some((re) => re.test(text))) return 'missing-permission';
      if (BLOCKED.some((re) => re.test(text))) return 'blocked';
      return 'removed';
    case 'rate-limited':
      return 'rate-limited';
    case 'transient':
      return 'unreachable';
    case 'rejected':
      return MISSING_PERMISSION.some((re) => re.test(text)) ? 'missing-permission' : 'refused';
    default:
      return 'other';
  }
}

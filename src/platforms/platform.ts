import { DigestError } from '../errors.ts';
import type { Locale } from '../locale.ts';
import type { Digest } from '../report/digest-types.ts';
import type { Destination, PlatformName, SentPart } from '../words.ts';
import type { WebhookRoute } from './webhook.ts';

export { PLATFORM_NAMES, type Destination, type PlatformName, type SentPart } from '../words.ts';

/** What a successful send produced: the platform's message ids, in order. */
export interface SendResult {
  messageIds: string[];
  /** True when the image was refused and the digest went out as text only. */
  imageDropped: boolean;
  /**
   * Requests sent again after their answer was lost (they may have reached the platform): each may
   * show as a repeated message. Only platforms without an idempotency key (Telegram) report it.
   */
  ambiguousSends?: number;
}

/**
 * How one destination wants its digest presented (from its subscription's options). Neutral: each
 * adapter maps a field to its platform's feature or ignores one it has none for.
 */
export interface DigestPresentation {
  /** Discord: mention this role (and only it) in the first message; null = no mention. */
  mentionRoleId: string | null;
  /** Deliver without a notification (Telegram `disable_notification`, Discord `SUPPRESS_NOTIFICATIONS`). */
  silent: boolean;
  /** Send the word cloud; false = the text-only rendering from the first part on. */
  withImage: boolean;
  /** Language of the digest's own labels; the report's text is never translated. */
  locale: Locale;
  /** Discord: Components V2 or embeds; null / absent = the adapter's configured default. */
  layout?: 'components' | 'embeds' | null;
  /** Discord forum / media channels: the forum tag id for each post; null / absent = none. */
  forumTagId?: string | null;
  /** Discord announcement channels: publish each digest; null / absent = yes. */
  publish?: boolean | null;
  /** Telegram: details in expandable blockquotes; null / absent = the configured default. */
  collapseDetails?: boolean | null;
}

/** The presentation of a digest to a destination without options: as before options existed. */
export const DEFAULT_PRESENTATION: Readonly<DigestPresentation> = Object.freeze({
  mentionRoleId: null,
  silent: false,
  withImage: true,
  locale: 'zh',
});

/** How delivery drives one sendDigest call beyond the idempotency key; every field optional. */
export interface SendDigestOptions {
  /**
   * Parts an earlier attempt already got accepted (from the delivery ledger): they are not sent
   * again, and their message ids come back in the result in their place. When given (even
   * empty), it is the whole truth: an adapter does not add parts it remembers in memory.
   */
  sentParts?: readonly SentPart[];
  /**
   * Called as soon as the platform accepts a part; the adapter awaits it before it sends the next
   * part, so the ledger records each part before the next one goes out.
   */
  onPartAccepted?: (part: SentPart) => void | Promise<void>;
  /** Once aborted (the bot is stopping), no further part is started; the send rejects. */
  signal?: AbortSignal;
  /**
   * Awaited right before each request that may post a part leaves for the platform, once the
   * destination's own pacing (a chat's interval, a channel's bucket) lets it go, so that what it
   * waits for never adds to a chat's interval. Delivery bounds here the sends whose outcome the
   * ledger has not recorded yet. A rejection ends the send like an aborted `signal`.
   */
  beforeSend?: () => Promise<void>;
  /** The destination's options (role, silent, word cloud, language); default DEFAULT_PRESENTATION. */
  presentation?: DigestPresentation;
}

/** Why a send failed, in terms delivery can act on. */
export type SendFailureKind =
  /** 429: wait `retryAfterMs` and send again. */
  | 'rate-limited'
  /** 5xx, network errors, timeouts: back off and retry. */
  | 'transient'
  /** 403 / unknown channel / kicked / blocked: deactivate the subscription. */
  | 'gone'
  /** Telegram group became a supergroup: move to `migrateToChatId` and resend. */
  | 'migrated'
  /** Any other refusal (400 …): a bug or bad payload, not worth retrying as is. */
  | 'rejected';

/** A send that failed; carries the platform's own code and description. One of the DigestError family. */
export class SendError extends DigestError {
  override name = 'SendError';
  constructor(
    readonly kind: SendFailureKind,
    readonly destination: Destination,
    message: string,
    readonly details: {
      platformCode?: number | string;
      retryAfterMs?: number;
      migrateToChatId?: string;
      /** As SendResult.ambiguousSends, for the part of a digest sent before the failure. */
      ambiguousSends?: number;
      cause?: unknown;
    } = {},
  ) {
    super(`${destination.platform}:${destination.chatId}${destination.threadId ? `/${destination.threadId}` : ''}: ${message}`, {
      cause: details.cause,
    });
  }
}

/**
 * A platform that could not start (or stopped for good). `permanent`: the platform refused the
 * configuration (a token it rejects, intents it disallows): retrying cannot help, the operator must
 * fix it, so the bot exits non-zero. Otherwise transient (network, 5xx, timeout): retried with
 * backoff while the other platform runs. The message is one line an operator can act on, with no
 * secret in it. One of the DigestError family.
 */
export class PlatformStartError extends DigestError {
  override name = 'PlatformStartError';
  constructor(
    readonly platform: PlatformName,
    readonly permanent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${platform}: ${message}`, options);
  }
}

/**
 * The one interface delivery and commands see. Each adapter (discord/, telegram/) imports its SDK and
 * nothing outside platforms/ does.
 */
export interface Platform {
  readonly name: PlatformName;
  /**
   * Connects, registers commands and starts receiving them; resolves once it does. Rejects with a
   * PlatformStartError (permanent or transient); may be called again after a transient failure.
   */
  start(): Promise<void>;
  /**
   * Registers a listener for a failure after start that the adapter cannot recover from (the
   * token revoked while running): the bot then stops instead of running half-alive. Optional.
   */
  onFatalError?(listener: (error: PlatformStartError) => void): void;
  /**
   * A short note on how the started platform receives commands (`polling`, `webhook <url>`),
   * shown as its /readyz detail. Optional.
   */
  statusDetail?(): string | null;
  /**
   * Whether the started platform is receiving now (the gateway connected, polling running); a
   * platform without a connection of its own (webhooks, HTTP interactions) is while started.
   * Read by the `digest_platform_up` metric. Optional: absent counts as connected once started.
   */
  connected?(): boolean;
  /**
   * The route the HTTP server mounts for this platform when it receives over HTTP (Telegram with
   * TELEGRAM_UPDATES=webhook, Discord with DISCORD_INTERACTIONS=http); absent or null otherwise.
   */
  readonly webhookRoute?: WebhookRoute | null;
  /** Disconnects; pending sends are finished or abandoned. */
  stop(): Promise<void>;
  /**
   * Posts a digest to one destination. `idempotencyKey` lets a platform that supports it
   * (Discord's nonce) refuse a duplicate after a crash. With `options`, parts accepted earlier
   * are skipped and each newly accepted part is reported at once (see SendDigestOptions), so a
   * resend after a crash starts at the first part the ledger has not recorded. Resolves with
   * every part's message id, skipped ones included. Throws SendError.
   */
  sendDigest(destination: Destination, digest: Digest, idempotencyKey: string, options?: SendDigestOptions): Promise<SendResult>;
  /** Posts a short plain-text notice (owner alerts). Throws SendError. */
  sendNotice(destination: Destination, text: string): Promise<void>;
  /**
   * Corrects a digest delivered earlier, in place: each recorded part (`delivered`, in order, as
   * the ledger has them) is edited to the same part of `digest`'s rendering for `presentation`.
   * Nothing new is ever posted: when the corrected digest no longer fits the messages delivered,
   * or a message can no longer be edited (deleted, too old), it says why instead. Rate limits
   * are waited out; other failures throw SendError. Optional: a platform without it is reported
   * as unable to edit.
   */
  editDigest?(destination: Destination, digest: Digest, delivered: readonly SentPart[], presentation?: DigestPresentation): Promise<DigestEditResult>;
}

/** What an in-place correction did. */
export type DigestEditResult =
  /** Every part now shows the corrected digest (`unchanged`: parts that already did). */
  | { status: 'edited'; edited: number; unchanged: number }
  /** Nothing more could be edited; `reason` is one line for the log and the operator. */
  | { status: 'not-editable'; reason: string; edited: number };

import type { Locale } from '../locale.ts';
import type { Destination, PlatformName, SentPart } from '../words.ts';

/**
 * How a subscription wants its digest delivered (`/subscribe` options, `/settings`). Every field
 * has a default, so a subscription made before options existed behaves as before.
 */
export interface SubscriptionOptions {
  /** Discord: the role mentioned with each digest (it alone may be pinged); null = none. */
  mentionRoleId: string | null;
  /** Telegram: deliver without a notification sound (`disable_notification`); Discord: `@silent`. */
  silent: boolean;
  /** Whether the word cloud goes with the digest; false = a text-only digest. */
  wordcloud: boolean;
  /** Language of the digest's own labels (never the report's text); null = the bot's default (zh). */
  language: Locale | null;
  /** Discord: Components V2 (`components`) or the embed layout; null = `discord.layout`. */
  layout: DiscordLayout | null;
  /** Discord forum / media channels: the id of the forum tag put on each post; null = none. */
  forumTagId: string | null;
  /** Discord announcement channels: publish (crosspost) each digest; null = yes there. */
  publish: boolean | null;
  /** Telegram: the points' details in expandable blockquotes; null = `telegram.collapseDetails`. */
  collapseDetails: boolean | null;
}

/** How a Discord digest is laid out: one Components V2 message, or the embed layout. */
export type DiscordLayout = 'components' | 'embeds';
export const DISCORD_LAYOUTS: readonly DiscordLayout[] = ['components', 'embeds'];

/** The options of a subscription nobody has set any for. */
export const DEFAULT_SUBSCRIPTION_OPTIONS: Readonly<SubscriptionOptions> = Object.freeze({
  mentionRoleId: null,
  silent: false,
  wordcloud: true,
  language: null,
  layout: null,
  forumTagId: null,
  publish: null,
  collapseDetails: null,
});

/** A destination that receives the daily digest. */
export interface Subscription extends Destination {
  id: number;
  /** Discord guild id, or null (Telegram, DMs). */
  guildId: string | null;
  /** Channel or chat title at subscribe time, for humans. */
  title: string | null;
  /** Who subscribed it (`discord:<user id>`, `telegram:<user id>`, `cli`). */
  subscribedBy: string;
  /** ISO 8601 time of the (latest) subscribe. */
  subscribedAt: string;
  active: boolean;
  /** Why it was deactivated (`unsubscribed by …`, `403 bot was kicked …`), or null while active. */
  reason: string | null;
  /** Optional local time of day `HH:MM` for this destination, in `timezone`; null = the global schedule. */
  timeOfDay: string | null;
  /** IANA timezone for `timeOfDay`, or null. */
  timezone: string | null;
  /** Delivery options (defaults: no role, not silent, word cloud on, default language). */
  options: SubscriptionOptions;
}

export interface SubscribeInput extends Destination {
  guildId?: string | null;
  title?: string | null;
  subscribedBy: string;
  timeOfDay?: string | null;
  timezone?: string | null;
  /** Options to set; those not given keep their stored value (defaults for a new subscription). */
  options?: Partial<SubscriptionOptions>;
}

export type DeliveryKind = 'scheduled' | 'repost';
export type DeliveryStatus = 'sending' | 'delivered' | 'failed' | 'deactivated';

/** One row of the delivery ledger: one report to one destination, of one kind. */
export interface Delivery {
  id: number;
  slug: string;
  platform: PlatformName;
  chatId: string;
  threadId: string | null;
  kind: DeliveryKind;
  status: DeliveryStatus;
  /** Platform message ids, in order. */
  messageIds: string[];
  attempts: number;
  lastError: string | null;
  /** Who asked for a repost (`discord:<user id>`, `cli`), or null for scheduled posts. */
  requestedBy: string | null;
  /**
   * sha256 of the report file last delivered on this row (what readers have), or null: not
   * delivered yet, or delivered before the ledger recorded it (schema v5).
   */
  contentHash: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One report's ledger rows counted by platform and status (the status page, `digest status`). */
export interface DeliverySummary {
  slug: string;
  /** Row counts per platform and status (`sending` = in progress or left by a crash). */
  counts: Record<PlatformName, Record<DeliveryStatus, number>>;
  /** ISO 8601 time of the first claim and of the last change of any of its rows. */
  firstAt: string;
  lastAt: string;
  /** The failed and deactivated rows, newest first, at most `failureLimit`. */
  failures: Delivery[];
}

/** One accepted part of a delivery, as the ledger recorded it. */
export interface DeliveryPart extends SentPart {
  deliveryId: number;
  /** ISO 8601 time the part was recorded (right after the platform accepted it). */
  sentAt: string;
}

/**
 * Persistence for subscriptions and the delivery ledger. Every method is asynchronous, so a
 * server database (a network round trip per call) implements the same interface as SQLite; a
 * failure rejects with StoreError. SqliteStore is the default.
 */
export interface Store {
  /** Creates or reactivates the subscription for this destination; returns it. */
  subscribe(input: SubscribeInput): Promise<Subscription>;
  /** Deactivates with a reason; returns false when there was no active subscription. */
  unsubscribe(destination: Destination, reason: string): Promise<boolean>;
  /** Deactivates after a platform refusal (403 …), keeping the reason. */
  deactivate(destination: Destination, reason: string): Promise<void>;
  /** Moves a subscription (and its ledger rows) to a new chat id (Telegram supergroup migration). */
  moveSubscription(from: Destination, toChatId: string): Promise<void>;
  getSubscription(destination: Destination): Promise<Subscription | null>;
  /**
   * Changes the given delivery options of the active subscription of this destination (the rest
   * are kept); returns it, or null when the destination has no active subscription.
   */
  setSubscriptionOptions(destination: Destination, options: Partial<SubscriptionOptions>): Promise<Subscription | null>;
  listSubscriptions(filter?: { platform?: PlatformName; activeOnly?: boolean }): Promise<Subscription[]>;

  /**
   * Claims a ledger row before sending. Returns the row; if one already existed (any status) it is
   * returned unchanged with `created: false`, so the caller can decide (skip delivered, resume sending).
   */
  claimDelivery(input: {
    slug: string;
    destination: Destination;
    kind: DeliveryKind;
    requestedBy?: string | null;
  }): Promise<{ delivery: Delivery; created: boolean }>;
  /** Records one more attempt on a row (before each send). */
  recordAttempt(id: number): Promise<void>;
  /** `contentHash`: the report file's sha256 as delivered (kept as it was when absent). */
  markDelivered(id: number, messageIds: string[], contentHash?: string | null): Promise<void>;
  /**
   * Records that a delivered row's messages were corrected in place to the report version
   * `contentHash`: only while the row is delivered and still records `expectedHash` (compare and
   * set, so two processes correcting at once record it once). Returns whether it was recorded.
   */
  recordCorrection(id: number, expectedHash: string | null, contentHash: string): Promise<boolean>;
  markFailed(id: number, error: string): Promise<void>;
  markDeactivated(id: number, reason: string): Promise<void>;
  getDelivery(slug: string, destination: Destination, kind: DeliveryKind): Promise<Delivery | null>;
  listDeliveries(filter?: { slug?: string; platform?: PlatformName }): Promise<Delivery[]>;
  /**
   * Sets a finished row back to `sending` (a new repost of the same report), recording who asked.
   * A new run starts a fresh set of parts, unless `keepParts` (a failed row tried again: what
   * went out before is not sent twice).
   */
  restartDelivery(id: number, requestedBy: string | null, options?: { keepParts?: boolean }): Promise<void>;
  /**
   * Records that part `part.index` of delivery `deliveryId` was accepted by the platform. The
   * first record of an index wins (a resend of the same part keeps the first message id).
   */
  recordDeliveryPart(deliveryId: number, part: SentPart): Promise<void>;
  /** The recorded parts of a delivery's current run, by index. */
  listDeliveryParts(deliveryId: number): Promise<DeliveryPart[]>;

  /**
   * Read-only: the newest `limit` reports in the ledger (by their newest claim), newest first,
   * with counts per platform and status and up to `failureLimit` failures each.
   */
  summarizeDeliveries(limit: number, failureLimit?: number): Promise<DeliverySummary[]>;
  /** Read-only: one destination's ledger rows, newest first, at most `limit`. */
  listDeliveriesTo(destination: Destination, limit: number): Promise<Delivery[]>;
  /**
   * Records that the platform's update (for Telegram `<bot id>:<update_id>`) is being handled: true the first
   * time, false for every later claim of the same id, from any process sharing the database (two
   * instances racing for one update get exactly one true). Webhook intake claims before acting, so
   * an update the platform resends (its answer was lost or late) never acts twice. Rejects with
   * StoreError when the database cannot record it (the caller must then not act).
   */
  claimUpdate(platform: PlatformName, updateId: string): Promise<boolean>;
  /** Forgets the claims made before `before` (ISO 8601); returns how many were dropped. */
  pruneUpdates(before: string): Promise<number>;
  /** Read-only: a query that touches the database, so a readiness probe sees a closed or broken store. Rejects with StoreError. */
  ping(): Promise<void>;

  close(): Promise<void>;
}

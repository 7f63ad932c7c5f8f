import type { Database, Statement } from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import type { Destination, PlatformName } from '../platforms/platform.ts';
import { databaseFileProblem, fileIdentity, type FileIdentity } from './database-file.ts';
import { guardStorage, openDatabase } from './open-database.ts';
import { columnsFromOptions, mergeOptions, optionsFromColumns, type SubscriptionOptionColumns } from './subscription-options.ts';
import type { SentPart } from '../platforms/platform.ts';
import type {
  Delivery,
  DeliveryKind,
  DeliveryPart,
  DeliveryStatus,
  DeliverySummary,
  Store,
  SubscribeInput,
  Subscription,
  SubscriptionOptions,
} from './store.ts';

export interface SqliteStoreOptions {
  /** Clock for every stored time; tests pin it. Default: the system clock. */
  now?: () => Date;
}

interface SubscriptionRow extends SubscriptionOptionColumns {
  id: number;
  platform: PlatformName;
  chat_id: string;
  thread_id: string;
  guild_id: string | null;
  title: string | null;
  subscribed_by: string;
  subscribed_at: string;
  active: 0 | 1;
  reason: string | null;
  time_of_day: string | null;
  timezone: string | null;
}

interface DeliveryRow {
  id: number;
  slug: string;
  platform: PlatformName;
  chat_id: string;
  thread_id: string;
  kind: DeliveryKind;
  status: DeliveryStatus;
  message_ids: string;
  attempts: number;
  last_error: string | null;
  requested_by: string | null;
  created_at: string;
  updated_at: string;
  content_hash: string | null;
}

/** Destination → the stored key: "no thread" is '' so UNIQUE treats it as one value. */
function key(destination: Destination): { platform: PlatformName; chatId: string; threadId: string } {
  return { platform: destination.platform, chatId: destination.chatId, threadId: destination.threadId ?? '' };
}

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    platform: row.platform,
    chatId: row.chat_id,
    threadId: row.thread_id === '' ? null : row.thread_id,
    guildId: row.guild_id,
    title: row.title,
    subscribedBy: row.subscribed_by,
    subscribedAt: row.subscribed_at,
    active: row.active === 1,
    reason: row.reason,
    timeOfDay: row.time_of_day,
    timezone: row.timezone,
    options: optionsFromColumns(row),
  };
}

/** The option columns as named parameters. */
function optionParams(options: SubscriptionOptions): Record<string, string | number | null> {
  const c = columnsFromOptions(options);
  return { mentionRoleId: c.mention_role_id, silent: c.silent, wordcloud: c.wordcloud, language: c.language };
}

const SET_OPTIONS = 'mention_role_id = @mentionRoleId, silent = @silent, wordcloud = @wordcloud, language = @language';

function parseMessageIds(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.map(String) : [];
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    slug: row.slug,
    platform: row.platform,
    chatId: row.chat_id,
    threadId: row.thread_id === '' ? null : row.thread_id,
    kind: row.kind,
    status: row.status,
    messageIds: parseMessageIds(row.message_ids),
    attempts: row.attempts,
    lastError: row.last_error,
    requestedBy: row.requested_by,
    contentHash: row.content_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const SUB_WHERE = 'platform = @platform AND chat_id = @chatId AND thread_id = @threadId';

/**
 * The default Store: one SQLite file (WAL mode), safe to share between the bot and the `digest`
 * CLI. All times are ISO 8601 UTC from the injected clock. Every failure is a StoreError.
 */
export class SqliteStore implements Store {
  private readonly statements = new Map<string, Statement>();
  /** The file opened (null in memory): a write to a deleted or replaced file is refused. */
  private readonly opened: FileIdentity | null;

  private constructor(
    private readonly db: Database,
    /** The path it was opened with, for error messages. */
    readonly path: string,
    private readonly now: () => Date,
  ) {
    this.opened = path === ':memory:' ? null : fileIdentity(path);
  }

  /**
   * Why the file at `path` is no longer the database this store opened (deleted or replaced), or
   * null. Checked before every write; the bot also checks it periodically and before each fan-out.
   */
  fileProblem(): string | null {
    return this.opened === null ? null : databaseFileProblem(this.path, this.opened);
  }

  /**
   * Copies the open database (still readable through this connection after its file was deleted)
   * to `<path>.rescued-<time>` and returns that path. Throws StoreError when it cannot.
   */
  rescue(): string {
    const target = `${this.path}.rescued-${this.stamp().replace(/[:.]/g, '-')}`;
    guardStorage(this.path, `cannot save a copy to ${target}`, () => this.db.prepare('VACUUM INTO ?').run(target));
    return target;
  }

  /**
   * Opens (creating the file and its folder if needed) and migrates the database at `path`
   * (`:memory:` for a private in-memory one). Throws StoreError with a one-line reason.
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(openDatabase(path), path, options.now ?? (() => new Date()));
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Runs `fn` in an IMMEDIATE transaction (write lock first: no upgrade deadlocks between processes). */
  private write<T>(doing: string, fn: () => T): T {
    // Writing to a deleted file would say "saved" and lose it all at the next start.
    const problem = this.fileProblem();
    if (problem !== null) throw new StoreError(this.path, `${doing}: ${problem}`);
    return guardStorage(this.path, doing, () => this.db.transaction(fn).immediate());
  }

  private read<T>(doing: string, fn: () => T): T {
    return guardStorage(this.path, doing, fn);
  }

  private subscriptionRow(destination: Destination): SubscriptionRow | undefined {
    return this.sql(`SELECT * FROM subscriptions WHERE ${SUB_WHERE}`).get(key(destination)) as SubscriptionRow | undefined;
  }

  async subscribe(input: SubscribeInput): Promise<Subscription> {
    return this.write('cannot save subscription', () => {
      const existing = this.subscriptionRow(input);
      const now = this.stamp();
      if (!existing) {
        this.sql(
          `INSERT INTO subscriptions (platform, chat_id, thread_id, guild_id, title, subscribed_by, subscribed_at,
             active, reason, time_of_day, timezone, updated_at, mention_role_id, silent, wordcloud, language)
           VALUES (@platform, @chatId, @threadId, @guildId, @title, @subscribedBy, @now, 1, NULL, @timeOfDay, @timezone, @now,
             @mentionRoleId, @silent, @wordcloud, @language)`,
        ).run({
          ...optionParams(mergeOptions(null, input.options)),
          ...key(input),
          guildId: input.guildId ?? null,
          title: input.title ?? null,
          subscribedBy: input.subscribedBy,
          timeOfDay: input.timeOfDay ?? null,
          timezone: input.timezone ?? null,
          now,
        });
      } else if (existing.active === 0) {
        // A reactivation is a fresh subscribe: new subscriber and time; the schedule falls back to
        // the global one unless given. Title and guild are descriptive, so they are kept if not given.
        this.sql(
          `UPDATE subscriptions SET active = 1, reason = NULL, subscribed_by = @subscribedBy, subscribed_at = @now,
             guild_id = @guildId, title = @title, time_of_day = @timeOfDay, timezone = @timezone, updated_at = @now,
             ${SET_OPTIONS}
           WHERE id = @id`,
        ).run({
          ...optionParams(mergeOptions(optionsFromColumns(existing), input.options)),
          id: existing.id,
          subscribedBy: input.subscribedBy,
          guildId: input.guildId === undefined ? existing.guild_id : input.guildId,
          title: input.title === undefined ? existing.title : input.title,
          timeOfDay: input.timeOfDay ?? null,
          timezone: input.timezone ?? null,
          now,
        });
      } else {
        // Already active: keep who subscribed first and when; update only what was given.
        this.sql(
          `UPDATE subscriptions SET guild_id = @guildId, title = @title, time_of_day = @timeOfDay,
             timezone = @timezone, updated_at = @now, ${SET_OPTIONS}
           WHERE id = @id`,
        ).run({
          ...optionParams(mergeOptions(optionsFromColumns(existing), input.options)),
          id: existing.id,
          guildId: input.guildId === undefined ? existing.guild_id : input.guildId,
          title: input.title === undefined ? existing.title : input.title,
          timeOfDay: input.timeOfDay === undefined ? existing.time_of_day : input.timeOfDay,
          timezone: input.timezone === undefined ? existing.timezone : input.timezone,
          now,
        });
      }
      const row = this.subscriptionRow(input);
      if (!row) throw new StoreError(this.path, 'subscription vanished while saving it');
      return toSubscription(row);
    });
  }

  async unsubscribe(destination: Destination, reason: string): Promise<boolean> {
    return this.write('cannot remove subscription', () => {
      const result = this.sql(
        `UPDATE subscriptions SET active = 0, reason = @reason, updated_at = @now WHERE ${SUB_WHERE} AND active = 1`,
      ).run({ ...key(destination), reason, now: this.stamp() });
      return result.changes > 0;
    });
  }

  async deactivate(destination: Destination, reason: string): Promise<void> {
    // Same effect as unsubscribe; an already inactive row keeps its first reason (the root cause).
    await this.unsubscribe(destination, reason);
  }

  async moveSubscription(from: Destination, toChatId: string): Promise<void> {
    if (toChatId === from.chatId) return;
    this.write('cannot move subscription', () => {
      const now = this.stamp();
      const source = key(from);
      const target = { ...source, chatId: toChatId };
      const moving = this.subscriptionRow(from);
      const existing = this.subscriptionRow({ ...from, chatId: toChatId });
      if (moving) {
        if (existing && existing.active === 1 && moving.active === 0) {
          // The new chat is already subscribed and the old one was not: nothing to carry over.
          this.sql('DELETE FROM subscriptions WHERE id = ?').run(moving.id);
        } else {
          if (existing) this.sql('DELETE FROM subscriptions WHERE id = ?').run(existing.id);
          this.sql('UPDATE subscriptions SET chat_id = @chatId, updated_at = @now WHERE id = @id').run({
            id: moving.id,
            chatId: toChatId,
            now,
          });
        }
      }
      // Ledger rows move too, keeping their ids (a delivery in flight holds one). Where both chats
      // have a row for the same report and kind, the moved row wins unless the target's was delivered.
      const params = { platform: source.platform, threadId: source.threadId, from: source.chatId, to: target.chatId };
      this.sql(
        `DELETE FROM deliveries AS t
         WHERE t.platform = @platform AND t.chat_id = @to AND t.thread_id = @threadId AND t.status <> 'delivered'
           AND EXISTS (SELECT 1 FROM deliveries AS s WHERE s.platform = t.platform AND s.chat_id = @from
             AND s.thread_id = t.thread_id AND s.slug = t.slug AND s.kind = t.kind)`,
      ).run(params);
      this.sql(
        `DELETE FROM deliveries AS s
         WHERE s.platform = @platform AND s.chat_id = @from AND s.thread_id = @threadId
           AND EXISTS (SELECT 1 FROM deliveries AS t WHERE t.platform = s.platform AND t.chat_id = @to
             AND t.thread_id = s.thread_id AND t.slug = s.slug AND t.kind = s.kind)`,
      ).run(params);
      this.sql(
        `UPDATE deliveries SET chat_id = @to, updated_at = @now
         WHERE platform = @platform AND chat_id = @from AND thread_id = @threadId`,
      ).run({ ...params, now });
    });
  }

  async getSubscription(destination: Destination): Promise<Subscription | null> {
    return this.read('cannot read subscription', () => {
      const row = this.subscriptionRow(destination);
      return row ? toSubscription(row) : null;
    });
  }

  async setSubscriptionOptions(destination: Destination, options: Partial<SubscriptionOptions>): Promise<Subscription | null> {
    return this.write('cannot save subscription options', () => {
      const existing = this.subscriptionRow(destination);
      if (!existing || existing.active !== 1) return null;
      this.sql(`UPDATE subscriptions SET ${SET_OPTIONS}, updated_at = @now WHERE id = @id`).run({
        ...optionParams(mergeOptions(optionsFromColumns(existing), options)),
        id: existing.id,
        now: this.stamp(),
      });
      const row = this.subscriptionRow(destination);
      return row ? toSubscription(row) : null;
    });
  }

  async listSubscriptions(filter: { platform?: PlatformName; activeOnly?: boolean } = {}): Promise<Subscription[]> {
    return this.read('cannot list subscriptions', () => {
      const rows = this.sql(
        `SELECT * FROM subscriptions
         WHERE (@platform IS NULL OR platform = @platform) AND (@activeOnly = 0 OR active = 1)
         ORDER BY id`,
      ).all({ platform: filter.platform ?? null, activeOnly: filter.activeOnly ? 1 : 0 }) as SubscriptionRow[];
      return rows.map(toSubscription);
    });
  }

  private deliveryRow(slug: string, destination: Destination, kind: DeliveryKind): DeliveryRow | undefined {
    return this.sql(`SELECT * FROM deliveries WHERE slug = @slug AND ${SUB_WHERE} AND kind = @kind`).get({
      slug,
      kind,
      ...key(destination),
    }) as DeliveryRow | undefined;
  }

  async claimDelivery(input: {
    slug: string;
    destination: Destination;
    kind: DeliveryKind;
    requestedBy?: string | null;
  }): Promise<{ delivery: Delivery; created: boolean }> {
    return this.write('cannot claim delivery', () => {
      const now = this.stamp();
      // ON CONFLICT DO NOTHING under the write lock: of two processes claiming at once, exactly
      // one inserts; the other sees `changes === 0` and gets the existing row.
      const result = this.sql(
        `INSERT INTO deliveries (slug, platform, chat_id, thread_id, kind, status, message_ids, attempts,
           last_error, requested_by, created_at, updated_at)
         VALUES (@slug, @platform, @chatId, @threadId, @kind, 'sending', '[]', 0, NULL, @requestedBy, @now, @now)
         ON CONFLICT (slug, platform, chat_id, thread_id, kind) DO NOTHING`,
      ).run({ slug: input.slug, kind: input.kind, requestedBy: input.requestedBy ?? null, now, ...key(input.destination) });
      const row = this.deliveryRow(input.slug, input.destination, input.kind);
      if (!row) throw new StoreError(this.path, `delivery ${input.slug} vanished while claiming it`);
      return { delivery: toDelivery(row), created: result.changes > 0 };
    });
  }

  /** Updates one ledger row by id; a missing id is a bug in the caller, so it throws. */
  private updateDelivery(id: number, doing: string, set: string, params: Record<string, unknown> = {}): void {
    this.write(doing, () => {
      const result = this.sql(`UPDATE deliveries SET ${set}, updated_at = @now WHERE id = @id`).run({
        ...params,
        id,
        now: this.stamp(),
      });
      if (result.changes === 0) throw new StoreError(this.path, `${doing}: no delivery with id ${id}`);
    });
  }

  async recordAttempt(id: number): Promise<void> {
    this.updateDelivery(id, 'cannot record attempt', 'attempts = attempts + 1');
  }

  async markDelivered(id: number, messageIds: string[], contentHash?: string | null): Promise<void> {
    this.updateDelivery(id, 'cannot mark delivered', `status = 'delivered', message_ids = @messageIds, content_hash = COALESCE(@contentHash, content_hash)`, {
      messageIds: JSON.stringify(messageIds.map(String)),
      contentHash: contentHash ?? null,
    });
  }

  async markFailed(id: number, error: string): Promise<void> {
    this.updateDelivery(id, 'cannot mark failed', `status = 'failed', last_error = @error`, { error });
  }

  async markDeactivated(id: number, reason: string): Promise<void> {
    this.updateDelivery(id, 'cannot mark deactivated', `status = 'deactivated', last_error = @reason`, { reason });
  }

  async getDelivery(slug: string, destination: Destination, kind: DeliveryKind): Promise<Delivery | null> {
    return this.read('cannot read delivery', () => {
      const row = this.deliveryRow(slug, destination, kind);
      return row ? toDelivery(row) : null;
    });
  }

  async listDeliveries(filter: { slug?: string; platform?: PlatformName } = {}): Promise<Delivery[]> {
    return this.read('cannot list deliveries', () => {
      const rows = this.sql(
        `SELECT * FROM deliveries
         WHERE (@slug IS NULL OR slug = @slug) AND (@platform IS NULL OR platform = @platform)
         ORDER BY id`,
      ).all({ slug: filter.slug ?? null, platform: filter.platform ?? null }) as DeliveryRow[];
      return rows.map(toDelivery);
    });
  }

  async restartDelivery(id: number, requestedBy: string | null, options: { keepParts?: boolean } = {}): Promise<void> {
    // A new run: attempts count from zero again, and the old message ids belong to the old run.
    this.write('cannot restart delivery', () => {
      this.updateDelivery(
        id,
        'cannot restart delivery',
        `status = 'sending', attempts = 0, last_error = NULL, message_ids = '[]', requested_by = @requestedBy`,
        { requestedBy },
      );
      if (!options.keepParts) this.sql('DELETE FROM delivery_parts WHERE delivery_id = ?').run(id);
    });
  }

  async recordDeliveryPart(deliveryId: number, part: SentPart): Promise<void> {
    this.write('cannot record delivery part', () => {
      this.sql(
        `INSERT INTO delivery_parts (delivery_id, part_index, message_id, plan, sent_at)
         VALUES (@deliveryId, @index, @messageId, @plan, @now)
         ON CONFLICT (delivery_id, part_index) DO NOTHING`,
      ).run({ deliveryId, index: part.index, messageId: String(part.messageId), plan: part.plan, now: this.stamp() });
    });
  }

  async listDeliveryParts(deliveryId: number): Promise<DeliveryPart[]> {
    return this.read('cannot list delivery parts', () => {
      const rows = this.sql(
        `SELECT delivery_id, part_index, message_id, plan, sent_at FROM delivery_parts
         WHERE delivery_id = ? ORDER BY part_index`,
      ).all(deliveryId) as { delivery_id: number; part_index: number; message_id: string; plan: string; sent_at: string }[];
      return rows.map((row) => ({
        deliveryId: row.delivery_id,
        index: row.part_index,
        messageId: row.message_id,
        plan: row.plan,
        sentAt: row.sent_at,
      }));
    });
  }

  async summarizeDeliveries(limit: number, failureLimit = 20): Promise<DeliverySummary[]> {
    return this.read('cannot summarize deliveries', () => {
      // Newest reports by their newest claim: walk the rowid backwards and stop at `limit` slugs,
      // so a ledger of millions of rows costs only the rows of the newest reports.
      const slugs: string[] = [];
      for (const row of this.sql('SELECT slug FROM deliveries ORDER BY id DESC').iterate() as Iterable<{ slug: string }>) {
        if (!slugs.includes(row.slug)) slugs.push(row.slug);
        if (slugs.length >= limit) break;
      }
      return slugs.map((slug) => {
        const counts: DeliverySummary['counts'] = { discord: emptyStatusCounts(), telegram: emptyStatusCounts() };
        const groups = this.sql(
          `SELECT platform, status, COUNT(*) AS n, MIN(created_at) AS first_at, MAX(updated_at) AS last_at
           FROM deliveries WHERE slug = @slug GROUP BY platform, status`,
        ).all({ slug }) as { platform: PlatformName; status: DeliveryStatus; n: number; first_at: string; last_at: string }[];
        let firstAt = '';
        let lastAt = '';
        for (const g of groups) {
          counts[g.platform][g.status] = g.n;
          if (firstAt === '' || g.first_at < firstAt) firstAt = g.first_at;
          if (g.last_at > lastAt) lastAt = g.last_at;
        }
        const failures = (
          this.sql(
            `SELECT * FROM deliveries WHERE slug = @slug AND status IN ('failed', 'deactivated') ORDER BY updated_at DESC, id DESC LIMIT @limit`,
          ).all({ slug, limit: failureLimit }) as DeliveryRow[]
        ).map(toDelivery);
        return { slug, counts, firstAt, lastAt, failures };
      });
    });
  }

  async listDeliveriesTo(destination: Destination, limit: number): Promise<Delivery[]> {
    return this.read('cannot list deliveries', () =>
      (
        this.sql(`SELECT * FROM deliveries WHERE ${SUB_WHERE} ORDER BY id DESC LIMIT @limit`).all({ ...key(destination), limit }) as DeliveryRow[]
      ).map(toDelivery),
    );
  }

  async claimUpdate(platform: PlatformName, updateId: string): Promise<boolean> {
    return this.write('cannot record handled update', () => {
      // The primary key decides: of two processes claiming at once, exactly one inserts.
      const result = this.sql(
        `INSERT INTO handled_updates (platform, update_id, handled_at) VALUES (@platform, @updateId, @now)
         ON CONFLICT (platform, update_id) DO NOTHING`,
      ).run({ platform, updateId, now: this.stamp() });
      return result.changes > 0;
    });
  }

  async pruneUpdates(before: string): Promise<number> {
    return this.write('cannot prune handled updates', () => this.sql('DELETE FROM handled_updates WHERE handled_at < ?').run(before).changes);
  }

  async ping(): Promise<void> {
    this.read('database not answering', () => this.sql('SELECT 1').get());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function emptyStatusCounts(): Record<DeliveryStatus, number> {
  return { sending: 0, delivered: 0, failed: 0, deactivated: 0 };
}

import { sql, type Kysely, type Selectable } from 'kysely';
import { StoreError } from '../errors.ts';
import type { Destination, PlatformName, SentPart } from '../words.ts';
import type { StoreTables } from './kysely-schema.ts';
import { readRows, TargetNotEmpty, writeRows, type CopyCounts } from './copy-rows.ts';
import type { StoreDialect } from './store-dialect.ts';
import { columnsFromOptions, mergeOptions, optionsFromColumns } from './subscription-options.ts';
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

type SubscriptionRow = Selectable<StoreTables['subscriptions']>;
type DeliveryRow = Selectable<StoreTables['deliveries']>;
type Db = Kysely<StoreTables>;

/** Destination → the stored key: "no thread" is '' so UNIQUE treats it as one value. */
function key(destination: Destination): { platform: PlatformName; chat_id: string; thread_id: string } {
  return { platform: destination.platform, chat_id: destination.chatId, thread_id: destination.threadId ?? '' };
}

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: Number(row.id),
    platform: row.platform,
    chatId: row.chat_id,
    threadId: row.thread_id === '' ? null : row.thread_id,
    guildId: row.guild_id,
    title: row.title,
    subscribedBy: row.subscribed_by,
    subscribedAt: row.subscribed_at,
    active: Number(row.active) === 1,
    reason: row.reason,
    timeOfDay: row.time_of_day,
    timezone: row.timezone,
    options: optionsFromColumns(row),
  };
}

function parseMessageIds(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.map(String) : [];
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: Number(row.id),
    slug: row.slug,
    platform: row.platform,
    chatId: row.chat_id,
    threadId: row.thread_id === '' ? null : row.thread_id,
    kind: row.kind,
    status: row.status,
    messageIds: parseMessageIds(row.message_ids),
    attempts: Number(row.attempts),
    lastError: row.last_error,
    requestedBy: row.requested_by,
    contentHash: row.content_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function emptyStatusCounts(): Record<DeliveryStatus, number> {
  return { sending: 0, delivered: 0, failed: 0, deactivated: 0 };
}

/**
 * The Store, written once over Kysely for SQLite and PostgreSQL alike; what differs is the
 * dialect object (see StoreDialect). Times are ISO 8601 UTC text from the injected clock; "no
 * thread" is ''. Every failure is a StoreError naming the database and what was being done.
 */
export class KyselyStore implements Store {
  constructor(
    protected readonly db: Db,
    protected readonly dialect: StoreDialect,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The database as messages name it (a file path, a URL without its password). */
  get path(): string {
    return this.dialect.location;
  }

  protected stamp(): string {
    return this.now().toISOString();
  }

  private fail(doing: string, error: unknown): StoreError {
    if (error instanceof StoreError) return error;
    return new StoreError(this.path, `${doing}: ${this.dialect.describe(error)}`, { cause: error });
  }

  /** A read-then-write, serialised with every other such writer (see StoreDialect.serialise). */
  private async transaction<T>(doing: string, fn: (trx: Db) => Promise<T>): Promise<T> {
    this.refuseWrite(doing);
    try {
      return await this.dialect.serialise(this.db, fn);
    } catch (error) {
      throw this.fail(doing, error);
    }
  }

  /** A write that is atomic on its own (one statement): no lock to queue behind. */
  private async write<T>(doing: string, fn: (db: Db) => Promise<T>): Promise<T> {
    this.refuseWrite(doing);
    return this.read(doing, () => fn(this.db));
  }

  private refuseWrite(doing: string): void {
    // Writing to a deleted SQLite file would say "saved" and lose it all at the next start.
    const problem = this.dialect.writeProblem();
    if (problem !== null) throw new StoreError(this.path, `${doing}: ${problem}`);
  }

  private async read<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.fail(doing, error);
    }
  }

  private subscriptionRow(db: Db, destination: Destination): Promise<SubscriptionRow | undefined> {
    const k = key(destination);
    return db
      .selectFrom('subscriptions')
      .selectAll()
      .where('platform', '=', k.platform)
      .where('chat_id', '=', k.chat_id)
      .where('thread_id', '=', k.thread_id)
      .executeTakeFirst();
  }

  async subscribe(input: SubscribeInput): Promise<Subscription> {
    return this.transaction('cannot save subscription', async (trx) => {
      const existing = await this.subscriptionRow(trx, input);
      const now = this.stamp();
      if (!existing) {
        await trx
          .insertInto('subscriptions')
          .values({
            ...key(input),
            guild_id: input.guildId ?? null,
            title: input.title ?? null,
            subscribed_by: input.subscribedBy,
            subscribed_at: now,
            active: 1,
            reason: null,
            time_of_day: input.timeOfDay ?? null,
            timezone: input.timezone ?? null,
            updated_at: now,
            ...columnsFromOptions(mergeOptions(null, input.options)),
          })
          .execute();
      } else if (Number(existing.active) === 0) {
        // A reactivation is a fresh subscribe: new subscriber and time; the schedule falls back to
        // the global one unless given. Title and guild are descriptive, so they are kept if not given.
        await trx
          .updateTable('subscriptions')
          .set({
            active: 1,
            reason: null,
            subscribed_by: input.subscribedBy,
            subscribed_at: now,
            guild_id: input.guildId === undefined ? existing.guild_id : input.guildId,
            title: input.title === undefined ? existing.title : input.title,
            time_of_day: input.timeOfDay ?? null,
            timezone: input.timezone ?? null,
            updated_at: now,
            ...columnsFromOptions(mergeOptions(optionsFromColumns(existing), input.options)),
          })
          .where('id', '=', existing.id)
          .execute();
      } else {
        // Already active: keep who subscribed first and when; update only what was given.
        await trx
          .updateTable('subscriptions')
          .set({
            guild_id: input.guildId === undefined ? existing.guild_id : input.guildId,
            title: input.title === undefined ? existing.title : input.title,
            time_of_day: input.timeOfDay === undefined ? existing.time_of_day : input.timeOfDay,
            timezone: input.timezone === undefined ? existing.timezone : input.timezone,
            updated_at: now,
            ...columnsFromOptions(mergeOptions(optionsFromColumns(existing), input.options)),
          })
          .where('id', '=', existing.id)
          .execute();
      }
      const row = await this.subscriptionRow(trx, input);
      if (!row) throw new StoreError(this.path, 'subscription vanished while saving it');
      return toSubscription(row);
    });
  }

  async unsubscribe(destination: Destination, reason: string): Promise<boolean> {
    return this.write('cannot remove subscription', async (db) => {
      const k = key(destination);
      const result = await db
        .updateTable('subscriptions')
        .set({ active: 0, reason, updated_at: this.stamp() })
        .where('platform', '=', k.platform)
        .where('chat_id', '=', k.chat_id)
        .where('thread_id', '=', k.thread_id)
        .where('active', '=', 1)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async deactivate(destination: Destination, reason: string): Promise<void> {
    // Same effect as unsubscribe; an already inactive row keeps its first reason (the root cause).
    await this.unsubscribe(destination, reason);
  }

  async moveSubscription(from: Destination, toChatId: string): Promise<void> {
    if (toChatId === from.chatId) return;
    await this.transaction('cannot move subscription', async (trx) => {
      const now = this.stamp();
      const moving = await this.subscriptionRow(trx, from);
      const existing = await this.subscriptionRow(trx, { ...from, chatId: toChatId });
      if (moving) {
        if (existing && Number(existing.active) === 1 && Number(moving.active) === 0) {
          // The new chat is already subscribed and the old one was not: nothing to carry over.
          await trx.deleteFrom('subscriptions').where('id', '=', moving.id).execute();
        } else {
          if (existing) await trx.deleteFrom('subscriptions').where('id', '=', existing.id).execute();
          await trx.updateTable('subscriptions').set({ chat_id: toChatId, updated_at: now }).where('id', '=', moving.id).execute();
        }
      }
      // Ledger rows move too, keeping their ids (a delivery in flight holds one). Where both chats
      // have a row for the same report and kind, the moved row wins unless the target's was delivered.
      const { platform, thread_id: threadId, chat_id: fromChat } = key(from);
      await sql`
        DELETE FROM deliveries AS t
        WHERE t.platform = ${platform} AND t.chat_id = ${toChatId} AND t.thread_id = ${threadId} AND t.status <> 'delivered'
          AND EXISTS (SELECT 1 FROM deliveries AS s WHERE s.platform = t.platform AND s.chat_id = ${fromChat}
            AND s.thread_id = t.thread_id AND s.slug = t.slug AND s.kind = t.kind)`.execute(trx);
      await sql`
        DELETE FROM deliveries AS s
        WHERE s.platform = ${platform} AND s.chat_id = ${fromChat} AND s.thread_id = ${threadId}
          AND EXISTS (SELECT 1 FROM deliveries AS t WHERE t.platform = s.platform AND t.chat_id = ${toChatId}
            AND t.thread_id = s.thread_id AND t.slug = s.slug AND t.kind = s.kind)`.execute(trx);
      await trx
        .updateTable('deliveries')
        .set({ chat_id: toChatId, updated_at: now })
        .where('platform', '=', platform)
        .where('chat_id', '=', fromChat)
        .where('thread_id', '=', threadId)
        .execute();
    });
  }

  async getSubscription(destination: Destination): Promise<Subscription | null> {
    return this.read('cannot read subscription', async () => {
      const row = await this.subscriptionRow(this.db, destination);
      return row ? toSubscription(row) : null;
    });
  }

  async setSubscriptionOptions(destination: Destination, options: Partial<SubscriptionOptions>): Promise<Subscription | null> {
    return this.transaction('cannot save subscription options', async (trx) => {
      const existing = await this.subscriptionRow(trx, destination);
      if (!existing || Number(existing.active) !== 1) return null;
      await trx
        .updateTable('subscriptions')
        .set({ ...columnsFromOptions(mergeOptions(optionsFromColumns(existing), options)), updated_at: this.stamp() })
        .where('id', '=', existing.id)
        .execute();
      const row = await this.subscriptionRow(trx, destination);
      return row ? toSubscription(row) : null;
    });
  }

  async listSubscriptions(filter: { platform?: PlatformName; activeOnly?: boolean } = {}): Promise<Subscription[]> {
    return this.read('cannot list subscriptions', async () => {
      let query = this.db.selectFrom('subscriptions').selectAll().orderBy('id');
      if (filter.platform) query = query.where('platform', '=', filter.platform);
      if (filter.activeOnly) query = query.where('active', '=', 1);
      return (await query.execute()).map(toSubscription);
    });
  }

  private deliveryRow(db: Db, slug: string, destination: Destination, kind: DeliveryKind): Promise<DeliveryRow | undefined> {
    const k = key(destination);
    return db
      .selectFrom('deliveries')
      .selectAll()
      .where('slug', '=', slug)
      .where('platform', '=', k.platform)
      .where('chat_id', '=', k.chat_id)
      .where('thread_id', '=', k.thread_id)
      .where('kind', '=', kind)
      .executeTakeFirst();
  }

  async claimDelivery(input: {
    slug: string;
    destination: Destination;
    kind: DeliveryKind;
    requestedBy?: string | null;
  }): Promise<{ delivery: Delivery; created: boolean }> {
    return this.write('cannot claim delivery', async (db) => {
      const now = this.stamp();
      // ON CONFLICT DO NOTHING: of two processes claiming at once, exactly one inserts; the
      // other gets nothing back and reads the existing row (rows are never deleted under it).
      const inserted = await db
        .insertInto('deliveries')
        .values({
          slug: input.slug,
          ...key(input.destination),
          kind: input.kind,
          status: 'sending',
          message_ids: '[]',
          attempts: 0,
          last_error: null,
          requested_by: input.requestedBy ?? null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['slug', 'platform', 'chat_id', 'thread_id', 'kind']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { delivery: toDelivery(inserted), created: true };
      const row = await this.deliveryRow(db, input.slug, input.destination, input.kind);
      if (!row) throw new StoreError(this.path, `delivery ${input.slug} vanished while claiming it`);
      return { delivery: toDelivery(row), created: false };
    });
  }

  /** Updates one ledger row by id; a missing id is a bug in the caller, so it throws. */
  private async updateDelivery(
    db: Db,
    id: number,
    doing: string,
    set: Partial<Omit<DeliveryRow, 'id'>>,
  ): Promise<void> {
    const result = await db
      .updateTable('deliveries')
      .set({ ...set, updated_at: this.stamp() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new StoreError(this.path, `${doing}: no delivery with id ${id}`);
  }

  async recordAttempt(id: number): Promise<void> {
    const doing = 'cannot record attempt';
    await this.write(doing, async (db) => {
      const result = await db
        .updateTable('deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), updated_at: this.stamp() }))
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new StoreError(this.path, `${doing}: no delivery with id ${id}`);
    });
  }

  async markDelivered(id: number, messageIds: string[], contentHash?: string | null): Promise<void> {
    const doing = 'cannot mark delivered';
    await this.write(doing, (db) =>
      this.updateDelivery(db, id, doing, {
        status: 'delivered',
        message_ids: JSON.stringify(messageIds.map(String)),
        // Absent: the row keeps the hash it had.
        ...(contentHash ? { content_hash: contentHash } : {}),
      }),
    );
  }

  async recordCorrection(id: number, expectedHash: string | null, contentHash: string): Promise<boolean> {
    return this.write('cannot record a correction', async (db) => {
      const result = await db
        .updateTable('deliveries')
        .set({ content_hash: contentHash, updated_at: this.stamp() })
        .where('id', '=', id)
        .where('status', '=', 'delivered')
        .where((eb) => (expectedHash === null ? eb('content_hash', 'is', null) : eb('content_hash', '=', expectedHash)))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  async markFailed(id: number, error: string): Promise<void> {
    const doing = 'cannot mark failed';
    await this.write(doing, (db) => this.updateDelivery(db, id, doing, { status: 'failed', last_error: error }));
  }

  async markDeactivated(id: number, reason: string): Promise<void> {
    const doing = 'cannot mark deactivated';
    await this.write(doing, (db) => this.updateDelivery(db, id, doing, { status: 'deactivated', last_error: reason }));
  }

  async getDelivery(slug: string, destination: Destination, kind: DeliveryKind): Promise<Delivery | null> {
    return this.read('cannot read delivery', async () => {
      const row = await this.deliveryRow(this.db, slug, destination, kind);
      return row ? toDelivery(row) : null;
    });
  }

  async listDeliveries(filter: { slug?: string; platform?: PlatformName } = {}): Promise<Delivery[]> {
    return this.read('cannot list deliveries', async () => {
      let query = this.db.selectFrom('deliveries').selectAll().orderBy('id');
      if (filter.slug !== undefined) query = query.where('slug', '=', filter.slug);
      if (filter.platform) query = query.where('platform', '=', filter.platform);
      return (await query.execute()).map(toDelivery);
    });
  }

  async restartDelivery(id: number, requestedBy: string | null, options: { keepParts?: boolean } = {}): Promise<void> {
    // A new run: attempts count from zero again, and the old message ids belong to the old run.
    const doing = 'cannot restart delivery';
    await this.transaction(doing, async (trx) => {
      await this.updateDelivery(trx, id, doing, { status: 'sending', attempts: 0, last_error: null, message_ids: '[]', requested_by: requestedBy });
      if (!options.keepParts) await trx.deleteFrom('delivery_parts').where('delivery_id', '=', id).execute();
    });
  }

  async recordDeliveryPart(deliveryId: number, part: SentPart): Promise<void> {
    await this.write('cannot record delivery part', async (db) => {
      await db
        .insertInto('delivery_parts')
        .values({ delivery_id: deliveryId, part_index: part.index, message_id: String(part.messageId), plan: part.plan, sent_at: this.stamp() })
        .onConflict((oc) => oc.columns(['delivery_id', 'part_index']).doNothing())
        .execute();
    });
  }

  async listDeliveryParts(deliveryId: number): Promise<DeliveryPart[]> {
    return this.read('cannot list delivery parts', async () => {
      const rows = await this.db.selectFrom('delivery_parts').selectAll().where('delivery_id', '=', deliveryId).orderBy('part_index').execute();
      return rows.map((row) => ({
        deliveryId: Number(row.delivery_id),
        index: Number(row.part_index),
        messageId: row.message_id,
        plan: row.plan,
        sentAt: row.sent_at,
      }));
    });
  }

  async summarizeDeliveries(limit: number, failureLimit = 20): Promise<DeliverySummary[]> {
    return this.read('cannot summarize deliveries', async () => {
      // Newest reports by their newest claim (the highest id of each slug).
      const slugs = await this.db.selectFrom('deliveries').select('slug').groupBy('slug').orderBy(sql`MAX(id)`, 'desc').limit(limit).execute();
      const summaries: DeliverySummary[] = [];
      for (const { slug } of slugs) {
        const counts: DeliverySummary['counts'] = { discord: emptyStatusCounts(), telegram: emptyStatusCounts() };
        const groups = await this.db
          .selectFrom('deliveries')
          .select(['platform', 'status'])
          .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('created_at').as('first_at'), eb.fn.max('updated_at').as('last_at')])
          .where('slug', '=', slug)
          .groupBy(['platform', 'status'])
          .execute();
        let firstAt = '';
        let lastAt = '';
        for (const g of groups) {
          counts[g.platform][g.status] = Number(g.n);
          if (firstAt === '' || g.first_at < firstAt) firstAt = g.first_at;
          if (g.last_at > lastAt) lastAt = g.last_at;
        }
        const failures = (
          await this.db
            .selectFrom('deliveries')
            .selectAll()
            .where('slug', '=', slug)
            .where('status', 'in', ['failed', 'deactivated'])
            .orderBy('updated_at', 'desc')
            .orderBy('id', 'desc')
            .limit(failureLimit)
            .execute()
        ).map(toDelivery);
        summaries.push({ slug, counts, firstAt, lastAt, failures });
      }
      return summaries;
    });
  }

  async listDeliveriesTo(destination: Destination, limit: number): Promise<Delivery[]> {
    return this.read('cannot list deliveries', async () => {
      const k = key(destination);
      const rows = await this.db
        .selectFrom('deliveries')
        .selectAll()
        .where('platform', '=', k.platform)
        .where('chat_id', '=', k.chat_id)
        .where('thread_id', '=', k.thread_id)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toDelivery);
    });
  }

  async claimUpdate(platform: PlatformName, updateId: string): Promise<boolean> {
    // One statement, atomic on its own: the primary key lets exactly one of several instances
    // racing for the same update insert. No lock: webhook intake must not queue behind a
    // fan-out's ledger writes.
    return this.write('cannot record handled update', async (db) => {
      const inserted = await db
        .insertInto('handled_updates')
        .values({ platform, update_id: updateId, handled_at: this.stamp() })
        .onConflict((oc) => oc.columns(['platform', 'update_id']).doNothing())
        .returning('update_id')
        .executeTakeFirst();
      return inserted !== undefined;
    });
  }

  async pruneUpdates(before: string): Promise<number> {
    return this.write('cannot prune handled updates', async (db) => {
      const result = await db.deleteFrom('handled_updates').where('handled_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async ping(): Promise<void> {
    await this.read('database not answering', () => this.dialect.ping());
  }

  /**
   * Copies every row of this store into `target` (`digest db copy`), in one transaction there.
   * Rejects with TargetNotEmpty (nothing written) or a StoreError naming the target.
   */
  async copyTo(target: KyselyStore, options: { merge: boolean }): Promise<CopyCounts> {
    const rows = await this.read('cannot read the rows to copy', () => readRows(this.db));
    target.refuseWrite('cannot copy');
    try {
      return await writeRows(rows, (fn) => target.dialect.serialise(target.db, fn), options);
    } catch (error) {
      if (error instanceof TargetNotEmpty) throw error;
      throw target.fail('cannot copy', error);
    }
  }

  async close(): Promise<void> {
    await this.dialect.close();
  }
}

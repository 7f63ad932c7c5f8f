import { Kysely, Migrator, PostgresDialect, sql, type Selectable, type Transaction } from 'kysely';
import pg from 'pg';
import { StoreError } from '../errors.ts';
import type { Destination, PlatformName, SentPart } from '../platforms/platform.ts';
import { describePostgresFailure, postgresPoolOptions, type PostgresTimeouts } from './postgres-pool-options.ts';
import { postgresMigrations, type StoreTables } from './kysely-schema.ts';
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

export interface PostgresStoreOptions {
  /** Clock for every stored time; tests pin it. Default: the system clock. */
  now?: () => Date;
  /** Schema for every table (created if missing); default the server's search_path (`public`). */
  schema?: string;
  /** Pool size; default 5. */
  maxConnections?: number;
  /**
   * `application_name` of the pool's sessions (pg_stat_activity), so an operator can tell the
   * bot's connections apart; default `ai-digest-bot`. A URL parameter `application_name` wins.
   */
  applicationName?: string;
  /**
   * How long a query may wait for a connection (a new one, or a free one of the pool) before it
   * fails; default unlimited (a big fan-out's writes queue for the pool rather than fail). The
   * connection watch notices a server that no longer answers on its own.
   */
  connectTimeoutMs?: number;
  /** How long the server may take to answer (config `database`); DEFAULT_POSTGRES_TIMEOUTS otherwise. */
  timeouts?: PostgresTimeouts;
}

type SubscriptionRow = Selectable<StoreTables['subscriptions']>;
type DeliveryRow = Selectable<StoreTables['deliveries']>;

/**
 * Any key for the transaction-level advisory lock every write takes: writers run one at a time,
 * as under SQLite's write lock, so a read-then-write (subscribe, a supergroup move) never races
 * another process's write. Reads take no lock.
 */
const WRITE_LOCK_KEY = 0x6469_6765; // "dige"

/** `postgres://user:secret@host/db` → `postgres://user@host/db`, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Store on PostgreSQL (`DATABASE_URL=postgres://…`), through Kysely and the `pg` pool. The
 * schema is migrated at open (Kysely's Migrator, versioned in `kysely_migration`). Same rows and
 * semantics as SqliteStore: times are ISO 8601 UTC text from the injected clock, "no thread" is
 * ''. Every failure is a StoreError naming the database (without its password).
 */
export class PostgresStore implements Store {
  private constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly probe: pg.Pool,
    /** The database URL without its password, for error messages. */
    readonly path: string,
    private readonly now: () => Date,
  ) {}

  /**
   * Connects, creates the schema if asked and applies pending migrations. Rejects with StoreError
   * with a one-line reason when the server cannot be reached or a migration fails.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const shown = redactDatabaseUrl(url);
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new StoreError(shown, `not a schema name: "${schema}"`);
    const makePool = (max: number, connectTimeoutMs = options.connectTimeoutMs): pg.Pool => {
      const pool = new pg.Pool({
        ...postgresPoolOptions({
          connectionString: url,
          applicationName: options.applicationName ?? 'ai-digest-bot',
          ...(options.timeouts ? { timeouts: options.timeouts } : {}),
          ...(schema ? { schema } : {}),
        }),
        max,
        ...(connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: connectTimeoutMs }),
      });
      // An idle client the server dropped (a server restart, pg_terminate_backend) must not crash
      // the process: the pool discards it and the next query opens a new connection. The outage
      // itself is noticed and reported by ConnectionWatch, not once per dropped client here.
      pool.on('error', () => undefined);
      // pg emits a socket error on the client itself, and the pool listens only while the client is
      // idle: a connection reset while a client is checked out (a query being written as the server
      // goes down) would be an uncaught exception that kills the bot. The query in flight still
      // fails with the error, and the pool discards the broken client at its release.
      pool.on('connect', (client) => client.on('error', () => undefined));
      return pool;
    };
    const pool = makePool(options.maxConnections ?? 5);
    // Pings (readiness, the connection watch) get a connection of their own: behind a big
    // fan-out's queue of writes they would time out and report a healthy server as unreachable.
    // Bounded, so a server that drops packets fails a ping rather than hold the one connection.
    const probe = makePool(1, 5000);
    const db = new Kysely<StoreTables>({ dialect: new PostgresDialect({ pool }) });
    try {
      if (schema) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
      // The migrator's bookkeeping goes in the schema the tables go in (its existence check looks
      // at every schema, so a kysely_migration elsewhere would otherwise be taken for ours).
      const tablesSchema = schema ?? (await sql<{ name: string | null }>`SELECT current_schema() AS name`.execute(db)).rows[0]?.name;
      if (!tablesSchema) throw new StoreError(shown, 'no schema to create the tables in (the search_path names none that exists)');
      const { error, results } = await new Migrator({
        db,
        provider: postgresMigrations,
        migrationTableSchema: tablesSchema,
      }).migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new StoreError(shown, `migration ${failed} failed: ${messageOf(error)}`, { cause: error });
      }
    } catch (error) {
      await db.destroy().catch(() => undefined);
      await probe.end().catch(() => undefined);
      if (error instanceof StoreError) throw error;
      throw new StoreError(shown, `cannot open: ${describePostgresFailure(error, options.timeouts)}`, { cause: error });
    }
    return new PostgresStore(db, probe, shown, options.now ?? (() => new Date()));
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /** One write transaction, serialized with every other writer (see WRITE_LOCK_KEY). */
  private async write<T>(doing: string, fn: (trx: Transaction<StoreTables>) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`.execute(trx);
        return fn(trx);
      });
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(this.path, `${doing}: ${messageOf(error)}`, { cause: error });
    }
  }

  private async read<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new StoreError(this.path, `${doing}: ${messageOf(error)}`, { cause: error });
    }
  }

  private subscriptionRow(db: Kysely<StoreTables>, destination: Destination): Promise<SubscriptionRow | undefined> {
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
    return this.write('cannot save subscription', async (trx) => {
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
        // A reactivation is a fresh subscribe (see SqliteStore.subscribe).
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
    return this.write('cannot remove subscription', async (trx) => {
      const k = key(destination);
      const result = await trx
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
    await this.write('cannot move subscription', async (trx) => {
      const now = this.stamp();
      const source = key(from);
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
      // Ledger rows move too, keeping their ids; where both chats have a row for the same report
      // and kind, the moved row wins unless the target's was delivered (as SqliteStore).
      const { platform, thread_id: threadId, chat_id: fromChat } = source;
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
    return this.write('cannot save subscription options', async (trx) => {
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

  private deliveryRow(db: Kysely<StoreTables>, slug: string, destination: Destination, kind: DeliveryKind): Promise<DeliveryRow | undefined> {
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
    return this.write('cannot claim delivery', async (trx) => {
      const now = this.stamp();
      // ON CONFLICT DO NOTHING: of two processes claiming at once, exactly one inserts.
      const inserted = await trx
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
        .returning('id')
        .executeTakeFirst();
      const row = await this.deliveryRow(trx, input.slug, input.destination, input.kind);
      if (!row) throw new StoreError(this.path, `delivery ${input.slug} vanished while claiming it`);
      return { delivery: toDelivery(row), created: inserted !== undefined };
    });
  }

  /** Updates one ledger row by id; a missing id is a bug in the caller, so it throws. */
  private async updateDelivery(
    trx: Transaction<StoreTables>,
    id: number,
    doing: string,
    set: Partial<Omit<DeliveryRow, 'id'>>,
  ): Promise<void> {
    const result = await trx
      .updateTable('deliveries')
      .set({ ...set, updated_at: this.stamp() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new StoreError(this.path, `${doing}: no delivery with id ${id}`);
  }

  async recordAttempt(id: number): Promise<void> {
    await this.write('cannot record attempt', async (trx) => {
      const result = await trx
        .updateTable('deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), updated_at: this.stamp() }))
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new StoreError(this.path, `cannot record attempt: no delivery with id ${id}`);
    });
  }

  async markDelivered(id: number, messageIds: string[], contentHash?: string | null): Promise<void> {
    await this.write('cannot mark delivered', (trx) =>
      this.updateDelivery(trx, id, 'cannot mark delivered', {
        status: 'delivered',
        message_ids: JSON.stringify(messageIds.map(String)),
        ...(contentHash ? { content_hash: contentHash } : {}),
      }),
    );
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.write('cannot mark failed', (trx) => this.updateDelivery(trx, id, 'cannot mark failed', { status: 'failed', last_error: error }));
  }

  async markDeactivated(id: number, reason: string): Promise<void> {
    await this.write('cannot mark deactivated', (trx) =>
      this.updateDelivery(trx, id, 'cannot mark deactivated', { status: 'deactivated', last_error: reason }),
    );
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
    await this.write('cannot restart delivery', async (trx) => {
      await this.updateDelivery(trx, id, 'cannot restart delivery', {
        status: 'sending',
        attempts: 0,
        last_error: null,
        message_ids: '[]',
        requested_by: requestedBy,
      });
      if (!options.keepParts) await trx.deleteFrom('delivery_parts').where('delivery_id', '=', id).execute();
    });
  }

  async recordDeliveryPart(deliveryId: number, part: SentPart): Promise<void> {
    await this.write('cannot record delivery part', async (trx) => {
      await trx
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
      const slugs = await this.db
        .selectFrom('deliveries')
        .select('slug')
        .groupBy('slug')
        .orderBy(sql`MAX(id)`, 'desc')
        .limit(limit)
        .execute();
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
    // racing for the same update insert. No write lock: webhook intake must not queue behind a
    // fan-out's ledger writes.
    return this.read('cannot record handled update', async () => {
      const inserted = await this.db
        .insertInto('handled_updates')
        .values({ platform, update_id: updateId, handled_at: this.stamp() })
        .onConflict((oc) => oc.columns(['platform', 'update_id']).doNothing())
        .returning('update_id')
        .executeTakeFirst();
      return inserted !== undefined;
    });
  }

  async pruneUpdates(before: string): Promise<number> {
    return this.read('cannot prune handled updates', async () => {
      const result = await this.db.deleteFrom('handled_updates').where('handled_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async ping(): Promise<void> {
    await this.read('database not answering', () => this.probe.query('SELECT 1'));
  }

  async close(): Promise<void> {
    await Promise.all([this.db.destroy(), this.probe.end()]);
  }
}

function emptyStatusCounts(): Record<DeliveryStatus, number> {
  return { sending: 0, delivered: 0, failed: 0, deactivated: 0 };
}

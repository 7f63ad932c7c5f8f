import { sql, type Generated, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { PlatformName } from '../platforms/platform.ts';
import type { DeliveryKind, DeliveryStatus } from './store.ts';

/** The tables as Kysely sees them (the same columns as the SQLite schema in migrations.ts). */
export interface StoreTables {
  subscriptions: {
    id: Generated<number>;
    platform: PlatformName;
    chat_id: string;
    /** '' for "no thread", so UNIQUE treats it as one value. */
    thread_id: string;
    guild_id: string | null;
    title: string | null;
    subscribed_by: string;
    subscribed_at: string;
    active: number;
    reason: string | null;
    time_of_day: string | null;
    timezone: string | null;
    updated_at: string;
    /** Delivery options (0003-subscription-options). */
    mention_role_id: string | null;
    silent: Generated<number>;
    wordcloud: Generated<number>;
    language: string | null;
  };
  deliveries: {
    id: Generated<number>;
    slug: string;
    platform: PlatformName;
    chat_id: string;
    thread_id: string;
    kind: DeliveryKind;
    status: DeliveryStatus;
    /** JSON array of message ids. */
    message_ids: string;
    attempts: number;
    last_error: string | null;
    requested_by: string | null;
    created_at: string;
    updated_at: string;
    /** sha256 of the report file last delivered (v5); null before. */
    content_hash: Generated<string | null>;
  };
  delivery_parts: {
    delivery_id: number;
    part_index: number;
    message_id: string;
    plan: string;
    sent_at: string;
  };
  handled_updates: {
    platform: PlatformName;
    update_id: string;
    handled_at: string;
  };
}

/**
 * The PostgreSQL schema steps, named so they sort in order. Kysely's Migrator records each in
 * `kysely_migration` and runs the pending ones in a transaction (PostgreSQL has transactional
 * DDL), so a failed step leaves the schema as it was. Never edit a released step: append one.
 * Times are ISO 8601 UTC text, as in SQLite, so both compare and sort them the same way.
 */
export const POSTGRES_MIGRATIONS: Record<string, Migration> = {
  // v1: subscriptions and the delivery ledger.
  '0001-subscriptions-and-deliveries': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE subscriptions (
          id            SERIAL  PRIMARY KEY,
          platform      TEXT    NOT NULL CHECK (platform IN ('discord', 'telegram')),
          chat_id       TEXT    NOT NULL CHECK (chat_id <> ''),
          thread_id     TEXT    NOT NULL DEFAULT '',
          guild_id      TEXT,
          title         TEXT,
          subscribed_by TEXT    NOT NULL,
          subscribed_at TEXT    NOT NULL,
          active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
          reason        TEXT,
          time_of_day   TEXT,
          timezone      TEXT,
          updated_at    TEXT    NOT NULL,
          UNIQUE (platform, chat_id, thread_id)
        )`.execute(db);
      await sql`
        CREATE TABLE deliveries (
          id           SERIAL  PRIMARY KEY,
          slug         TEXT    NOT NULL,
          platform     TEXT    NOT NULL CHECK (platform IN ('discord', 'telegram')),
          chat_id      TEXT    NOT NULL CHECK (chat_id <> ''),
          thread_id    TEXT    NOT NULL DEFAULT '',
          kind         TEXT    NOT NULL CHECK (kind IN ('scheduled', 'repost')),
          status       TEXT    NOT NULL CHECK (status IN ('sending', 'delivered', 'failed', 'deactivated')),
          message_ids  TEXT    NOT NULL DEFAULT '[]',
          attempts     INTEGER NOT NULL DEFAULT 0,
          last_error   TEXT,
          requested_by TEXT,
          created_at   TEXT    NOT NULL,
          updated_at   TEXT    NOT NULL,
          UNIQUE (slug, platform, chat_id, thread_id, kind)
        )`.execute(db);
      await sql`CREATE INDEX deliveries_by_destination ON deliveries (platform, chat_id, thread_id)`.execute(db);
    },
  },
  // v2: the accepted parts of each delivery (see migrations.ts, v2).
  '0002-delivery-parts': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE delivery_parts (
          delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
          part_index  INTEGER NOT NULL CHECK (part_index >= 0),
          message_id  TEXT    NOT NULL,
          plan        TEXT    NOT NULL DEFAULT '',
          sent_at     TEXT    NOT NULL,
          PRIMARY KEY (delivery_id, part_index)
        )`.execute(db);
    },
  },
  // v3: per-subscription delivery options (see migrations.ts, v3).
  '0003-subscription-options': {
    async up(db: Kysely<unknown>) {
      await sql`
        ALTER TABLE subscriptions
          ADD COLUMN mention_role_id TEXT,
          ADD COLUMN silent    INTEGER NOT NULL DEFAULT 0 CHECK (silent IN (0, 1)),
          ADD COLUMN wordcloud INTEGER NOT NULL DEFAULT 1 CHECK (wordcloud IN (0, 1)),
          ADD COLUMN language  TEXT CHECK (language IN ('zh', 'en'))`.execute(db);
    },
  },
  // v4: handled webhook updates (see migrations.ts, v4).
  '0004-handled-updates': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE handled_updates (
          platform   TEXT NOT NULL CHECK (platform IN ('discord', 'telegram')),
          update_id  TEXT NOT NULL CHECK (update_id <> ''),
          handled_at TEXT NOT NULL,
          PRIMARY KEY (platform, update_id)
        )`.execute(db);
      await sql`CREATE INDEX handled_updates_by_time ON handled_updates (handled_at)`.execute(db);
    },
  },
  // v5: the report version a delivered row carried (see migrations.ts, v5).
  '0005-delivery-content-hash': {
    async up(db: Kysely<unknown>) {
      await sql`ALTER TABLE deliveries ADD COLUMN content_hash TEXT`.execute(db);
    },
  },
};

/** The migrations above, for Kysely's Migrator. */
export const postgresMigrations: MigrationProvider = {
  getMigrations: async () => POSTGRES_MIGRATIONS,
};

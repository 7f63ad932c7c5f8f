import { sql, type Generated, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { PlatformName } from '../words.ts';
import type { DeliveryKind, DeliveryStatus } from './store.ts';

/** The tables as Kysely sees them: the same columns on SQLite and PostgreSQL. */
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
    /** Platform options (0006-platform-options); null = the configured default. */
    layout: string | null;
    forum_tag_id: string | null;
    publish: number | null;
    collapse_details: number | null;
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
    /** sha256 of the report file last delivered (0005); null before. */
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
 * What the schema steps need to know of the database they run on: the little DDL that differs,
 * and the history kept before the Migrator (SQLite's `PRAGMA user_version`, steps 1 to 5).
 */
export interface SchemaFlavour {
  /** The key column of a table with generated ids (`INTEGER PRIMARY KEY` / `SERIAL PRIMARY KEY`). */
  readonly generatedId: string;
  /** The steps applied before the Migrator kept the history (0 where there was no such history). */
  legacyVersion(db: Kysely<unknown>): Promise<number>;
  /** Called after step `step` ran or was adopted, in the same transaction. */
  afterStep(db: Kysely<unknown>, step: number): Promise<void>;
}

type Step = (db: Kysely<unknown>, flavour: SchemaFlavour) => Promise<void>;

/**
 * The schema steps, in order; the name is what the Migrator records in `kysely_migration`. Never
 * edit a released step: append one. Times are ISO 8601 UTC text on both databases, so both
 * compare and sort them the same way. Ids are TEXT: Discord snowflakes and Telegram supergroup
 * ids exceed 2^53. thread_id is '' (not NULL) for "no thread": NULLs are distinct in UNIQUE,
 * which would let the same chat be subscribed twice.
 */
const STEPS: readonly (readonly [name: string, step: Step])[] = [
  [
    '0001-subscriptions-and-deliveries',
    async (db, flavour) => {
      await sql`
        CREATE TABLE subscriptions (
          id            ${sql.raw(flavour.generatedId)},
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
          id           ${sql.raw(flavour.generatedId)},
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
  ],
  // The parts of each delivery the platform accepted (a Telegram photo, each text chunk, each
  // Discord message), recorded one by one as the answers arrive, so a crash repeats at most the
  // part in flight. `plan` names the rendering a part belongs to ('' by default; Telegram's
  // 'text-only' once the picture was dropped), so a resume continues the same rendering.
  [
    '0002-delivery-parts',
    async (db) => {
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
  ],
  // Per-subscription delivery options (`/subscribe` options, `/settings`). Defaults keep every
  // existing subscription as it was: no role, not silent, word cloud on, the default language.
  // One column a statement: SQLite adds one at a time.
  [
    '0003-subscription-options',
    async (db) => {
      await sql`ALTER TABLE subscriptions ADD COLUMN mention_role_id TEXT`.execute(db);
      await sql`ALTER TABLE subscriptions ADD COLUMN silent INTEGER NOT NULL DEFAULT 0 CHECK (silent IN (0, 1))`.execute(db);
      await sql`ALTER TABLE subscriptions ADD COLUMN wordcloud INTEGER NOT NULL DEFAULT 1 CHECK (wordcloud IN (0, 1))`.execute(db);
      await sql`ALTER TABLE subscriptions ADD COLUMN language TEXT CHECK (language IN ('zh', 'en'))`.execute(db);
    },
  ],
  // Handled webhook updates (Telegram `update_id`s, as text so any platform's ids fit): the
  // primary key makes a claim succeed once, whichever process tries; `handled_at` lets old claims
  // be pruned.
  [
    '0004-handled-updates',
    async (db) => {
      await sql`
        CREATE TABLE handled_updates (
          platform   TEXT NOT NULL CHECK (platform IN ('discord', 'telegram')),
          update_id  TEXT NOT NULL CHECK (update_id <> ''),
          handled_at TEXT NOT NULL,
          PRIMARY KEY (platform, update_id)
        )`.execute(db);
      await sql`CREATE INDEX handled_updates_by_time ON handled_updates (handled_at)`.execute(db);
    },
  ],
  // Which version of the report file a delivered row carried (sha256), so "edited after
  // delivery" compares contents, not the file's mtime (a fresh checkout touches every file).
  [
    '0005-delivery-content-hash',
    async (db) => {
      await sql`ALTER TABLE deliveries ADD COLUMN content_hash TEXT`.execute(db);
    },
  ],
  // Per-platform subscription options, NULL meaning "the configured default" so a change of the
  // default reaches every subscription that never chose: Discord's layout (Components V2 or
  // embeds), the forum tag applied to each post, publishing in announcement channels; Telegram's
  // collapsed details.
  [
    '0006-platform-options',
    async (db) => {
      await sql`ALTER TABLE subscriptions ADD COLUMN layout TEXT CHECK (layout IN ('components', 'embeds'))`.execute(db);
      await sql`ALTER TABLE subscriptions ADD COLUMN forum_tag_id TEXT`.execute(db);
      await sql`ALTER TABLE subscriptions ADD COLUMN publish INTEGER CHECK (publish IN (0, 1))`.execute(db);
      await sql`ALTER TABLE subscriptions ADD COLUMN collapse_details INTEGER CHECK (collapse_details IN (0, 1))`.execute(db);
    },
  ],
];

/** The names of the schema steps this version knows, in order. */
export const STORE_MIGRATION_NAMES: readonly string[] = STEPS.map(([name]) => name);

/**
 * The schema steps for Kysely's Migrator on one database. A step the legacy history already
 * applied (a SQLite file at `user_version` ≥ its number) is recorded without running again, so
 * an old file joins the Migrator's history in place, in the Migrator's one transaction.
 */
export function storeMigrations(flavour: SchemaFlavour): MigrationProvider {
  const migrations: Record<string, Migration> = {};
  STEPS.forEach(([name, step], index) => {
    const number = index + 1;
    migrations[name] = {
      async up(db: Kysely<unknown>) {
        if ((await flavour.legacyVersion(db)) < number) await step(db, flavour);
        await flavour.afterStep(db, number);
      },
    };
  });
  return { getMigrations: async () => migrations };
}

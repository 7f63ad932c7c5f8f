import type { Database } from 'better-sqlite3';

/**
 * One schema step. Migration `i` (0-based) takes the schema from version `i` to `i + 1`; the
 * version lives in `PRAGMA user_version`. Each runs inside its own transaction, so a failed step
 * leaves the database at the previous version. Never edit a released step: append a new one.
 */
export type Migration = (db: Database) => void;

/** Adds the delivery option columns to `subscriptions` (schema step v3; self-contained, so it can be reordered). */
function addSubscriptionOptions(db: Database): void {
  db.exec(`
    ALTER TABLE subscriptions ADD COLUMN mention_role_id TEXT;
    ALTER TABLE subscriptions ADD COLUMN silent    INTEGER NOT NULL DEFAULT 0 CHECK (silent IN (0, 1));
    ALTER TABLE subscriptions ADD COLUMN wordcloud INTEGER NOT NULL DEFAULT 1 CHECK (wordcloud IN (0, 1));
    ALTER TABLE subscriptions ADD COLUMN language  TEXT CHECK (language IN ('zh', 'en'));
  `);
}

/** Ordered schema steps; `MIGRATIONS.length` is the schema version this code writes. */
export const MIGRATIONS: readonly Migration[] = [
  // v1: subscriptions and the delivery ledger.
  (db) => {
    // Ids are TEXT: Discord snowflakes and Telegram supergroup ids exceed 2^53.
    // thread_id is '' (not NULL) for "no thread": SQLite treats NULLs as distinct in UNIQUE,
    // which would let the same chat be subscribed twice.
    db.exec(`
      CREATE TABLE subscriptions (
        id            INTEGER PRIMARY KEY,
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
      );

      CREATE TABLE deliveries (
        id           INTEGER PRIMARY KEY,
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
      );

      CREATE INDEX deliveries_by_destination ON deliveries (platform, chat_id, thread_id);
    `);
  },
  // v2: the parts of each delivery the platform accepted (a Telegram photo, each text chunk, each
  // Discord message), recorded one by one as the answers arrive, so a crash repeats at most the
  // part in flight. `plan` names the rendering a part belongs to ('' by default; Telegram's
  // 'text-only' once the picture was dropped), so a resume continues the same rendering.
  (db) => {
    db.exec(`
      CREATE TABLE delivery_parts (
        delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        part_index  INTEGER NOT NULL CHECK (part_index >= 0),
        message_id  TEXT    NOT NULL,
        plan        TEXT    NOT NULL DEFAULT '',
        sent_at     TEXT    NOT NULL,
        PRIMARY KEY (delivery_id, part_index)
      );
    `);
  },
  // v3: per-subscription delivery options (`/subscribe` options, `/settings`). Defaults keep every
  // existing subscription as it was: no role, not silent, word cloud on, the default language.
  addSubscriptionOptions,
  // v4: handled webhook updates (Telegram `update_id`s, as text so any platform's ids fit): the
  // primary key makes a claim succeed once, whichever process tries; `handled_at` lets old claims
  // be pruned.
  (db) => {
    db.exec(`
      CREATE TABLE handled_updates (
        platform   TEXT NOT NULL CHECK (platform IN ('discord', 'telegram')),
        update_id  TEXT NOT NULL CHECK (update_id <> ''),
        handled_at TEXT NOT NULL,
        PRIMARY KEY (platform, update_id)
      );
      CREATE INDEX handled_updates_by_time ON handled_updates (handled_at);
    `);
  },
  // v5: which version of the report file a delivered row carried (sha256), so "edited after
  // delivery" compares contents, not the file's mtime (a fresh checkout touches every file).
  (db) => {
    db.exec(`ALTER TABLE deliveries ADD COLUMN content_hash TEXT;`);
  },
];

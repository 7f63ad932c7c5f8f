import { guardStorage } from '../../src/store/open-database.ts';
import type { Store } from '../../src/store/store.ts';

/** A SQLite error as better-sqlite3 throws it. */
function sqliteError(code: 'SQLITE_FULL' | 'SQLITE_READONLY'): Error {
  const message = code === 'SQLITE_FULL' ? 'database or disk is full' : 'attempt to write a readonly database';
  return Object.assign(new Error(message), { code });
}

/**
 * A Store whose chosen methods throw the StoreError SqliteStore throws on a full disk or a
 * read-only database, until `heal()`. Everything else goes to the real store underneath.
 */
export class FaultyStore {
  /** Methods that fail now. */
  readonly failing = new Set<keyof Store>();
  /** Calls that failed, by method. */
  readonly failures: Array<keyof Store> = [];
  readonly store: Store;

  constructor(
    inner: Store,
    private readonly code: 'SQLITE_FULL' | 'SQLITE_READONLY' = 'SQLITE_FULL',
  ) {
    this.store = new Proxy(inner, {
      get: (target, name, receiver) => {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (this.failing.has(name as keyof Store)) {
            this.failures.push(name as keyof Store);
            // The StoreError SqliteStore itself makes of it (same wording, same cause), as a
            // rejection like every Store method's failure.
            try {
              guardStorage('data/digest.db', String(name), () => {
                throw sqliteError(this.code);
              });
            } catch (error) {
              return Promise.reject(error);
            }
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  fail(...methods: Array<keyof Store>): void {
    for (const m of methods) this.failing.add(m);
  }

  heal(): void {
    this.failing.clear();
  }
}

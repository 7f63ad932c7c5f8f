import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { storeContract } from './store-contract.ts';

// The Store contract on SQLite: an in-memory database per test; a temp file for the reopen test.
storeContract({
  open: async ({ now }) => SqliteStore.open(':memory:', { now }),
  persistent: async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'store-contract-'));
    const file = path.join(dir, 'digest.db');
    return {
      open: async () => SqliteStore.open(file),
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

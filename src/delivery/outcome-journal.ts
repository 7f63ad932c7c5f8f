import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { silentLogger, type Logger } from '../log.ts';
import type { SentPart } from '../words.ts';
import type { Store } from '../store/store.ts';

/** A delivery outcome the platform accepted and the ledger could not record before the bot stopped. */
export type JournalEntry =
  | { type: 'part'; deliveryId: number; part: SentPart }
  | { type: 'delivered'; deliveryId: number; messageIds: string[]; contentHash: string | null };

/**
 * The last resort for outcomes the ledger refused until the bot stopped (a full disk, a database
 * that does not answer): one JSON line per outcome in a small file beside the database
 * (`<database>.journal`), appended and fsynced, and applied to the ledger by the next start before
 * anything is sent, so a restart does not send those messages again.
 */
export class OutcomeJournal {
  constructor(readonly file: string) {}

  /** `<databasePath>.journal`, or null for an in-memory database (nothing outlives the process). */
  static besideDatabase(databasePath: string): OutcomeJournal | null {
    return databasePath === ':memory:' ? null : new OutcomeJournal(`${databasePath}.journal`);
  }

  /** Appends `entries` and waits for them to reach the disk. Throws what the file system says. */
  append(entries: readonly JournalEntry[]): void {
    if (entries.length === 0) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a');
    try {
      appendFileSync(fd, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The entries written so far; a line cut short by a crash mid-append is skipped. */
  read(): JournalEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return [];
      throw error;
    }
    const entries: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // The torn last line of an append the process did not finish.
      }
    }
    return entries;
  }

  /** Removes the file once its entries are in the ledger. */
  clear(): void {
    rmSync(this.file, { force: true });
  }
}

/**
 * Writes the journal's outcomes to the ledger and removes the journal; the bot calls it at start,
 * before any catch-up. Returns how many were applied. Throws when the ledger refuses them (the
 * journal is kept for the next try): sending before they are in would repeat those messages.
 */
export async function applyOutcomeJournal(store: Store, journal: OutcomeJournal, logger: Logger = silentLogger()): Promise<number> {
  const entries = journal.read();
  if (entries.length === 0) {
    journal.clear();
    return 0;
  }
  for (const entry of entries) {
    if (entry.type === 'part') await store.recordDeliveryPart(entry.deliveryId, entry.part);
    else await store.markDelivered(entry.deliveryId, entry.messageIds, entry.contentHash);
  }
  journal.clear();
  logger.warn(
    { event: 'ledger.journal_applied', file: journal.file, outcomes: entries.length },
    'delivery outcomes held at the last stop recorded in the ledger; they are not sent again',
  );
  return entries.length;
}

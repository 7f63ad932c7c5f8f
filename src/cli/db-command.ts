import { parseArgs } from 'node:util';
import { TargetNotEmpty, type CopyCounts } from '../store/copy-rows.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { openStoreAt, shownLocation as shown } from '../backend/open-backend.ts';
import { loadConfig } from '../config.ts';
import type { CliCommand } from './io.ts';

const HELP = `usage: digest db copy <from> <to> [--merge]

Copies a bot's database: subscriptions with their options, the delivery ledger with its parts
and content hashes, and the handled update ids. Each side is a SQLite file path or a
postgres:// URL: SQLite → PostgreSQL moves a bot onto PostgreSQL; PostgreSQL → SQLite is a
portable backup. Stop the bot first. Everything is written in one transaction on <to>.
--merge  copy into a database that already holds rows: the rows already there win
Exit codes: 0 copied, 1 refused (target not empty, no database, unreachable, newer schema).
`;

function formatCounts(counts: CopyCounts, merge: boolean): string {
  const lines = Object.entries(counts).map(([table, { copied, skipped }]) => {
    const skippedText = merge ? `, ${skipped} skipped (already there)` : '';
    return `  ${table.padEnd(16)} ${String(copied).padStart(7)} copied${skippedText}`;
  });
  return `${lines.join('\n')}\n`;
}

/** `digest db copy <from> <to> [--merge]`. */
export const dbCommand: CliCommand = async (argv, io) => {
  let from: string;
  let to: string;
  let merge: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { merge: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    const [action, source, target, extra] = positionals;
    if (action !== 'copy') throw new Error(action === undefined ? 'missing action (copy)' : `unknown action "${action}"`);
    if (source === undefined || target === undefined) throw new Error('copy needs <from> and <to>');
    if (extra !== undefined) throw new Error(`unexpected argument "${extra}"`);
    [from, to, merge] = [source, target, values.merge === true];
  } catch (error) {
    io.stderr(`digest db: ${(error as Error).message}\n${HELP}`);
    return 1;
  }
  if (from === to) {
    io.stderr('digest db copy: <from> and <to> are the same database\n');
    return 1;
  }
  let source: KyselyStore | null = null;
  let target: KyselyStore | null = null;
  try {
    // PostgreSQL is opened as the bot opens it: its application name and the configured timeouts.
    const { database } = loadConfig({ rootDir: io.cwd, env: io.env });
    source = await openStoreAt(from, { mustExist: true, database });
    const opened = await openStoreAt(to, { database });
    target = opened;
    const counts = await source.copyTo(opened, { merge });
    io.stdout(`copied ${shown(from)} → ${shown(to)}\n${formatCounts(counts, merge)}`);
    return 0;
  } catch (error) {
    const message =
      error instanceof TargetNotEmpty
        ? `${shown(to)} already holds ${error.subscriptions} subscriptions and ${error.deliveries} deliveries; nothing written (with --merge the rows already there win)`
        : error instanceof Error
          ? error.message
          : String(error);
    io.stderr(`digest db copy: ${message}\n`);
    return 1;
  } finally {
    await source?.close().catch(() => undefined);
    await target?.close().catch(() => undefined);
  }
};

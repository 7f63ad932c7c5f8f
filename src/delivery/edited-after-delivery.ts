import type { Report } from '../report/types.ts';
import type { Delivery } from '../store/store.ts';

/**
 * Whether the readers of a delivered ledger row have an older version of `report`: by content when
 * the ledger recorded which version went out, else (rows delivered before it did, schema v5) by
 * the file's mtime, which a fresh checkout or a copy also moves.
 */
export function isEditedAfterDelivery(
  row: Pick<Delivery, 'contentHash' | 'updatedAt'>,
  report: Pick<Report, 'contentHash'>,
  fileMtimeMs: number,
): boolean {
  if (row.contentHash !== null) return row.contentHash !== report.contentHash;
  return Date.parse(row.updatedAt) < fileMtimeMs;
}

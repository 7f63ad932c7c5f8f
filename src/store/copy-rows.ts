import type { Insertable, Kysely, Selectable } from 'kysely';
import type { StoreTables } from './kysely-schema.ts';

/** What one table's copy did: rows written, and rows the target already had (`--merge`). */
export interface TableCount {
  copied: number;
  skipped: number;
}

/** Per table, in the order they are copied. */
export type CopyCounts = Record<keyof StoreTables, TableCount>;

/** Why a copy was refused before anything was written. */
export class TargetNotEmpty extends Error {
  constructor(readonly subscriptions: number, readonly deliveries: number) {
    super(`the target already holds ${subscriptions} subscriptions and ${deliveries} deliveries`);
  }
}

/** Rows a statement carries at once: well under both databases' bound-parameter limits. */
const BATCH = 200;

function batches<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BATCH) out.push(rows.slice(i, i + BATCH));
  return out;
}

const deliveryKey = (row: Pick<Selectable<StoreTables['deliveries']>, 'slug' | 'platform' | 'chat_id' | 'thread_id' | 'kind'>): string =>
  JSON.stringify([row.slug, row.platform, row.chat_id, row.thread_id, row.kind]);

/** Every row of a store, as `digest db copy` moves them. */
export interface StoreRows {
  subscriptions: Selectable<StoreTables['subscriptions']>[];
  deliveries: Selectable<StoreTables['deliveries']>[];
  parts: Selectable<StoreTables['delivery_parts']>[];
  updates: Selectable<StoreTables['handled_updates']>[];
}

/** Reads every row of a store (the source of a copy). */
export async function readRows(source: Kysely<StoreTables>): Promise<StoreRows> {
  return {
    subscriptions: await source.selectFrom('subscriptions').selectAll().orderBy('id').execute(),
    deliveries: await source.selectFrom('deliveries').selectAll().orderBy('id').execute(),
    parts: await source.selectFrom('delivery_parts').selectAll().orderBy('delivery_id').orderBy('part_index').execute(),
    updates: await source.selectFrom('handled_updates').selectAll().orderBy('handled_at').execute(),
  };
}

/**
 * Writes the rows of another store (readRows) (with its options), ledger row (with its parts and content hash) and
 * handled update id from `source` into `target`, inside `transaction` (one transaction on the
 * target). Ids are the target's own: a part follows its delivery by the delivery's natural key.
 * A target holding subscriptions or deliveries is refused (TargetNotEmpty) unless `merge`; then a
 * row the target already has wins, and the parts of a delivery it already has are not copied.
 */
export async function writeRows(
  rows: StoreRows,
  transaction: <T>(fn: (trx: Kysely<StoreTables>) => Promise<T>) => Promise<T>,
  options: { merge: boolean },
): Promise<CopyCounts> {
  const { subscriptions, deliveries, parts, updates } = rows;
  return transaction(async (trx) => {
    if (!options.merge) {
      const count = async (table: 'subscriptions' | 'deliveries') =>
        Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
      const [subs, dels] = [await count('subscriptions'), await count('deliveries')];
      if (subs > 0 || dels > 0) throw new TargetNotEmpty(subs, dels);
    }
    const counts = {} as CopyCounts;

    let copied = 0;
    for (const batch of batches(subscriptions)) {
      const values: Insertable<StoreTables['subscriptions']>[] = batch.map(({ id: _id, ...row }) => row);
      const inserted = await trx
        .insertInto('subscriptions')
        .values(values)
        .onConflict((oc) => oc.columns(['platform', 'chat_id', 'thread_id']).doNothing())
        .returning('id')
        .execute();
      copied += inserted.length;
    }
    counts.subscriptions = { copied, skipped: subscriptions.length - copied };

    // Old delivery id → the new row's id, for the deliveries this copy inserted.
    const newIds = new Map<number, number>();
    for (const batch of batches(deliveries)) {
      const values: Insertable<StoreTables['deliveries']>[] = batch.map(({ id: _id, ...row }) => row);
      const inserted = await trx
        .insertInto('deliveries')
        .values(values)
        .onConflict((oc) => oc.columns(['slug', 'platform', 'chat_id', 'thread_id', 'kind']).doNothing())
        .returning(['id', 'slug', 'platform', 'chat_id', 'thread_id', 'kind'])
        .execute();
      const byKey = new Map(inserted.map((row) => [deliveryKey(row), Number(row.id)]));
      for (const row of batch) {
        const id = byKey.get(deliveryKey(row));
        if (id !== undefined) newIds.set(Number(row.id), id);
      }
    }
    counts.deliveries = { copied: newIds.size, skipped: deliveries.length - newIds.size };

    const partRows = parts.flatMap((part) => {
      const id = newIds.get(Number(part.delivery_id));
      return id === undefined ? [] : [{ ...part, delivery_id: id }];
    });
    for (const batch of batches(partRows)) await trx.insertInto('delivery_parts').values(batch).execute();
    counts.delivery_parts = { copied: partRows.length, skipped: parts.length - partRows.length };

    copied = 0;
    for (const batch of batches(updates)) {
      const inserted = await trx
        .insertInto('handled_updates')
        .values(batch)
        .onConflict((oc) => oc.columns(['platform', 'update_id']).doNothing())
        .returning('update_id')
        .execute();
      copied += inserted.length;
    }
    counts.handled_updates = { copied, skipped: updates.length - copied };
    return counts;
  });
}

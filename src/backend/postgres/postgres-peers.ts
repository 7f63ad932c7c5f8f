import { PLATFORM_NAMES, type PlatformName } from '../../words.ts';
import { tagOfApplicationName } from '../../instance-tag.ts';
import { openBoundedClient, type PostgresTimeouts } from './postgres-pool-options.ts';
import { advisoryKeyOf } from './postgres-fanout-lock.ts';
import type { PeerInstance } from '../backend.ts';

/**
 * The instances connected to the database now, read from `pg_stat_activity` (each connection's
 * `application_name` ends with its instance's tag) and `pg_locks` (which connection holds each
 * platform's fan-out lock, keyed as PostgresFanoutLock keys it in `namespace`). Uses a connection of
 * its own, bounded by the database timeouts, closed before it resolves.
 */
export async function listPostgresPeers(input: {
  connectionString: string;
  namespace: string;
  timeouts?: PostgresTimeouts;
}): Promise<PeerInstance[]> {
  const client = openBoundedClient({
    connectionString: input.connectionString,
    applicationName: 'ai-digest-bot status',
    ...(input.timeouts ? { timeouts: input.timeouts } : {}),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const connections = await client.query<{ name: string; since: Date }>(
      `SELECT application_name AS name, min(backend_start) AS since FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'ai-digest-bot%@%' GROUP BY application_name`,
    );
    // A two-int4 advisory key shows as classid = first half, objid = second half, objsubid = 2 (as oids).
    const locks = await client.query<{ name: string; classid: string; objid: string }>(
      `SELECT a.application_name AS name, l.classid::text AS classid, l.objid::text AS objid
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND a.datname = current_database()`,
    );
    const peers = new Map<string, PeerInstance>();
    for (const row of connections.rows) {
      const tag = tagOfApplicationName(row.name);
      if (tag === null) continue;
      const since = new Date(row.since).toISOString();
      const peer = peers.get(tag);
      if (!peer) peers.set(tag, { tag, connectedSince: since, sending: [] });
      else if (since < peer.connectedSince) peer.connectedSince = since;
    }
    for (const platform of PLATFORM_NAMES) {
      const [high, low] = advisoryKeyOf(input.namespace, platform);
      const holder = locks.rows.find((row) => Number(row.classid) === high >>> 0 && Number(row.objid) === low >>> 0);
      const tag = holder ? tagOfApplicationName(holder.name) : null;
      if (tag !== null) peers.get(tag)?.sending.push(platform);
    }
    return [...peers.values()].sort((a, b) => a.tag.localeCompare(b.tag));
  } finally {
    await client.end().catch(() => undefined);
  }
}

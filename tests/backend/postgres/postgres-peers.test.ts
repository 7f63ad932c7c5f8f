import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PostgresFanoutLock } from '../../../src/backend/postgres/postgres-fanout-lock.ts';
import { listPostgresPeers } from '../../../src/backend/postgres/postgres-peers.ts';
import { instanceTag, tagOfApplicationName, taggedApplicationName } from '../../../src/instance-tag.ts';
import { runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../../helpers/postgres.ts';

// The status page's list of live instances on a shared PostgreSQL: read from the tagged
// application_name of each instance's connections and from who holds each platform's fan-out lock.
const enabled = await runPostgresTests('postgres-peers');
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A connection that looks like another instance's (another host and pid). */
async function otherInstance(tag: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, application_name: `ai-digest-bot@${tag}` });
  await client.connect();
  closers.push(() => client.end());
  return client;
}

describe('instance tags', () => {
  it('end every application_name, within the 63 bytes PostgreSQL keeps, and are read back', () => {
    const name = taggedApplicationName('ai-digest-bot fanout-lock');
    expect(name.endsWith(`@${instanceTag()}`)).toBe(true);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(tagOfApplicationName(name)).toBe(instanceTag());
    expect(tagOfApplicationName(taggedApplicationName('x'.repeat(100)))).toBe(instanceTag());
    expect(tagOfApplicationName('ai-digest-bot')).toBeNull();
    expect(tagOfApplicationName('psql')).toBeNull();
  });
});

describe.runIf(enabled)('listPostgresPeers', () => {
  it('lists every live instance and which one sends each platform; a stopped one leaves the list', async () => {
    const namespace = uniqueSchema('peers');
    const lock = new PostgresFanoutLock({ connectionString: TEST_DATABASE_URL, namespace });
    closers.push(() => lock.close());
    const release = await lock.acquire('telegram');
    const other = await otherInstance('otherhost:4242');

    const peers = await listPostgresPeers({ connectionString: TEST_DATABASE_URL, namespace });
    const mine = peers.find((p) => p.tag === instanceTag());
    expect(mine?.sending).toEqual(['telegram']);
    expect(peers.find((p) => p.tag === 'otherhost:4242')).toMatchObject({ sending: [] });
    expect(Date.parse(mine!.connectedSince)).not.toBeNaN();

    // Locks of another namespace (another bot on the same server) are not this bot's senders.
    expect((await listPostgresPeers({ connectionString: TEST_DATABASE_URL, namespace: `${namespace}_x` })).find((p) => p.tag === instanceTag())?.sending).toEqual([]);

    release();
    await other.end();
    closers.pop();
    await vi.waitFor(async () => {
      const after = await listPostgresPeers({ connectionString: TEST_DATABASE_URL, namespace });
      expect(after.find((p) => p.tag === 'otherhost:4242')).toBeUndefined();
      expect(after.find((p) => p.tag === instanceTag())?.sending).toEqual([]);
    });
  });
});

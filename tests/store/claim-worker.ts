// Child process for the concurrency test: says "ready", waits for one line on stdin (so both
// processes start together), opens the store at argv[2] (racing the other on migration), claims
// slugs 0..argv[3]-1 for one destination and prints the indexes it created as a JSON array.
import { once } from 'node:events';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const [file, countText] = process.argv.slice(2);
if (!file || !countText) throw new Error('usage: claim-worker FILE COUNT');
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.destroy();

const store = await SqliteStore.open(file);
const created: number[] = [];
for (let i = 0; i < Number(countText); i++) {
  const { created: mine } = await store.claimDelivery({
    slug: `slug-${i}`,
    destination: { platform: 'telegram', chatId: '-1001', threadId: null },
    kind: 'scheduled',
  });
  if (mine) created.push(i);
}
await store.close();
process.stdout.write(`${JSON.stringify(created)}\n`);

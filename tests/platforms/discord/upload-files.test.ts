import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uploadsOf } from '../../../src/platforms/discord/upload-files.ts';
import { STAT_FRESH_MS } from '../../../src/platforms/file-bytes.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const dir = mkdtempSync(path.join(tmpdir(), 'upload-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('uploadsOf: the word cloud is read once per version for a whole fan-out', () => {
  it('gives the same bytes without reading again, a redrawn file anew, and rejects a file gone from disk', async () => {
    const file = path.join(dir, 'wordcloud_x.png');
    writeFileSync(file, Buffer.alloc(1000, 1));
    const message = { files: [{ name: 'wordcloud_x.png', path: file, bytes: 1000 }] };
    const [first] = await uploadsOf(message);
    const [second] = await uploadsOf(message);
    expect(first!.name).toBe('wordcloud_x.png');
    // The very same buffer: nothing was read from disk the second time.
    expect(second!.data).toBe(first!.data);

    writeFileSync(file, Buffer.alloc(1200, 2));
    // A file's stat answers every send for STAT_FRESH_MS: a redraw is seen once that has passed.
    await sleep(STAT_FRESH_MS + 20);
    const [redrawn] = await uploadsOf(message);
    expect(redrawn!.data).not.toBe(first!.data);
    expect((redrawn!.data as Buffer).length).toBe(1200);

    rmSync(file);
    await sleep(STAT_FRESH_MS + 20);
    await expect(uploadsOf(message)).rejects.toThrow();
  });
});

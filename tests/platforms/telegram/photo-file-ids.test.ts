import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PhotoFileIds, photoKey, type PhotoSource } from '../../../src/platforms/telegram/photo-file-ids.ts';
import { STAT_FRESH_MS } from '../../../src/platforms/file-bytes.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const upload = (source: PhotoSource) => {
  if (source.kind !== 'upload') throw new Error(`expected an upload, got file_id ${source.fileId}`);
  return source;
};

describe('PhotoFileIds', () => {
  it('lets one send upload while the others wait, then hands them its file_id', async () => {
    const ids = new PhotoFileIds();
    const first = upload(await ids.source('a'));
    const waiting = [ids.source('a'), ids.source('a')];
    first.settle('FILE-1');
    expect(await Promise.all(waiting)).toEqual([
      { kind: 'file-id', fileId: 'FILE-1' },
      { kind: 'file-id', fileId: 'FILE-1' },
    ]);
  });

  it('hands the upload to one waiter when the first upload failed', async () => {
    const ids = new PhotoFileIds();
    const first = upload(await ids.source('a'));
    const second = ids.source('a');
    const third = ids.source('a');
    first.settle(null);
    const next = upload(await second);
    next.settle('FILE-2');
    expect(await third).toEqual({ kind: 'file-id', fileId: 'FILE-2' });
  });

  it('stops waiting for an upload that never ends and uploads itself', async () => {
    const ids = new PhotoFileIds({ maxWaitMs: 20 });
    upload(await ids.source('a')); // never settled
    const own = upload(await ids.source('a'));
    own.settle('FILE-3');
    expect(await ids.source('a')).toEqual({ kind: 'file-id', fileId: 'FILE-3' });
  });

  it('forgets a refused file_id, but not one that replaced it meanwhile', async () => {
    const ids = new PhotoFileIds();
    ids.remember('a', 'OLD');
    ids.forget('a', 'OLD');
    upload(await ids.source('a')).settle('NEW');
    ids.forget('a', 'OLD');
    expect(await ids.source('a')).toEqual({ kind: 'file-id', fileId: 'NEW' });
  });

  it('keeps the most recently used pictures within its capacity', async () => {
    const ids = new PhotoFileIds({ capacity: 2 });
    ids.remember('a', 'A');
    ids.remember('b', 'B');
    await ids.source('a'); // a used again: b is now the oldest
    ids.remember('c', 'C');
    expect(ids.size).toBe(2);
    expect((await ids.source('a')).kind).toBe('file-id');
    expect((await ids.source('c')).kind).toBe('file-id');
    expect((await ids.source('b')).kind).toBe('upload');
  });
});

describe('photoKey', () => {
  it('changes when the file is rewritten, and is null for a missing file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'photo-key-')), 'cloud.png');
    writeFileSync(path, 'one');
    const before = await photoKey(path);
    expect(before).toContain(path);
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    // A file's stat answers every send for STAT_FRESH_MS: a rewrite is seen once that has passed.
    await sleep(STAT_FRESH_MS + 20);
    expect(await photoKey(path)).not.toBe(before);
    expect(await photoKey(`${path}.missing`)).toBeNull();
  });
});

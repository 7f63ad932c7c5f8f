import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../helpers/node-process.ts';

/**
 * `npm start` and the `digest` CLI run dist/ only while it is current with src/ (bin/build.mjs's
 * isStale): a build older than any source is never run. Checked on a copy of bin/build.mjs in a
 * checkout of its own, whose file times the test sets.
 */
const root = mkdtempSync(path.join(tmpdir(), 'build-staleness-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

mkdirSync(path.join(root, 'bin'));
copyFileSync(path.join(ROOT_DIR, 'bin/build.mjs'), path.join(root, 'bin/build.mjs'));
mkdirSync(path.join(root, 'src/cli'), { recursive: true });
for (const file of ['src/main.ts', 'src/cli/main.ts', 'tsconfig.json', 'tsconfig.build.json']) writeFileSync(path.join(root, file), '');
const { isStale } = (await import(pathToFileURL(path.join(root, 'bin/build.mjs')).href)) as typeof import('../../bin/build.mjs');

const at = (file: string, seconds: number) => utimesSync(path.join(root, file), seconds, seconds);
const T = 1_800_000_000;

describe('bin/build.mjs isStale: when dist/ may run', () => {
  it('is stale with no build, current once the stamp is newer than every source, stale again when any source (or a tsconfig) changes', () => {
    for (const file of ['src/main.ts', 'src/cli/main.ts', 'tsconfig.json', 'tsconfig.build.json']) at(file, T);
    expect(isStale()).toBe(true);
    mkdirSync(path.join(root, 'dist'));
    writeFileSync(path.join(root, 'dist/.built'), '');
    at('dist/.built', T + 10);
    expect(isStale()).toBe(false);
    at('src/cli/main.ts', T + 20);
    expect(isStale()).toBe(true);
    at('dist/.built', T + 30);
    expect(isStale()).toBe(false);
    at('tsconfig.build.json', T + 40);
    expect(isStale()).toBe(true);
  });
});

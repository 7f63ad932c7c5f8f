import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../helpers/node-process.ts';

interface LockEntry {
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}
const lock = JSON.parse(readFileSync(path.join(ROOT_DIR, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const pkg = JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

/**
 * Lock entries `npm ci --omit=dev` installs: those not marked dev (devOptional ones stay too). A
 * link's flags are on its target (tests/tdlib, a folder of this repository).
 */
const production = Object.entries(lock.packages).filter(([name, entry]) => name !== '' && !entry.dev && !entry.link);

describe('the production install (npm ci --omit=dev, issue 18 §11, issue 19 §5)', () => {
  it('carries no test-only package: TDLib, tdl, vitest, playwright and the validators stay out', () => {
    const testOnly = /^node_modules\/(@prebuilt-tdlib\/|tdl$|tdlib-for-tests$|vitest$|@vitest\/|playwright-core$|fast-check$|fast-xml-parser$|minisearch$)/;
    expect(production.map(([name]) => name).filter((name) => testOnly.test(name))).toEqual([]);
    // TDLib's build is optional (skipped where it does not fit), and installed for development.
    expect(lock.packages['node_modules/@prebuilt-tdlib/linux-x64-glibc']).toMatchObject({ dev: true, optional: true });
    expect(lock.packages['tests/tdlib']).toMatchObject({ dev: true });
  });

  it('can still build: `prepare` compiles dist/ with the TypeScript compiler, a production dependency', () => {
    expect(pkg.scripts.prepare).toContain('bin/build.mjs');
    expect(pkg.dependencies.typescript).toBeDefined();
    expect(production.some(([name]) => name === 'node_modules/typescript')).toBe(true);
    // npm start and the bin entry run the compiled bot, not tsx.
    expect(pkg.bin['ai-digest-bot']).toBe('bin/ai-digest-bot.mjs');
    expect(pkg.scripts.start).toBe('exec node bin/ai-digest-bot.mjs');
    expect(readFileSync(path.join(ROOT_DIR, 'bin/ai-digest-bot.mjs'), 'utf8')).toContain("import('../dist/main.js')");
  });
});

import { describe, expect, it } from 'vitest';
import { LAYERS, layerOf, readSources, SRC_DIR, upwardImports } from './layers.ts';

describe('the layers of src/', () => {
  it('has no import running back up the layers, and every file in a layer', () => {
    const { upward, unplaced } = upwardImports(readSources(SRC_DIR));
    expect(unplaced).toEqual([]);
    expect(upward.map((u) => `${u.from} (${u.fromLayer}) → ${u.to} (${u.toLayer})`)).toEqual([]);
  });

  it('names each module once', () => {
    const members = LAYERS.flatMap((layer) => layer.members);
    expect(new Set(members).size).toBe(members.length);
  });

  it('finds an upward import, a type-only one and a re-export included, and ignores packages and downward ones', () => {
    const files = new Map([
      ['store/a.ts', "import { x } from '../delivery/b.ts';\nimport pg from 'pg';\nimport { y } from '../words.ts';"],
      ['report/c.ts', "import type { T } from '../commands/types.ts';"],
      ['render/d.ts', "export { z } from '../platforms/platform.ts';"],
      ['main.ts', "import { run } from './cli/main.ts';"],
      ['nowhere/e.ts', ''],
    ]);
    const { upward, unplaced } = upwardImports(files);
    expect(upward.map((u) => `${u.from}→${u.to}`)).toEqual(['store/a.ts→delivery/b.ts', 'report/c.ts→commands/types.ts', 'render/d.ts→platforms/platform.ts']);
    expect(unplaced).toEqual(['nowhere/e.ts']);
    expect(layerOf('words.ts')).toBeLessThan(layerOf('store/store.ts'));
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../helpers/node-process.ts';

/** `a.b` paths of every leaf (objects with no keys count as leaves). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => leafPaths(inner, prefix ? `${prefix}.${key}` : key));
}

/** The keys the README's configuration table names: `a.b` / `c` rows are siblings of `a`. */
function readmeKeys(): string[] {
  const readme = readFileSync(path.join(ROOT_DIR, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('| Key | Default | Meaning |'));
  const table = section.slice(0, section.indexOf('\n\n'));
  return table
    .split('\n')
    .slice(2)
    .flatMap((row) => {
      const names = [...(row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      const parent = names[0]!.includes('.') ? names[0]!.slice(0, names[0]!.lastIndexOf('.') + 1) : '';
      return names.map((name, i) => (i === 0 || name.includes('.') ? name : parent + name));
    });
}

describe('config/default.json', () => {
  it('holds every setting the README documents, with the schema defaults the README states', () => {
    const defaults = JSON.parse(readFileSync(path.join(ROOT_DIR, 'config', 'default.json'), 'utf8')) as Record<string, unknown>;
    const leaves = new Set(leafPaths(defaults));
    const keys = readmeKeys();
    expect(keys.length).toBeGreaterThan(15);
    expect(keys.filter((key) => !leaves.has(key) && ![...leaves].some((leaf) => leaf.startsWith(`${key}.`)))).toEqual([]);
    expect(defaults.databaseOutageExitSeconds).toBe(60);
  });
});

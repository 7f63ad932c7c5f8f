import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DigestImage } from '../../src/report/digest-types.ts';

/** A small stand-in word cloud file per report slug, in a fresh temporary folder, as the digest builder's images. */
export function writeWordCloudFiles(slugs: readonly string[], prefix: string): Map<string, DigestImage> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const clouds = new Map<string, DigestImage>();
  for (const slug of slugs) {
    const file = path.join(dir, `wordcloud_${slug}.png`);
    writeFileSync(file, Buffer.alloc(1500, slug.length));
    clouds.set(slug, { path: file, name: path.basename(file), bytes: 1500, generated: false });
  }
  return clouds;
}

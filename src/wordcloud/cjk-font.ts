import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { DigestError } from '../errors.ts';

/** Family name the cloud draws with: Noto Sans SC Bold, registered from the npm package. */
export const CLOUD_FONT_FAMILY = 'DigestCloudSansSC';
export const CLOUD_FONT_WEIGHT = 700;

const FONT_PACKAGE = '@fontsource/noto-sans-sc';
let registered: number | null = null;

/**
 * Registers Noto Sans SC Bold (from `@fontsource/noto-sans-sc`, an npm dependency: no system
 * font, nothing downloaded) under {@link CLOUD_FONT_FAMILY}. The package ships the font as
 * ~100 woff2 subsets by unicode range; registering every subset of one weight under one family
 * name lets the canvas find each character's glyph in whichever subset holds it. Idempotent.
 * Throws DigestError when the package or its files are missing.
 */
export function registerCloudFont(): string {
  if (registered !== null) return CLOUD_FONT_FAMILY;
  let dir: string;
  try {
    dir = path.join(path.dirname(createRequire(import.meta.url).resolve(`${FONT_PACKAGE}/package.json`)), 'files');
  } catch (cause) {
    throw new DigestError(`word cloud font: package ${FONT_PACKAGE} is not installed`, { cause });
  }
  const suffix = `-${CLOUD_FONT_WEIGHT}-normal.woff2`;
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(suffix)).sort();
  } catch (cause) {
    throw new DigestError(`word cloud font: cannot list ${dir}`, { cause });
  }
  let count = 0;
  for (const file of files) {
    if (GlobalFonts.registerFromPath(path.join(dir, file), CLOUD_FONT_FAMILY)) count++;
  }
  if (count === 0) throw new DigestError(`word cloud font: no ${suffix} files could be loaded from ${dir}`);
  registered = count;
  return CLOUD_FONT_FAMILY;
}

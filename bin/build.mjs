#!/usr/bin/env node
// Compiles src/ to dist/ (tsc, tsconfig.build.json): the JavaScript `npm start` and the deploy
// files run. `npm run build` (and `npm ci` / `npm install`, through `prepare`) always compiles;
// the start compiles only when src/ changed since the last build (a `git pull` without `npm ci`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');
/** Written after a successful build: its mtime is the build's, compared with the sources'. */
const STAMP = path.join(DIST, '.built');
/** Inside dist/, so a service may keep the rest of the checkout read-only. */
const LOCK = path.join(DIST, '.build.lock');
/** A lock older than this belongs to a build that died (one takes seconds). */
const STALE_LOCK_MS = 5 * 60_000;

/** The newest modification time among src/ and the build configuration. */
function newestSourceMs() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else newest = Math.max(newest, statSync(file).mtimeMs);
    }
  };
  visit(SOURCES);
  for (const file of ['tsconfig.json', 'tsconfig.build.json']) newest = Math.max(newest, statSync(path.join(ROOT, file)).mtimeMs);
  return newest;
}

/** True when dist/ is missing or older than a source (a checkout without sources never is). */
export function isStale() {
  if (!existsSync(SOURCES)) return false;
  if (!existsSync(STAMP)) return true;
  return newestSourceMs() > statSync(STAMP).mtimeMs;
}

/** Runs tsc once (emit only: `npm run typecheck` checks types); throws with its output on failure. */
function compile() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // A fresh output: a module deleted from src/ must not linger in dist/ (the lock stays).
  for (const entry of readdirSync(DIST)) if (path.join(DIST, entry) !== LOCK) rmSync(path.join(DIST, entry), { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${result.stdout}${result.stderr}`);
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

/** Holds the build lock while `fn` runs, so two starts at once do not write dist/ together. */
async function withLock(fn) {
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Compiles when dist/ is stale (checked again under the lock: another start may have just built it). */
export async function ensureBuilt(log = (line) => process.stderr.write(`${line}\n`)) {
  if (!isStale()) return;
  await withLock(() => {
    if (!isStale()) return;
    log('ai-digest-bot: compiling src/ to dist/ (no build yet, or the sources changed since the last one)');
    compile();
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await withLock(compile);
}

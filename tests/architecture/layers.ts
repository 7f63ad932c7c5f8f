/**
 * The layers of src/, bottom first, and the imports that run back up them. A module may import
 * from its own layer and from any layer below; an import of a higher layer is an "arrow running
 * back up". Run directly (`node --import tsx tests/architecture/layers.ts`) it lists them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Bottom first. An entry ending in `/` is a folder (everything under it), otherwise one file,
 * both relative to src/. Modules of one layer may import each other.
 */
export const LAYERS: ReadonlyArray<{ name: string; members: readonly string[] }> = [
  // The words and services every layer uses; they import nothing above themselves.
  { name: 'words', members: ['words.ts', 'errors.ts', 'log.ts', 'locale.ts', 'version.ts', 'instance-tag.ts', 'service-health.ts', 'telemetry.ts', 'dot-env.ts', 'shutdown.ts', 'worker-bootstrap.ts', 'supervised-worker.ts', 'run-pool.ts'] },
  { name: 'text', members: ['text/', 'i18n/'] },
  // Pure: file text → Report → Digest.
  { name: 'report', members: ['report/'] },
  { name: 'config', members: ['config.ts'] },
  { name: 'search', members: ['search/'] },
  // Pure: Digest → payloads.
  { name: 'render', members: ['render/', 'digest-builder.ts', 'digest-preview.ts'] },
  { name: 'wordcloud', members: ['wordcloud/'] },
  { name: 'store', members: ['store/'] },
  // Due times: when a schedule (global cron or a subscription's own time) falls due.
  { name: 'schedule', members: ['schedule/'] },
  { name: 'commands', members: ['commands/'] },
  { name: 'platforms', members: ['platforms/'] },
  { name: 'delivery', members: ['delivery/'] },
  // What depends on the database, chosen once: store, locks, coordination per backend.
  { name: 'backend', members: ['backend/'] },
  { name: 'status', members: ['status/', 'metrics/'] },
  // The web surfaces: the HTTP server mounts the archive's routes, which share its assets and auth.
  { name: 'http', members: ['http/', 'archive/'] },
  { name: 'cli', members: ['cli/', 'status-only.ts', 'unconfigured-help.ts', 'update-modes.ts'] },
  { name: 'main', members: ['main.ts'] },
];

export interface UpwardImport {
  /** Both relative to src/. */
  from: string;
  to: string;
  fromLayer: string;
  toLayer: string;
}

/** The index in LAYERS of the module at `file` (relative to src/, `/`-separated), or -1. */
export function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => layer.members.some((m) => (m.endsWith('/') ? file.startsWith(m) : file === m)));
}

/** Every .ts file under `dir`, relative to it, `/`-separated. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** The project modules `text` (the source of `file`, relative to src/) imports, relative to src/. */
export function importsOf(file: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.posix.normalize(path.posix.join(path.posix.dirname(file), name)));
}

/**
 * The imports that run back up the layers among `files` (path relative to src/ → source text),
 * and the files that belong to no layer (each must be placed, so nothing escapes the check).
 */
export function upwardImports(files: ReadonlyMap<string, string>): { upward: UpwardImport[]; unplaced: string[] } {
  const upward: UpwardImport[] = [];
  const unplaced: string[] = [];
  for (const [from, text] of files) {
    const fromLayer = layerOf(from);
    if (fromLayer < 0) {
      unplaced.push(from);
      continue;
    }
    for (const to of importsOf(from, text)) {
      const toLayer = layerOf(to);
      if (toLayer > fromLayer) upward.push({ from, to, fromLayer: LAYERS[fromLayer]!.name, toLayer: LAYERS[toLayer]!.name });
    }
  }
  return { upward, unplaced };
}

/** src/ of this repository, read. */
export function readSources(srcDir: string): Map<string, string> {
  return new Map(sourceFiles(srcDir).map((f) => [f, readFileSync(path.join(srcDir, f), 'utf8')]));
}

export const SRC_DIR = fileURLToPath(new URL('../../src/', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { upward, unplaced } = upwardImports(readSources(SRC_DIR));
  for (const u of upward) console.log(`${u.from} (${u.fromLayer}) → ${u.to} (${u.toLayer})`);
  for (const f of unplaced) console.log(`${f}: in no layer`);
  console.log(`${upward.length} import(s) running back up, ${unplaced.length} file(s) in no layer`);
}

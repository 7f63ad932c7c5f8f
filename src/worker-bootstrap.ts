/**
 * The code an eval'd worker thread runs to load its TypeScript or compiled entry module.
 *
 * A worker does not inherit the tsx loader on Node 20, so it registers tsx itself before
 * importing a `.ts` module (vitest, `node --import tsx`). tsx is resolved here: an eval'd worker
 * resolves bare specifiers from the working folder, which need not be this project. Compiled
 * (`dist/`, npm start) the entry is `.js` and is imported as is.
 */
export function workerBootstrapCode(entry: URL): string {
  const tsx = resolveTsxApi();
  const load = `import(${JSON.stringify(entry.href)})`;
  if (tsx === null || !entry.pathname.endsWith('.ts')) return load;
  return `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return ${load}; })`;
}

function resolveTsxApi(): string | null {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
}

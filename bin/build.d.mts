// Types of build.mjs for the TypeScript that imports it (the tests' process helpers).
/** True when dist/ is missing or older than a source (a checkout without sources never is). */
export function isStale(): boolean;
/** Compiles when dist/ is stale, under the build lock. */
export function ensureBuilt(log?: (line: string) => void): Promise<void>;

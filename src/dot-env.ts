import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * `.env` in the working directory, read the same way by `npm start` and every `digest` command,
 * so both see the same database and tokens. Variables already in the environment win (as with
 * `node --env-file` and process.loadEnvFile); a folder without `.env` changes nothing.
 */

/** The variables `dir/.env` sets, or none when there is no such file. */
export function readDotEnv(dir: string): Record<string, string> {
  const file = path.join(dir, '.env');
  if (!existsSync(file)) return {};
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** `env` with `dir/.env` underneath: a new object; `env` itself is left as it is. */
export function withDotEnv(env: NodeJS.ProcessEnv, dir: string): NodeJS.ProcessEnv {
  return { ...readDotEnv(dir), ...env };
}

/** Loads `dir/.env` into process.env (for `npm start`, whose every part reads process.env). */
export function loadDotEnv(dir: string): void {
  for (const [key, value] of Object.entries(readDotEnv(dir))) {
    if (!(key in process.env)) process.env[key] = value;
  }
}

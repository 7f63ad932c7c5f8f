import { readFileSync } from 'node:fs';

/**
 * The bot's version, from package.json (read once; src/ under tsx and dist/ compiled both sit one
 * folder below it). Shown by `digest_build_info` and wherever an instance says what it runs.
 */
export const BOT_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

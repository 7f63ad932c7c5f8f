import { ConfigError } from '../errors.ts';

/**
 * What a command prints after `digest <name>: ` for an error: a configuration's problems one per
 * line (so every command shows them alike, each naming its variable), anything else on one line.
 */
export function errorText(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, '; ');
}

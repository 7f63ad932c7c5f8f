import { DigestError } from '../errors.ts';

/**
 * Input a command cannot use (a bad time, an unknown timezone). Carries the reply, already in the
 * user's language, so the router can answer with it instead of an apology.
 */
export class CommandInputError extends DigestError {
  override name = 'CommandInputError';
  constructor(readonly reply: string) {
    super(reply);
  }
}

/** How much of a user's input a reply quotes back; the rest is cut, so a pasted essay cannot bloat the reply. */
export const QUOTED_INPUT_CHARS = 40;

/** The input as a reply quotes it: trimmed and cut to {@link QUOTED_INPUT_CHARS} characters. */
export function quotedInput(input: string): string {
  const chars = [...input.trim()];
  return chars.length <= QUOTED_INPUT_CHARS ? chars.join('') : `${chars.slice(0, QUOTED_INPUT_CHARS - 1).join('')}…`;
}

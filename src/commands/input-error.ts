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

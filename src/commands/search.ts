import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import { CommandInputError } from './input-error.ts';
import type { CommandDefinition } from './types.ts';

/** At most this many results are shown (the platforms show each with a way to open its day). */
export const SEARCH_RESULTS = 10;

/**
 * `/search <words>`: full-text search over every report, best matches first (newer first among
 * equals), each with the sentence that matched; nothing found names the closest indexed terms.
 */
export function searchCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'search',
    description: bothLocales((m) => m.commands.search),
    options: [{ name: 'query', type: 'string', required: true, description: bothLocales((m) => m.options.query) }],
    permission: 'anyone',
    async run(args, context) {
      const m = messages(context.locale);
      const query = args.query?.trim() ?? '';
      if (query === '') throw new CommandInputError(m.search.missingQuery);
      if (!deps.search) return { kind: 'text', text: m.search.unavailable, ephemeral: true };
      return { kind: 'search', result: await deps.search.search(query, SEARCH_RESULTS) };
    },
  };
}

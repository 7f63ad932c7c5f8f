import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import { buildHelpText } from './help-text.ts';
import type { CommandDefinition } from './types.ts';

/** `/help`: the commands and how to write dates, in the user's language. */
export function helpCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'help',
    description: bothLocales((m) => m.commands.help),
    options: [],
    permission: 'anyone',
    async run(_args, context) {
      return {
        kind: 'text',
        text: buildHelpText(messages(context.locale), deps.timezone, { intro: false }),
        ephemeral: true,
      };
    },
  };
}

import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import { buildHelpText } from './help-text.ts';
import type { CommandDefinition } from './types.ts';

/** `/start`: what the bot does and its commands (Telegram sends it when a chat begins). */
export function startCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'start',
    description: bothLocales((m) => m.commands.start),
    options: [],
    permission: 'anyone',
    async run(_args, context) {
      return { kind: 'text', text: buildHelpText(messages(context.locale), deps.timezone, { intro: true }) };
    },
  };
}

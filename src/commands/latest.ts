import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import type { CommandDefinition } from './types.ts';

/** `/latest`: the digest of the newest report. */
export function latestCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'latest',
    description: bothLocales((m) => m.commands.latest),
    options: [],
    permission: 'anyone',
    async run(_args, context) {
      const report = await deps.library.latest();
      if (report === null) return { kind: 'text', text: messages(context.locale).report.noReports };
      return { kind: 'digest', digest: await deps.digests.forReport(report, { navigation: true }) };
    },
  };
}

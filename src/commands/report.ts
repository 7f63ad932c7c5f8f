import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import { CommandInputError } from './input-error.ts';
import { findReportFor } from './report-lookup.ts';
import type { CommandDefinition } from './types.ts';

/** `/report <date>`: the digest of the report for that date, the same one the scheduler posts. */
export function reportCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'report',
    description: bothLocales((m) => m.commands.report),
    options: [
      {
        name: 'date',
        type: 'string',
        required: true,
        autocomplete: true,
        description: bothLocales((m) => m.options.reportDate),
      },
    ],
    permission: 'anyone',
    async run(args, context) {
      const input = args.date?.trim();
      if (!input) throw new CommandInputError(messages(context.locale).report.missingDate);
      const report = await findReportFor(input, deps);
      return { kind: 'digest', digest: await deps.digests.forReport(report, { navigation: true }) };
    },
  };
}

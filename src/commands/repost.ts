import { bothLocales, messages } from '../i18n/index.ts';
import type { CommandDeps } from './deps.ts';
import { findReportFor, reportDateLabel } from './report-lookup.ts';
import { requesterOf, resolveTarget } from './target.ts';
import type { CommandDefinition } from './types.ts';

/** Failure lines quoted in the reply; the rest are counted (the full list is in the log and ledger). */
export const REPOST_ERRORS_SHOWN = 5;
/** Each quoted failure is cut to this many characters, so the reply stays far below any message limit. */
export const REPOST_ERROR_CHARS = 200;

function clip(line: string): string {
  const chars = [...line];
  return chars.length <= REPOST_ERROR_CHARS ? line : `${chars.slice(0, REPOST_ERROR_CHARS - 1).join('')}…`;
}

/**
 * `/repost [date] [channel] [all]`: posts a report (default: the latest) again through the delivery
 * path, here, in the chosen channel, or (owners only, checked by the router) to every subscription.
 */
export function repostCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'repost',
    description: bothLocales((m) => m.commands.repost),
    options: [
      {
        name: 'date',
        type: 'string',
        required: false,
        autocomplete: true,
        description: bothLocales((m) => m.options.repostDate),
      },
      { name: 'channel', type: 'channel', required: false, description: bothLocales((m) => m.options.repostChannel) },
      { name: 'all', type: 'boolean', required: false, description: bothLocales((m) => m.options.all) },
    ],
    permission: 'manage',
    async run(args, context) {
      const m = messages(context.locale);
      const input = args.date?.trim();
      const report = input ? await findReportFor(input, deps) : await deps.library.latest();
      if (report === null) return { kind: 'text', text: m.report.noReports };
      const outcome = await deps.reposter.repost({
        slug: report.slug,
        target: args.all === true ? 'all-subscriptions' : resolveTarget(args, context),
        requestedBy: requesterOf(context),
      });
      const errors = outcome.errors.slice(0, REPOST_ERRORS_SHOWN);
      const hidden = outcome.errors.length - errors.length;
      const lines = [
        m.repost.done(reportDateLabel(report), outcome.delivered, outcome.failed, outcome.deactivated),
        ...errors.map((e) => `• ${clip(e)}`),
        ...(hidden > 0 ? [m.repost.moreErrors(hidden)] : []),
      ];
      return { kind: 'text', text: lines.join('\n'), ephemeral: true };
    },
  };
}

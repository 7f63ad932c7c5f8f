import { InvalidDateError, ReportHeldError, ReportNotFoundError, ReportParseError } from '../errors.ts';
import { messages, type Messages } from '../i18n/index.ts';
import { parseUserDate } from '../report/user-date.ts';
import { datesCommand } from './dates.ts';
import type { CommandDeps } from './deps.ts';
import { helpCommand } from './help.ts';
import { buildHelpText } from './help-text.ts';
import { CommandInputError, quotedInput } from './input-error.ts';
import { latestCommand } from './latest.ts';
import { repostCommand } from './repost.ts';
import { reportCommand } from './report.ts';
import { searchCommand } from './search.ts';
import { settingsCommand } from './settings.ts';
import { startCommand } from './start.ts';
import { statusCommand } from './status.ts';
import { subscribeCommand } from './subscribe.ts';
import { describeDestination, resolveTarget, sameDestination } from './target.ts';
import type { CommandArgs, CommandContext, CommandDefinition, CommandReply, CommandRouter } from './types.ts';
import { unsubscribeCommand } from './unsubscribe.ts';

/** How a command ended, for the one log line each command gets. */
type Outcome =
  | 'ok'
  | 'unknown-command'
  | 'refused'
  | 'invalid-input'
  | 'invalid-date'
  | 'not-found'
  | 'unreadable-report'
  | 'held'
  | 'failed';

/** Keeps only the arguments a command declares, so e.g. `all` can never reach /subscribe. */
function declaredArgs(definition: CommandDefinition, args: CommandArgs): CommandArgs {
  const out: CommandArgs = {};
  for (const option of definition.options) {
    const value = args[option.name];
    if (value !== undefined) Object.assign(out, { [option.name]: value });
  }
  // A thread picked with the channel option travels with it (see CommandArgs.thread).
  if (out.channel !== undefined && args.thread !== undefined) out.thread = args.thread;
  return out;
}

/**
 * Why the caller may not run this command, or null when they may. `manage` commands are checked
 * here, on the server side, whatever the platform's UI already hid.
 */
async function refusalFor(
  definition: CommandDefinition,
  args: CommandArgs,
  context: CommandContext,
  m: Messages,
): Promise<string | null> {
  if (definition.permission !== 'manage') return null;
  if (args.all === true) return context.isOwner ? null : m.refusals.ownerOnly;
  const target = resolveTarget(args, context);
  // In a one-to-one chat the user manages their own subscription; a channel picked from there does not count.
  if (context.isPrivateChat && sameDestination(target, context.destination)) return null;
  if (await context.canManage(target)) return null;
  return context.platform === 'discord' ? m.refusals.manageDiscord : m.refusals.manageTelegram;
}

/** The reply for an error a command threw, and how to log it. Never throws. */
function replyForError(error: unknown, m: Messages): { reply: CommandReply; outcome: Outcome } {
  const text = (t: string): CommandReply => ({ kind: 'text', text: t, ephemeral: true });
  if (error instanceof CommandInputError) return { reply: text(error.reply), outcome: 'invalid-input' };
  if (error instanceof InvalidDateError) {
    return { reply: text(m.report.invalidDate(quotedInput(error.input))), outcome: 'invalid-date' };
  }
  if (error instanceof ReportNotFoundError) {
    return {
      reply: text(m.report.notFound(error.date, error.nearest.before, error.nearest.after)),
      outcome: 'not-found',
    };
  }
  if (error instanceof ReportParseError) return { reply: text(m.report.unreadable), outcome: 'unreadable-report' };
  if (error instanceof ReportHeldError) return { reply: text(m.repost.held(error.date, error.points, error.expected)), outcome: 'held' };
  return { reply: text(m.errors.apology), outcome: 'failed' };
}

/** Report dates matching what was typed: digits compared, so `2026-01`, `202601` and `2026/01` all filter. */
function matchesTyped(date: string, typedDigits: string): boolean {
  return typedDigits === '' || date.replaceAll('-', '').includes(typedDigits);
}

/**
 * The router the platform adapters call: every command defined once, a permission re-check,
 * errors turned into short explanations in the user's language, one log line per command.
 */
export function createCommandRouter(deps: CommandDeps): CommandRouter {
  const definitions: readonly CommandDefinition[] = [
    startCommand(deps),
    helpCommand(deps),
    reportCommand(deps),
    latestCommand(deps),
    searchCommand(deps),
    datesCommand(deps),
    subscribeCommand(deps),
    unsubscribeCommand(deps),
    settingsCommand(deps),
    repostCommand(deps),
    statusCommand(deps),
  ];
  const byName = new Map(definitions.map((d) => [d.name as string, d]));

  return {
    definitions,

    async handle(name, args, context) {
      const m = messages(context.locale);
      const command = name.trim().replace(/^\//, '').toLowerCase();
      let outcome: Outcome = 'failed';
      let failure: unknown = null;
      try {
        const definition = byName.get(command);
        if (!definition) {
          outcome = 'unknown-command';
          const help = buildHelpText(m, deps.timezone, { intro: false });
          const text = `${m.errors.unknownCommand(quotedInput(command))}\n\n${help}`;
          return { kind: 'text', text, ephemeral: true };
        }
        const accepted = declaredArgs(definition, args);
        const refusal = await refusalFor(definition, accepted, context, m);
        if (refusal !== null) {
          outcome = 'refused';
          return { kind: 'text', text: refusal, ephemeral: true };
        }
        const reply = await definition.run(accepted, context);
        outcome = 'ok';
        return reply;
      } catch (error) {
        const mapped = replyForError(error, m);
        outcome = mapped.outcome;
        failure = error;
        return mapped.reply;
      } finally {
        const line = {
          event: 'command',
          command,
          platform: context.platform,
          destination: describeDestination(context.destination),
          user: context.userId,
          outcome,
        };
        if (outcome === 'failed') deps.logger.error({ ...line, err: failure }, 'command failed');
        else if (outcome === 'unreadable-report') deps.logger.warn({ ...line, err: failure }, 'report could not be read');
        else deps.logger.info(line, 'command');
      }
    },

    autocompleteDates(typed, limit) {
      const max = Math.max(0, Math.floor(limit));
      if (max === 0) return [];
      const all = deps.library.dates();
      // `today`, `2026/1/3`: a whole date the user typed goes first if it has a report.
      let exact: string | null = null;
      try {
        if (typed.trim() !== '') exact = parseUserDate(typed, { timezone: deps.timezone, now: deps.now() });
      } catch {
        exact = null;
      }
      const digits = /[a-z\u4e00-\u9fff]/i.test(typed) ? null : typed.replace(/\D/g, '');
      const matches = digits === null ? [] : all.filter((date) => matchesTyped(date, digits));
      const ordered = exact !== null && all.includes(exact) ? [exact, ...matches.filter((d) => d !== exact)] : matches;
      return ordered.slice(0, max);
    },
  };
}

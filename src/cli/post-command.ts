import { parseArgs } from 'node:util';
import { withArchiveLinks } from '../archive/report-links.ts';
import { loadConfig, secretsOf } from '../config.ts';
import { createDigestBuilder } from '../digest-builder.ts';
import { createDelivery } from '../delivery/create-delivery.ts';
import type { DeliveryReport, PlatformCounts } from '../delivery/deliverer.ts';
import { describeDestination } from '../delivery/notices.ts';
import { Corrections, type CorrectionReport } from '../delivery/corrections.ts';
import { createLogger } from '../log.ts';
import { createPlatforms } from '../platforms/create-platforms.ts';
import { PLATFORM_NAMES, type Destination, type Platform, type PlatformName } from '../platforms/platform.ts';
import { ReportLibrary } from '../report/library.ts';
import { parseUserDate } from '../report/user-date.ts';
import { openStore } from '../store/open-store.ts';
import { WordcloudService } from '../wordcloud/wordcloud-service.ts';
import type { CliCommand, CliIo } from './io.ts';
import { createProgress, type Progress } from './progress.ts';

const HELP = `usage: digest post [DATE] [--platform discord|telegram] [--to ID] [--repost] [--force] [--edit] [--verbose]

Delivers a report (default: the newest) now to every active subscription that has not had it,
through the same ledger as the running bot (safe to run beside it: nothing is posted twice).
DATE      2026-01-03, 20260103, 2026/1/3, today, yesterday (in the configured timezone)
--platform  only this platform (its token must be set)
--to ID     only this subscription (Discord channel id or Telegram chat id)
--repost    post again even where already delivered (recorded as a repost by "cli")
--verbose   log each attempt and retry on stderr (JSON lines), not only the outcome
--force     send a report that is held as incomplete (fewer core points than its heading
            announces) as it is
--edit      correct in place instead of posting: where the report was delivered in an older
            version (edited since), edit the delivered messages to match; nothing new is sent,
            and a message that can no longer be edited is reported
A report older than delivery.maxReportAgeDays is sent too: the limit is for due times only.
Prints one summary line per platform (with the sends whose answer was lost and that may show
twice, when any). Exit codes: 0 every destination delivered, skipped or deactivated (with a
reason); 1 any failed, any the ledger could not record, or bad usage / configuration.
`;

const TOKEN_NAME: Record<PlatformName, string> = { discord: 'DISCORD_TOKEN', telegram: 'TELEGRAM_BOT_TOKEN' };

interface PostOptions {
  date: string | undefined;
  platform: PlatformName | undefined;
  to: string | undefined;
  repost: boolean;
  verbose: boolean;
  force: boolean;
  edit: boolean;
}

function parse(argv: string[]): PostOptions | 'help' | string {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        platform: { type: 'string' },
        to: { type: 'string' },
        repost: { type: 'boolean' },
        verbose: { type: 'boolean' },
        force: { type: 'boolean' },
        edit: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return 'help';
    if (positionals.length > 1) return `expected at most one DATE, got ${positionals.length}`;
    const platform = values.platform;
    if (platform !== undefined && platform !== 'discord' && platform !== 'telegram') {
      return `--platform must be discord or telegram, not "${platform}"`;
    }
    if (values.to !== undefined && !/^-?\d+$/.test(values.to)) return `--to must be a numeric chat or channel id, not "${values.to}"`;
    if (values.edit && (values.repost || values.force)) return '--edit corrects what was delivered: it cannot be combined with --repost or --force';
    return {
      date: positionals[0],
      platform,
      to: values.to,
      repost: values.repost === true,
      verbose: values.verbose === true,
      force: values.force === true,
      edit: values.edit === true,
    };
  } catch (error) {
    return (error as Error).message;
  }
}

/** What the summary adds after the counts, when not zero. */
export interface SummaryExtras {
  /** Requests sent again after a lost answer: each may show as a repeated message. */
  ambiguous: number;
  /** Destinations the ledger could not record (delivered but unrecorded, or not sent for it). */
  unrecorded: number;
}

/** The extras of one platform's results. */
export function summaryExtras(outcome: DeliveryReport, platform: PlatformName): SummaryExtras {
  const mine = outcome.results.filter((r) => r.destination.platform === platform);
  return {
    ambiguous: mine.reduce((n, r) => n + r.ambiguousSends, 0),
    unrecorded: mine.filter((r) => r.ledgerProblem !== null).length,
  };
}

/** `telegram: 3 delivered, 1 skipped (already delivered), 0 deactivated, 0 failed`. */
export function summaryLine(platform: PlatformName, c: PlatformCounts, extras?: SummaryExtras): string {
  const moved = c.migrated > 0 ? `, ${c.migrated} moved to a supergroup` : '';
  const ambiguous = extras && extras.ambiguous > 0 ? `, ${extras.ambiguous} ambiguous (answer lost and sent again: may show twice)` : '';
  const unrecorded = extras && extras.unrecorded > 0 ? `, ${extras.unrecorded} not recorded in the ledger (database refused the write)` : '';
  return `${platform}: ${c.delivered} delivered, ${c.skipped} skipped (already delivered), ${c.deactivated} deactivated, ${c.failed} failed${moved}${ambiguous}${unrecorded}`;
}

/** `digest post`: the scheduler's delivery path, run once from the command line. */
export const postCommand: CliCommand = async (argv, io) => {
  const options = parse(argv);
  if (options === 'help') {
    io.stdout(HELP);
    return 0;
  }
  if (typeof options === 'string') {
    io.stderr(`digest post: ${options}\n${HELP}`);
    return 1;
  }
  const config = loadConfig({ rootDir: io.cwd, env: io.env });
  const logger = createLogger({
    // Each attempt's warning is detail: the outcome is printed once per destination below.
    level: options.verbose ? (config.logLevel === 'info' ? 'warn' : config.logLevel) : quietLevel(config.logLevel),
    secrets: secretsOf(config),
    destination: { write: (line: string) => (io.stderr(line), true) } as unknown as NodeJS.WritableStream,
  });
  const configured = PLATFORM_NAMES.filter((p) => (p === 'discord' ? config.env.discordToken : config.env.telegramToken));
  if (options.platform && !configured.includes(options.platform)) {
    io.stderr(`digest post: --platform ${options.platform}: ${TOKEN_NAME[options.platform]} is not set\n`);
    return 1;
  }
  const inScope = options.platform ? [options.platform] : configured;
  if (inScope.length === 0) {
    io.stderr(`digest post: no platform to post to: set ${TOKEN_NAME.discord} and/or ${TOKEN_NAME.telegram}\n`);
    return 1;
  }

  const { store } = await openStore(config);
  const platforms = createPlatforms({ config, logger, only: inScope });
  let closeLock = (): Promise<void> => Promise.resolve();
  try {
    const library = await ReportLibrary.open(config.contentDir, { imagesDir: config.imagesDir, logger, maxReportBytes: config.content.maxReportBytes });
    const images = new WordcloudService({ ...config.wordcloud, imagesDir: config.imagesDir }, logger);
    let progress: Progress | null = null;
    const digests = createDigestBuilder(withArchiveLinks(config), images, library);
    const { fanout, lock } = createDelivery({
      config,
      store,
      library,
      digests,
      platforms,
      logger,
      // With DATABASE_URL this is the per-platform PostgreSQL lock the bot's instances take.
      onLockWait: (who) => io.stderr(`digest post: waiting for a delivery in progress (${who})…\n`),
      overrides: { onResult: (r) => progress?.tick(r.destination.platform, r.outcome === 'failed') },
    });
    closeLock = () => lock.close?.() ?? Promise.resolve();
    // Without a DATE: the newest report, as the scheduler picks it (never an older one in its place).
    const report = options.date
      ? await library.findByDate(parseUserDate(options.date, { timezone: config.timezone, now: new Date() }))
      : await fanout.newestReport();
    if (!report) {
      io.stderr(`digest post: no reports in ${config.contentDir}\n`);
      return 1;
    }

    if (options.edit) {
      const corrections = new Corrections({ library, digests, store, platforms: new Map(Object.values(platforms).map((p) => [p.name, p])), logger });
      const result = await corrections.correct(report.slug, {
        ...(options.platform ? { platform: options.platform } : {}),
        ...(options.to ? { chatId: options.to } : {}),
      });
      return printCorrections(result, inScope, io);
    }
    const destinations = chooseDestinations(options, inScope, await fanout.audience());
    if (typeof destinations === 'string') {
      io.stderr(`digest post: ${destinations}\n`);
      return 1;
    }
    for (const p of PLATFORM_NAMES.filter((p) => !inScope.includes(p) && !options.platform)) {
      const waiting = (await fanout.audience({ platform: p })).length;
      if (waiting > 0) io.stderr(`digest post: ${p}: ${waiting} subscriptions not posted to: ${TOKEN_NAME[p]} is not set\n`);
    }
    progress = createProgress(
      io,
      'digest post',
      Object.fromEntries(inScope.map((p) => [p, destinations.filter((d) => d.platform === p).length])),
    );
    const outcome = await fanout
      .deliverReport(report, destinations, {
        kind: options.repost ? 'repost' : 'scheduled',
        requestedBy: options.repost ? 'cli' : null,
        force: options.force,
      })
      .finally(() => progress?.stop());
    printOutcome(outcome, inScope, io, options.verbose);
    const unrecorded = outcome.results.some((r) => r.ledgerProblem !== null);
    return unrecorded || inScope.some((p) => outcome.byPlatform[p].failed > 0) ? 1 : 0;
  } finally {
    await stopAll(platforms);
    await closeLock();
    await store.close();
  }
};

/** The destinations in scope: every active subscription, or the one `--to` names. */
function chooseDestinations(
  options: PostOptions,
  inScope: readonly PlatformName[],
  active: readonly Destination[],
): Destination[] | string {
  const candidates = active.filter((s) => inScope.includes(s.platform));
  if (options.to === undefined) return candidates;
  const matching = candidates.filter((s) => s.chatId === options.to);
  if (matching.length > 0) return matching;
  if (options.repost && options.platform) {
    // A repost may go to a chat that is not subscribed, when the platform is named.
    return [{ platform: options.platform, chatId: options.to, threadId: null }];
  }
  return `--to ${options.to}: no active subscription with that id${options.platform ? ` on ${options.platform}` : ''} (to post to an unsubscribed chat, use --repost with --platform)`;
}

/** Without --verbose only errors are logged, unless the operator asked for more detail (debug, trace). */
function quietLevel(level: string): string {
  return level === 'debug' || level === 'trace' ? level : 'error';
}

/** The reason without the destination the line already starts with. */
export function reasonFor(where: string, reason: string | null): string {
  return (reason ?? 'no reason recorded').split(`${where}: `).join('');
}

function printOutcome(outcome: DeliveryReport, inScope: readonly PlatformName[], io: CliIo, verbose: boolean): void {
  for (const platform of inScope) io.stdout(`${summaryLine(platform, outcome.byPlatform[platform], summaryExtras(outcome, platform))}\n`);
  let transient = 0;
  for (const r of outcome.results) {
    const where = describeDestination(r.deliveredTo);
    if (r.outcome === 'failed' || r.outcome === 'deactivated') {
      if (r.reason?.startsWith('transient:')) transient += 1;
      io.stderr(`  ${where}: ${r.outcome}: ${reasonFor(where, r.reason)}\n`);
    } else if (r.ledgerProblem !== null) {
      io.stderr(`  ${where}: ${r.outcome}, but ${r.ledgerProblem}\n`);
    }
  }
  if (transient > 0) {
    io.stderr(
      `  ${transient} failed on transient errors after every retry (network, 5xx, timeouts): the next due time or \`digest post\` tries again${verbose ? '' : '; --verbose logs each attempt'}\n`,
    );
  }
}

/** `telegram: 3 edited, 1 not editable, 0 failed` per platform, then a line per destination not corrected. */
function printCorrections(result: CorrectionReport, inScope: readonly PlatformName[], io: CliIo): number {
  for (const platform of inScope) {
    const mine = result.outcomes.filter((o) => o.destination.platform === platform);
    const count = (status: string): number => mine.filter((o) => o.status === status).length;
    io.stdout(`${platform}: ${count('edited')} edited, ${count('not-editable')} not editable, ${count('failed')} failed\n`);
  }
  for (const outcome of result.outcomes.filter((o) => o.status !== 'edited')) {
    const where = describeDestination(outcome.destination);
    io.stderr(`  ${where}: ${outcome.status}: ${reasonFor(where, outcome.reason ?? null)}\n`);
  }
  if (result.outcomes.length === 0) io.stdout(`${result.slug}: nothing to correct (${result.upToDate} delivered with this version)\n`);
  if (result.unknownVersion > 0) {
    io.stderr(`  ${result.unknownVersion} delivered before the ledger recorded versions: left as they are\n`);
  }
  return result.outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

async function stopAll(platforms: Partial<Record<PlatformName, Platform>>): Promise<void> {
  await Promise.allSettled(Object.values(platforms).map((p) => p.stop()));
}

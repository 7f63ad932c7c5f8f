import type { DigestBuilder } from '../digest-builder.ts';
import type { Logger } from '../log.ts';
import type { Report } from '../report/types.ts';
import type { ReportSearcher } from '../search/types.ts';
import type { Store } from '../store/store.ts';
import type { Reposter } from './types.ts';

/**
 * What commands read reports from: the parts of ReportLibrary (src/report/library.ts) they use
 * (ReportLibrary satisfies it as is; tests may pass a smaller fake).
 * `findByDate` throws ReportNotFoundError (naming the nearest dates) or ReportParseError.
 */
export interface ReportSource {
  /** The newest report, or null when there is none. */
  latest(): Report | null | Promise<Report | null>;
  findByDate(date: string): Report | Promise<Report>;
  /** Every report date (`YYYY-MM-DD`), newest first. */
  dates(): string[];
}

/** Everything a command needs, wired once in main.ts; tests pass fakes or in-memory parts. */
export interface CommandDeps {
  library: ReportSource;
  digests: DigestBuilder;
  store: Store;
  reposter: Reposter;
  /** Full-text search over the reports; without it /search says search is not available. */
  search?: ReportSearcher;
  /** config.timezone: the zone `today` / `yesterday` and default schedules are in. */
  timezone: string;
  /** config.schedule (cron, in `timezone`): /status tells the next due time from it; absent, only subscriptions with their own time get one. */
  schedule?: string;
  now: () => Date;
  logger: Logger;
}

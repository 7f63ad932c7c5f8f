import { watch as watchDir, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { DigestError, InvalidDateError, ReportNotFoundError, ReportParseError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { runPool } from '../run-pool.ts';
import { LruCache } from './lru-cache.ts';
import { readReport, tooLargeReason } from './read-report.ts';
import { datesFromName, REPORT_EXTENSIONS } from './report-dates.ts';
import type { Report } from './types.ts';
import { addDays, isCalendarDate } from './user-date.ts';

/** What the library knows about a report file without parsing it. */
export interface ReportEntry {
  slug: string;
  /** Absolute path. */
  file: string;
  dateStart: string;
  dateEnd: string;
  mtimeMs: number;
  size: number;
}

/** What a rescan found different from the previous one. */
export interface LibraryChange {
  added: ReportEntry[];
  changed: ReportEntry[];
  removed: ReportEntry[];
}

/** A file that could not be indexed, and why. */
export interface LibraryProblem {
  file: string;
  reason: string;
}

interface ProblemRecord extends LibraryProblem {
  mtimeMs: number;
  size: number;
}

interface FileStat {
  file: string;
  mtimeMs: number;
  size: number;
}

/** Options of {@link ReportLibrary.open}. */
export interface LibraryOptions {
  imagesDir?: string | null;
  logger?: Logger;
  cacheSize?: number;
  /**
   * Files larger than this (config `content.maxReportBytes`) are refused: listed in `problems()`
   * and logged once, never read. Unset = no limit.
   */
  maxReportBytes?: number;
}

const DEFAULT_CACHE_SIZE = 16;
const DEFAULT_POLL_MS = 30_000;
const WATCH_DEBOUNCE_MS = 200;
/** File stats a rescan has in flight at once (libuv's thread pool runs four at a time anyway). */
const STATS_IN_FLIGHT = 16;

/** Newest first: latest last day, then latest first day, then slug for a stable order. */
function compareNewest(a: ReportEntry, b: ReportEntry): number {
  if (a.dateEnd !== b.dateEnd) return a.dateEnd < b.dateEnd ? 1 : -1;
  if (a.dateStart !== b.dateStart) return a.dateStart < b.dateStart ? 1 : -1;
  return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0;
}

/** Whole days from `a` to `b` (both `YYYY-MM-DD`). */
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Index of the first element for which `isAfter` is true (elements must be partitioned). */
function partitionPoint<T>(items: readonly T[], isAfter: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAfter(items[mid] as T)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const isChange = (c: LibraryChange): boolean =>
  c.added.length + c.changed.length + c.removed.length > 0;

/**
 * The reports in the content folder, indexed by the days they cover.
 *
 * Indexing is cheap: a file named `…_YYYYMMDD_YYYYMMDD.md` is indexed from its name and one
 * `stat`; only other files are parsed to find their dates. Full reports are parsed on demand
 * and kept in a small LRU cache keyed by path, mtime and size, so an edited file is re-read.
 */
export class ReportLibrary {
  readonly dir: string;
  readonly #imagesDir: string | null;
  readonly #maxReportBytes: number | undefined;
  readonly #logger: Logger;
  readonly #cache: LruCache<string, Report>;
  #byFile = new Map<string, ReportEntry>();
  #problems = new Map<string, ProblemRecord>();
  /** Newest first (the public order). */
  #newest: readonly ReportEntry[] = [];
  /** Ascending by dateStart; scanned backwards by {@link findEntry}. */
  #byStart: readonly ReportEntry[] = [];
  #dates: readonly string[] = [];
  /** The longest range in days: how far back a covering report can start. */
  #maxSpan = 0;
  /** Rescans run one at a time, in order. */
  #queue: Promise<unknown> = Promise.resolve();
  /** `watch` listeners; every change any refresh finds goes to all of them. */
  readonly #listeners = new Set<(change: LibraryChange) => void>();
  /** Stops the one shared fs.watch + poll; null while nobody watches. */
  #stopWatcher: (() => void) | null = null;

  private constructor(dir: string, options: LibraryOptions) {
    this.dir = dir;
    this.#imagesDir = options.imagesDir ?? null;
    this.#maxReportBytes = options.maxReportBytes;
    this.#logger = options.logger ?? silentLogger();
    this.#cache = new LruCache(options.cacheSize ?? DEFAULT_CACHE_SIZE);
  }

  /**
   * Opens and indexes a content folder.
   *
   * @throws DigestError naming the folder when it does not exist or is not a folder.
   */
  static async open(dir: string, options: LibraryOptions = {}): Promise<ReportLibrary> {
    const library = new ReportLibrary(resolve(dir), options);
    await library.refresh();
    return library;
  }

  /** Every indexed report, newest first (dateEnd desc, then dateStart desc, then slug). */
  entries(): readonly ReportEntry[] {
    return this.#newest;
  }

  /** Each report's first day, newest first, without repeats. */
  dates(): string[] {
    return [...this.#dates];
  }

  newestEntry(): ReportEntry | null {
    return this.#newest[0] ?? null;
  }

  /**
   * The report covering `date` (`dateStart <= date <= dateEnd`); when several do, the one that
   * starts latest. Null when none does or `date` is not `YYYY-MM-DD`.
   */
  findEntry(date: string): ReportEntry | null {
    if (!isCalendarDate(date)) return null;
    const earliestStart = addDays(date, -this.#maxSpan);
    const end = partitionPoint(this.#byStart, (e) => e.dateStart > date);
    for (let i = end - 1; i >= 0; i--) {
      const entry = this.#byStart[i] as ReportEntry;
      if (entry.dateStart < earliestStart) break;
      if (entry.dateEnd >= date) return entry;
    }
    return null;
  }

  /**
   * The nearest covered days around `date`: `before` is the last day of the closest earlier
   * report, `after` the first day of the closest later one. Either finds its report.
   */
  nearest(date: string): { before: string | null; after: string | null } {
    // #newest is sorted by dateEnd descending.
    const beforeIndex = partitionPoint(this.#newest, (e) => e.dateEnd < date);
    const afterIndex = partitionPoint(this.#byStart, (e) => e.dateStart > date);
    return {
      before: this.#newest[beforeIndex]?.dateEnd ?? null,
      after: this.#byStart[afterIndex]?.dateStart ?? null,
    };
  }

  /**
   * Parses an entry's file (or returns the cached parse when the file is unchanged).
   *
   * @throws ReportParseError when the file has gone or does not parse.
   */
  async load(entry: ReportEntry): Promise<Report> {
    let current: FileStat;
    try {
      const s = await stat(entry.file);
      current = { file: entry.file, mtimeMs: s.mtimeMs, size: s.size };
    } catch (error) {
      throw new ReportParseError(entry.file, 'file no longer exists', { cause: error });
    }
    const key = `${current.file}\u0000${current.mtimeMs}\u0000${current.size}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const report = await readReport(entry.file, this.#readOptions());
    this.#cache.set(key, report);
    return report;
  }

  /** The newest report that parses; a broken newer file is skipped with a logged warning. */
  async latest(): Promise<Report | null> {
    for (const entry of this.#newest) {
      try {
        return await this.load(entry);
      } catch (error) {
        if (!(error instanceof ReportParseError)) throw error;
        this.#logger.warn({ event: 'report.skipped', file: entry.file, reason: error.reason }, 'newest report does not parse; trying an older one');
      }
    }
    return null;
  }

  /**
   * The report covering `date` (`YYYY-MM-DD`).
   *
   * @throws InvalidDateError for a malformed date, ReportNotFoundError (carrying the nearest
   *         dates) when no report covers it, ReportParseError when its file does not parse.
   */
  async findByDate(date: string): Promise<Report> {
    if (!isCalendarDate(date)) throw new InvalidDateError(date);
    const entry = this.findEntry(date);
    if (!entry) throw new ReportNotFoundError(date, this.nearest(date));
    return this.load(entry);
  }

  /** Files that could not be indexed (no dates found, unreadable, not a report). */
  problems(): ReadonlyArray<LibraryProblem> {
    return [...this.#problems.values()].map(({ file, reason }) => ({ file, reason }));
  }

  /**
   * Rescans the folder and reports new, changed (mtime or size) and removed reports. Whoever calls
   * it (a watcher's poll, the scheduler before a tick), a change it finds is also passed to every
   * `watch` listener: the index is shared, so a diff seen by one caller is seen by no other.
   *
   * @throws DigestError when the folder itself has gone.
   */
  refresh(): Promise<LibraryChange> {
    const run = this.#queue.then(() => this.#scan());
    this.#queue = run.catch(() => undefined);
    return run.then((change) => {
      if (isChange(change)) this.#notify(change);
      return change;
    });
  }

  /**
   * Calls `onChange` after files are added, changed or removed. One watcher serves every listener:
   * `fs.watch` on the folder (debounced) and, because `fs.watch` misses events on some filesystems
   * (network mounts, some containers), a rescan every `intervalMs` (the first listener's setting).
   * Neither keeps the process alive. Changes found by a direct `refresh()` reach listeners too.
   *
   * @returns stop(): ends this listener; the watcher closes with the last one.
   */
  watch(onChange: (change: LibraryChange) => void, options: { intervalMs?: number } = {}): () => void {
    this.#listeners.add(onChange);
    this.#stopWatcher ??= this.#startWatcher(options.intervalMs ?? DEFAULT_POLL_MS);
    return () => {
      this.#listeners.delete(onChange);
      if (this.#listeners.size === 0 && this.#stopWatcher) {
        this.#stopWatcher();
        this.#stopWatcher = null;
      }
    };
  }

  #notify(change: LibraryChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#logger.error({ event: 'library.watch.handler_failed', err: error }, 'change handler threw');
      }
    }
  }

  #startWatcher(intervalMs: number): () => void {
    let stopped = false;
    let debounce: NodeJS.Timeout | null = null;
    let watcher: FSWatcher | null = null;

    const rescan = (): void => {
      debounce = null;
      if (stopped) return;
      this.refresh().catch((error: unknown) => {
        this.#logger.warn({ event: 'library.rescan_failed', dir: this.dir, err: error }, 'rescan failed');
      });
    };
    const schedule = (): void => {
      if (stopped) return;
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(rescan, WATCH_DEBOUNCE_MS);
      debounce.unref();
    };

    try {
      watcher = watchDir(this.dir, { persistent: false }, schedule);
      watcher.on('error', (error) => {
        this.#logger.warn({ event: 'library.watch_failed', dir: this.dir, err: error }, 'fs.watch failed; polling only');
        watcher?.close();
        watcher = null;
      });
    } catch (error) {
      this.#logger.warn({ event: 'library.watch_unavailable', dir: this.dir, err: error }, 'fs.watch unavailable; polling only');
    }
    const poll = setInterval(rescan, intervalMs);
    poll.unref();

    return () => {
      stopped = true;
      watcher?.close();
      clearInterval(poll);
      if (debounce) clearTimeout(debounce);
    };
  }

  async #listFiles(): Promise<FileStat[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code ?? String(error)})`;
      throw new DigestError(`content folder ${this.dir} ${reason}`, { cause: error });
    }
    const markdownNames = names.filter((name) =>
      (REPORT_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase()),
    );
    // A few stats in flight at a time, not one per file at once: ten years of reports asked all
    // together came back in bursts that held the event loop 17–46 ms on every rescan (every 30 s
    // and before each fan-out); in small batches readers' commands are answered in between.
    const stats = await runPool(markdownNames, STATS_IN_FLIGHT, async (name): Promise<FileStat | null> => {
      const file = join(this.dir, name);
      try {
        const s = await stat(file);
        return s.isFile() ? { file, mtimeMs: s.mtimeMs, size: s.size } : null;
      } catch {
        return null; // Removed between readdir and stat: the next scan settles it.
      }
    });
    return stats.filter((s): s is FileStat => s !== null);
  }

  #readOptions(): { imagesDir: string | null; maxBytes?: number } {
    return { imagesDir: this.#imagesDir, ...(this.#maxReportBytes !== undefined ? { maxBytes: this.#maxReportBytes } : {}) };
  }

  async #index(file: FileStat): Promise<ReportEntry | ProblemRecord> {
    // Judged by the size the listing's stat gave: an oversized file is never opened.
    const tooLarge = tooLargeReason(file.size, this.#maxReportBytes);
    if (tooLarge) return { file: file.file, reason: tooLarge, mtimeMs: file.mtimeMs, size: file.size };
    const slug = basename(file.file, extname(file.file));
    const fromName = datesFromName(slug);
    if (fromName.kind === 'found') {
      return { slug, file: file.file, dateStart: fromName.range.start, dateEnd: fromName.range.end, mtimeMs: file.mtimeMs, size: file.size };
    }
    try {
      const report = await readReport(file.file, this.#readOptions());
      return { slug, file: file.file, dateStart: report.dateStart, dateEnd: report.dateEnd, mtimeMs: file.mtimeMs, size: file.size };
    } catch (error) {
      const reason = error instanceof ReportParseError ? error.reason : String(error);
      return { file: file.file, reason, mtimeMs: file.mtimeMs, size: file.size };
    }
  }

  async #scan(): Promise<LibraryChange> {
    const files = await this.#listFiles();
    const change: LibraryChange = { added: [], changed: [], removed: [] };
    const nextEntries = new Map<string, ReportEntry>();
    const nextProblems = new Map<string, ProblemRecord>();
    const same = (a: { mtimeMs: number; size: number } | undefined, b: FileStat): boolean =>
      a !== undefined && a.mtimeMs === b.mtimeMs && a.size === b.size;

    for (const file of files) {
      const known = this.#byFile.get(file.file);
      if (same(known, file)) {
        nextEntries.set(file.file, known as ReportEntry);
        continue;
      }
      const problem = this.#problems.get(file.file);
      if (same(problem, file)) {
        nextProblems.set(file.file, problem as ProblemRecord);
        continue;
      }
      const indexed = await this.#index(file);
      if ('reason' in indexed) {
        nextProblems.set(file.file, indexed);
        this.#logger.warn({ event: 'report.unindexed', file: indexed.file, reason: indexed.reason }, 'report skipped');
        if (known) change.removed.push(known);
      } else {
        nextEntries.set(file.file, indexed);
        (known ? change.changed : change.added).push(indexed);
      }
    }
    for (const [file, entry] of this.#byFile) {
      if (!nextEntries.has(file) && !nextProblems.has(file)) change.removed.push(entry);
    }

    this.#byFile = nextEntries;
    this.#problems = nextProblems;
    if (isChange(change)) this.#rebuild();
    return change;
  }

  #rebuild(): void {
    const all = [...this.#byFile.values()];
    this.#newest = [...all].sort(compareNewest);
    // Ascending by start; equal starts in reverse newest order, so a backwards scan meets them newest first.
    this.#byStart = [...all].sort((a, b) => (a.dateStart !== b.dateStart ? (a.dateStart < b.dateStart ? -1 : 1) : -compareNewest(a, b)));
    this.#dates = [...new Set(all.map((e) => e.dateStart))].sort().reverse();
    this.#maxSpan = all.reduce((max, e) => Math.max(max, daysBetween(e.dateStart, e.dateEnd)), 0);
    this.#warnSameDates();
  }

  /**
   * Files covering the same dates: one is served (the name that sorts first, as `compareNewest`
   * orders them), the others cannot be reached, which the operator should hear about.
   */
  #warnSameDates(): void {
    const seen = new Map<string, ReportEntry>();
    // #newest holds equal ranges next to each other, the served one first.
    for (const entry of this.#newest) {
      const key = `${entry.dateStart}~${entry.dateEnd}`;
      const served = seen.get(key);
      if (!served) {
        seen.set(key, entry);
        continue;
      }
      this.#logger.warn(
        { event: 'report.same_dates', file: entry.file, served: served.file, dateStart: entry.dateStart, dateEnd: entry.dateEnd },
        'two reports cover the same dates; only the one whose name sorts first is delivered and shown',
      );
    }
  }
}

import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { silentLogger, type Logger } from '../log.ts';
import type { LibraryChange, ReportEntry } from '../report/library.ts';
import { LruCache } from '../report/lru-cache.ts';
import { defaultIndexThreads, IndexThreads, type IndexThreadsStats } from './index-threads.ts';
import { visitReportTerms } from './report-terms.ts';
import { SearchIndex, type IndexBatch, type SearchIndexState } from './search-index.ts';
import { bestSnippet, snippetSource, type SnippetSource } from './snippet.ts';
import { queryTerms } from './tokenize.ts';
import type { ReportSearcher, SearchHit, SearchOutcome } from './types.ts';
import { loadSegmenter } from '../text/chinese-words.ts';

/** The parts of ReportLibrary the search follows. */
export interface SearchableLibrary {
  entries(): readonly ReportEntry[];
  watch(onChange: (change: LibraryChange) => void, options?: { intervalMs?: number }): () => void;
}

export interface ReportSearchOptions {
  logger?: Logger;
  /** How long one slice of indexing may hold the event loop before yielding (default 15 ms). */
  sliceMs?: number;
  /**
   * A file keeping each report's segmented terms between runs (keyed by path, mtime and size),
   * so a restart indexes unchanged reports without segmenting them again. Null: no cache.
   */
  cacheFile?: string | null;
  /** How many reports' texts are kept for snippets (default 64, a few MB; 0 reads every hit's file). */
  snippetCacheSize?: number;
  /**
   * Worker threads that index a large set of reports at once (the first index, a cache that lost
   * many reports); 0 indexes everything on the calling thread in slices. Null or absent: one per
   * core, at most 4.
   */
  indexThreads?: number | null | undefined;
  /** Reports to index at once above which worker threads are used (default 64; the folder's small changes stay in-thread). */
  threadsAbove?: number;
  /** Reports per worker batch (default 192; tests). */
  threadBatchSize?: number;
  /** The index worker module (tests: one that fails). */
  threadEntry?: URL;
}

/** Which file (and which version of it) each indexed slug came from. */
interface IndexedFile {
  file: string;
  mtimeMs: number;
  size: number;
}

function sameVersion(a: IndexedFile, b: IndexedFile): boolean {
  return a.file === b.file && a.mtimeMs === b.mtimeMs && a.size === b.size;
}

/** The cache file: the whole index plus the file versions it was built from. */
interface CacheData {
  version: number;
  index: SearchIndexState;
  files: Array<[string, IndexedFile]>;
}

const CACHE_VERSION = 2;
/** Changes are written to the cache at most this often. */
const CACHE_WRITE_DELAY_MS = 5000;

const DEFAULT_LIMIT = 10;
const THREADS_ABOVE = 64;
const SNIPPET_CACHE_SIZE = 64;
const SUGGESTIONS = 5;

/**
 * Full-text search over every report in the content folder, following it as the library does:
 * `start()` indexes all reports newest first in short slices (commands keep being answered, and
 * recent reports are searchable first), and every file the library sees added, changed or
 * removed is indexed again or dropped, so a new report is searchable without a restart.
 */
export class ReportSearch implements ReportSearcher {
  readonly #library: SearchableLibrary;
  readonly #logger: Logger;
  readonly #sliceMs: number;
  #index = new SearchIndex();
  /** File (and its version) of each indexed slug, for snippets and the cache. */
  readonly #files = new Map<string, IndexedFile>();
  #stopWatching: (() => void) | null = null;
  #queue: Promise<void> = Promise.resolve();
  readonly #cacheFile: string | null;
  #saveTimer: NodeJS.Timeout | null = null;
  #dirty = false;
  /** Texts of the reports shown last, for their snippets. */
  readonly #sources: LruCache<string, { version: IndexedFile; source: SnippetSource }>;
  readonly #threadOptions: { threads: number; above: number; batchSize: number | undefined; entry: URL | undefined };
  /** The worker threads indexing a large set of reports, while they do. */
  #threads: IndexThreads<ReportEntry> | null = null;
  /** Set by stop(): indexing under way ends at its next batch or slice. */
  #stopping = false;
  /** Figures of the last threaded index (the benchmark). */
  lastThreadStats: IndexThreadsStats | null = null;

  constructor(library: SearchableLibrary, options: ReportSearchOptions = {}) {
    this.#library = library;
    this.#logger = options.logger ?? silentLogger();
    this.#sliceMs = options.sliceMs ?? 15;
    this.#cacheFile = options.cacheFile ?? null;
    this.#sources = new LruCache(options.snippetCacheSize ?? SNIPPET_CACHE_SIZE);
    this.#threadOptions = {
      threads: options.indexThreads ?? defaultIndexThreads(),
      above: options.threadsAbove ?? THREADS_ABOVE,
      batchSize: options.threadBatchSize,
      entry: options.threadEntry,
    };
  }

  /** Reports indexed so far. */
  get size(): number {
    return this.#index.size;
  }

  /**
   * Indexes every report (newest first) and starts following the folder. Resolves when the
   * whole archive is indexed; searches made before then see the reports indexed so far.
   */
  start(): Promise<void> {
    this.#stopping = false;
    this.#stopWatching ??= this.#library.watch((change) => {
      this.#enqueue(async () => {
        for (const entry of change.removed) this.#remove(entry);
        await this.#addAll([...change.added, ...change.changed]);
        this.#scheduleSave();
      });
    });
    return this.#enqueue(async () => {
      const entries = this.#library.entries();
      await this.#readCache(entries);
      // Reports the cache already holds, unchanged, are not read again.
      await this.#addAll(entries.filter((entry) => !this.#isCurrent(entry)));
      this.#scheduleSave();
    });
  }

  /**
   * Stops following the folder, ends indexing under way (its worker threads too: reports not
   * indexed yet are left for the next start) and writes any pending change to the cache file.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopWatching?.();
    this.#stopWatching = null;
    await this.#threads?.close();
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    await this.#queue;
    if (this.#dirty) await this.#writeCache();
  }

  /** Resolves once every queued indexing job is done (tests, the benchmark). */
  idle(): Promise<void> {
    return this.#queue;
  }

  async search(query: string, limit = DEFAULT_LIMIT): Promise<SearchOutcome> {
    const terms = queryTerms(query);
    const { hits, total } = this.#index.search(terms, limit);
    if (hits.length === 0) {
      const suggestions = [...new Set(terms.flatMap((term) => this.#index.closestTerms(term, SUGGESTIONS)))].slice(0, SUGGESTIONS);
      return { query, terms, hits: [], total: 0, suggestions };
    }
    const views = hits.map((hit) => this.#hitView(hit.doc, hit.matched));
    return { query, terms, hits: views, total, suggestions: [] };
  }

  #enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(job);
    this.#queue = run.catch((error: unknown) => {
      this.#logger.error({ event: 'search.index_failed', err: error }, 'search indexing failed');
    });
    return this.#queue;
  }

  #remove(entry: ReportEntry): void {
    this.#index.remove(entry.slug);
    this.#files.delete(entry.slug);
    this.#dirty = true;
  }

  #isCurrent(entry: ReportEntry): boolean {
    const known = this.#files.get(entry.slug);
    return known !== undefined && sameVersion(known, entry);
  }

  /**
   * Loads the saved index, then drops from it every report that is gone or has changed since
   * (those still in the folder are indexed again by the caller).
   */
  async #readCache(entries: readonly ReportEntry[]): Promise<void> {
    if (this.#cacheFile === null) return;
    try {
      const data = deserialize(await readFile(this.#cacheFile)) as Partial<CacheData>;
      if (data.version !== CACHE_VERSION || !data.index || !Array.isArray(data.files)) return;
      this.#index = SearchIndex.fromState(data.index);
      for (const [slug, file] of data.files) this.#files.set(slug, file);
      const current = new Map(entries.map((entry) => [entry.slug, entry]));
      for (const slug of [...this.#files.keys()]) {
        const entry = current.get(slug);
        if (!entry || !this.#isCurrent(entry)) {
          this.#index.remove(slug);
          this.#files.delete(slug);
          this.#dirty = true;
        }
      }
    } catch (error) {
      // No cache yet, or an unreadable one: index from the files (and write a fresh cache).
      this.#index = new SearchIndex();
      this.#files.clear();
      this.#dirty = true;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#logger.warn({ event: 'search.cache_unreadable', file: this.#cacheFile, err: error }, 'search cache ignored');
      }
    }
  }

  #scheduleSave(): void {
    if (this.#cacheFile === null || !this.#dirty || this.#saveTimer || this.#stopping) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      void this.#enqueue(() => this.#writeCache());
    }, CACHE_WRITE_DELAY_MS);
    this.#saveTimer.unref();
  }

  /** Writes the cache next to itself and renames it into place, so a crash never leaves half a file. */
  async #writeCache(): Promise<void> {
    if (this.#cacheFile === null) return;
    this.#dirty = false;
    const temporary = `${this.#cacheFile}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.#cacheFile), { recursive: true });
      const data: CacheData = { version: CACHE_VERSION, index: this.#index.exportState(), files: [...this.#files] };
      await writeFile(temporary, serialize(data));
      await rename(temporary, this.#cacheFile);
    } catch (error) {
      this.#dirty = true;
      this.#logger.warn({ event: 'search.cache_write_failed', file: this.#cacheFile, err: error }, 'search cache not written');
    }
  }

  /**
   * Indexes `entries`: a large set on worker threads (see {@link IndexThreads}) when configured,
   * merged batch by batch in the order given; otherwise, and for whatever the workers hand back,
   * on this thread in slices.
   */
  async #addAll(entries: readonly ReportEntry[]): Promise<void> {
    const { threads, above, batchSize, entry } = this.#threadOptions;
    // Stopped while the cache was being read: start no workers.
    if (this.#stopping) return;
    if (threads <= 0 || entries.length <= above) {
      await this.#addInSlices(entries);
      return;
    }
    const pool = new IndexThreads(entries, { threads, logger: this.#logger, ...(batchSize ? { batchSize } : {}), ...(entry ? { entry } : {}) });
    this.#threads = pool;
    // Queries are cut on this thread: its dictionaries load now, while the workers load theirs and
    // index, not at a reader's first /search (240 ms measured).
    loadSegmenter();
    try {
      for await (const outcome of pool.outcomes()) {
        if (this.#stopping || outcome.kind === 'closed') break;
        if (outcome.kind === 'inThread') await this.#addInSlices(outcome.entries);
        else this.#addBatch(outcome.entries, outcome.batch, outcome.unreadable);
        // A merge holds the loop for a few milliseconds; let commands in before the next one.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#threads = null;
      await pool.close();
      this.lastThreadStats = pool.stats;
      this.#logger.debug({ event: 'search.index_threads_done', ...pool.stats }, 'search index worker threads ended');
    }
  }

  /** Merges a batch a worker indexed: the same index as {@link #addInSlices} over its entries. */
  #addBatch(entries: readonly ReportEntry[], batch: IndexBatch, unreadable: ReadonlyArray<{ file: string; message: string }>): void {
    for (const { file, message } of unreadable) {
      // Gone between the scan and now: the library's next scan reports the removal.
      this.#logger.warn({ event: 'search.unreadable', file, err: { message } }, 'report not indexed');
    }
    this.#index.addBatch(batch);
    const bySlug = new Map(entries.map((entry) => [entry.slug, entry]));
    for (const doc of batch.docs) {
      const entry = bySlug.get(doc.slug)!;
      this.#files.set(entry.slug, { file: entry.file, mtimeMs: entry.mtimeMs, size: entry.size });
    }
    this.#dirty = true;
  }

  /**
   * Indexes `entries` in slices of about `sliceMs`. Each file is read synchronously inside the
   * slice: a report of a few KB comes from the page cache in tens of microseconds that way, while
   * an asynchronous read makes four trips through libuv's thread pool and the event loop (open,
   * stat, read, close), and on a busy machine those waits were a third of the first index.
   */
  async #addInSlices(entries: readonly ReportEntry[]): Promise<void> {
    let sliceStart = Date.now();
    for (const entry of entries) {
      let text: string;
      try {
        text = readFileSync(entry.file, 'utf8');
      } catch (error) {
        // Gone between the scan and now: the library's next scan reports the removal.
        this.#logger.warn({ event: 'search.unreadable', file: entry.file, err: error }, 'report not indexed');
        continue;
      }
      // Counted and posted as jieba yields the words: no per-report map or lists in between.
      this.#index.addEach({ slug: entry.slug, dateStart: entry.dateStart, dateEnd: entry.dateEnd }, (visit) => visitReportTerms(text, visit));
      this.#files.set(entry.slug, { file: entry.file, mtimeMs: entry.mtimeMs, size: entry.size });
      this.#dirty = true;
      if (Date.now() - sliceStart >= this.#sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.#stopping) return;
        sliceStart = Date.now();
      }
    }
  }

  /**
   * The hit as shown: the sentence with the most distinct query words, highlighted (see
   * {@link bestSnippet}), from the report's text as indexed. Texts are kept for the reports shown
   * last (keyed by the indexed file version, so a report indexed again is read again): a common
   * word shows the same newest reports to everyone, and decoding a report's UTF-8 and folding it
   * cost more than the rest of a search. A file is read synchronously: ten files of a few KB from
   * the page cache take about half a millisecond that way, while ten asynchronous reads wait
   * their turn in libuv's thread pool and on the event loop (2 ms median, 20 ms and more at p90 on
   * a busy machine).
   */
  #hitView(doc: { slug: string; dateStart: string; dateEnd: string }, matched: string[]): SearchHit {
    const base = { slug: doc.slug, dateStart: doc.dateStart, dateEnd: doc.dateEnd };
    const source = this.#snippetSource(doc.slug);
    if (!source) return { ...base, snippet: '', highlights: [] };
    const snippet = bestSnippet(source, matched);
    return { ...base, snippet: snippet.text, highlights: snippet.highlights };
  }

  /** The indexed version of a report's text, ready for snippets; null when it cannot be read. */
  #snippetSource(slug: string): SnippetSource | null {
    const indexed = this.#files.get(slug);
    if (!indexed) return null;
    const cached = this.#sources.get(slug);
    if (cached && sameVersion(cached.version, indexed)) return cached.source;
    try {
      const source = snippetSource(readFileSync(indexed.file, 'utf8'));
      this.#sources.set(slug, { version: indexed, source });
      return source;
    } catch {
      return null;
    }
  }
}

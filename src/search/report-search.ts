import { readFile } from 'node:fs/promises';
import { silentLogger, type Logger } from '../log.ts';
import type { LibraryChange, ReportEntry } from '../report/library.ts';
import { clipAround, findHighlights } from './highlight.ts';
import { reportSentences } from './report-text.ts';
import { countTerms, SearchIndex } from './search-index.ts';
import { foldText, indexTerms, queryTerms } from './tokenize.ts';
import type { ReportSearcher, SearchHit, SearchOutcome } from './types.ts';

/** The parts of ReportLibrary the search follows. */
export interface SearchableLibrary {
  entries(): readonly ReportEntry[];
  watch(onChange: (change: LibraryChange) => void, options?: { intervalMs?: number }): () => void;
}

export interface ReportSearchOptions {
  logger?: Logger;
  /** How long one slice of indexing may hold the event loop before yielding (default 15 ms). */
  sliceMs?: number;
}

const DEFAULT_LIMIT = 10;
const SNIPPET_CHARS = 160;
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
  readonly #index = new SearchIndex();
  /** File of each indexed slug, for snippets. */
  readonly #files = new Map<string, string>();
  #stopWatching: (() => void) | null = null;
  #queue: Promise<void> = Promise.resolve();

  constructor(library: SearchableLibrary, options: ReportSearchOptions = {}) {
    this.#library = library;
    this.#logger = options.logger ?? silentLogger();
    this.#sliceMs = options.sliceMs ?? 15;
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
    this.#stopWatching ??= this.#library.watch((change) => {
      this.#enqueue(async () => {
        for (const entry of change.removed) this.#remove(entry);
        await this.#addAll([...change.added, ...change.changed]);
      });
    });
    return this.#enqueue(() => this.#addAll(this.#library.entries()));
  }

  stop(): void {
    this.#stopWatching?.();
    this.#stopWatching = null;
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
    const views = await Promise.all(hits.map((hit) => this.#hitView(hit.doc, hit.matched)));
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
  }

  async #addAll(entries: readonly ReportEntry[]): Promise<void> {
    let sliceStart = Date.now();
    for (const entry of entries) {
      let text: string;
      try {
        text = await readFile(entry.file, 'utf8');
      } catch (error) {
        // Gone between the scan and now: the library's next scan reports the removal.
        this.#logger.warn({ event: 'search.unreadable', file: entry.file, err: error }, 'report not indexed');
        continue;
      }
      const terms = countTerms(indexTerms(reportSentences(text).join('\n')));
      this.#index.add({ slug: entry.slug, dateStart: entry.dateStart, dateEnd: entry.dateEnd }, terms);
      this.#files.set(entry.slug, entry.file);
      if (Date.now() - sliceStart >= this.#sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = Date.now();
      }
    }
  }

  /** The hit as shown: the sentence with the most distinct query words (earliest among equals), highlighted. */
  async #hitView(doc: { slug: string; dateStart: string; dateEnd: string }, matched: string[]): Promise<SearchHit> {
    const base = { slug: doc.slug, dateStart: doc.dateStart, dateEnd: doc.dateEnd };
    const file = this.#files.get(doc.slug);
    let sentences: string[] = [];
    try {
      // Only lines holding a query word are cut into sentences: a snippet costs a read and a scan.
      if (file) {
        const lines = (await readFile(file, 'utf8')).split('\n');
        const holding = lines.filter((line) => {
          const folded = foldText(line);
          return matched.some((term) => folded.includes(term));
        });
        sentences = reportSentences(holding.join('\n'));
      }
    } catch {
      sentences = [];
    }
    let best: { text: string; highlights: Array<[number, number]>; found: number } | null = null;
    for (const sentence of sentences) {
      const folded = foldText(sentence);
      const found = matched.filter((term) => folded.includes(term)).length;
      if (found === 0 || (best && found <= best.found)) continue;
      best = { text: sentence, highlights: findHighlights(sentence, matched), found };
      if (found === matched.length) break;
    }
    if (!best) return { ...base, snippet: sentences[0]?.slice(0, SNIPPET_CHARS) ?? '', highlights: [] };
    const clipped = clipAround(best.text, best.highlights, SNIPPET_CHARS);
    return { ...base, snippet: clipped.text, highlights: clipped.highlights };
  }
}

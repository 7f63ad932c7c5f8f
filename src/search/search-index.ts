/**
 * A full-text index over reports: an inverted index from term to (document, count) postings,
 * BM25 ranking, newer reports first among equal scores, and "did you mean" terms for a query
 * that matches nothing.
 *
 * Hand-written rather than a library: MiniSearch 7.2, given the same jieba tokens, builds ten to
 * twenty times slower than jieba segments the text, in one synchronous `addAll` that holds the
 * bot's event loop throughout, and answers slower (bench/search.ts measures both side by side).
 * Postings are flat number arrays (document, count, document, count …), so ten years of reports
 * stay a few tens of MB.
 */

/** What the index knows about a document besides its terms. */
export interface IndexedDoc {
  /** Report slug: the document's identity. */
  slug: string;
  dateStart: string;
  dateEnd: string;
}

/** A document's terms with their counts (term frequencies). */
export type TermCounts = ReadonlyMap<string, number>;

/** One ranked match. */
export interface IndexHit {
  doc: IndexedDoc;
  score: number;
  /** The query terms this document contains. */
  matched: string[];
}

interface DocRecord extends IndexedDoc {
  length: number;
  live: boolean;
}

const K1 = 1.2;
const B = 0.75;
/** Scores closer than this count as equal, so the newer report goes first. */
const SCORE_EPSILON = 1e-9;

/** Counts occurrences: the term frequencies of a list of terms. */
export function countTerms(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/**
 * One term's postings: document number and count, alternating. A typed array once settled (saved
 * to or loaded from the cache file): half the memory of a number array, nothing for the garbage
 * collector to scan, and copied as one block by node:v8 (de)serialize. A term that gains a
 * document goes back to a number array until the next save.
 */
type Postings = number[] | Uint32Array;

/** Everything the index holds, for saving it to a file and loading it back (node:v8 serialize). */
export interface SearchIndexState {
  docs: Array<IndexedDoc & { length: number }>;
  /** Per term: document number (index into `docs`) and count, alternating. */
  postings: Map<string, Postings>;
}

/**
 * Documents indexed elsewhere (a worker thread), as {@link SearchIndex.exportBatch} packs them for
 * {@link SearchIndex.addBatch}: the postings of every term in two flat typed arrays, so the batch
 * crosses threads as two transferred buffers and one list of strings instead of a typed array per
 * term (each one an allocation to clone on the receiving side).
 */
export interface IndexBatch {
  /** In the order they were added; a posting's document number is its place here. */
  docs: Array<IndexedDoc & { length: number }>;
  /** Distinct terms, in order of first occurrence. */
  terms: string[];
  /** Where each term's postings end in `postings` (they start where the previous term's end). */
  ends: Uint32Array;
  /** Per term in turn: document number and count, alternating. */
  postings: Uint32Array;
}

export class SearchIndex {
  readonly #docs: DocRecord[] = [];
  readonly #bySlug = new Map<string, number>();
  readonly #postings = new Map<string, Postings>();
  #liveCount = 0;
  #totalLength = 0;
  /** Postings of removed documents, dropped once they are a large share of the index. */
  #dead = 0;
  /** Scratch space of search(): each document's score and which query terms it holds; zero between searches. */
  #scores = new Float64Array(0);
  #masks = new Uint32Array(0);
  /** Buffers {@link addBatch} allocated with room to grow: the term whose postings view one owns it alone. */
  readonly #roomy = new WeakSet<ArrayBufferLike>();

  /** An index holding `state` as exported by {@link exportState}. */
  static fromState(state: SearchIndexState): SearchIndex {
    const index = new SearchIndex();
    for (const [id, doc] of state.docs.entries()) {
      index.#docs.push({ slug: doc.slug, dateStart: doc.dateStart, dateEnd: doc.dateEnd, length: doc.length, live: true });
      index.#bySlug.set(doc.slug, id);
      index.#totalLength += doc.length;
    }
    index.#liveCount = state.docs.length;
    for (const [term, list] of state.postings) index.#postings.set(term, list);
    return index;
  }

  /**
   * The live documents and their postings (removed ones compacted away first), every list
   * settled into a typed array (kept by the index too). Shares the arrays: serialize it at once.
   */
  exportState(): SearchIndexState {
    if (this.#dead > 0) this.#compact();
    for (const [term, list] of this.#postings) {
      if (!(list instanceof Uint32Array)) this.#postings.set(term, Uint32Array.from(list));
    }
    return {
      docs: this.#docs.map(({ slug, dateStart, dateEnd, length }) => ({ slug, dateStart, dateEnd, length })),
      postings: this.#postings,
    };
  }

  /**
   * This index packed as an {@link IndexBatch} (a worker's partial index of a batch of reports).
   * Meant for an index that only ever had documents added: removed ones are compacted away first.
   */
  exportBatch(): IndexBatch {
    if (this.#dead > 0) this.#compact();
    let total = 0;
    for (const list of this.#postings.values()) total += list.length;
    const terms: string[] = [];
    const ends = new Uint32Array(this.#postings.size);
    const postings = new Uint32Array(total);
    let end = 0;
    for (const [term, list] of this.#postings) {
      postings.set(list, end);
      end += list.length;
      ends[terms.length] = end;
      terms.push(term);
    }
    return { docs: this.#docs.map(({ slug, dateStart, dateEnd, length }) => ({ slug, dateStart, dateEnd, length })), terms, ends, postings };
  }

  /**
   * Adds a batch of documents indexed elsewhere, replacing earlier documents with the same slugs:
   * the same index as {@link addEach} over the batch's documents in order (document numbers
   * continue from this index's, postings appended in the same order, new terms in order of first
   * occurrence), with one map lookup per distinct term of the batch rather than per occurrence.
   * Takes `batch.postings` over: a new term's postings become a view of it.
   */
  addBatch(batch: IndexBatch): void {
    for (const doc of batch.docs) this.remove(doc.slug);
    // After the removals: one of them may have compacted the documents.
    const offset = this.#docs.length;
    const data = batch.postings;
    if (offset > 0) for (let i = 0; i < data.length; i += 2) data[i]! += offset;
    const postings = this.#postings;
    let start = 0;
    for (let t = 0; t < batch.terms.length; t++) {
      const term = batch.terms[t]!;
      const end = batch.ends[t]!;
      const list = postings.get(term);
      if (list === undefined) postings.set(term, data.subarray(start, end));
      else postings.set(term, this.#append(list, data.subarray(start, end)));
      start = end;
    }
    for (const doc of batch.docs) {
      this.#bySlug.set(doc.slug, this.#docs.length);
      this.#docs.push({ slug: doc.slug, dateStart: doc.dateStart, dateEnd: doc.dateEnd, length: doc.length, live: true });
      this.#liveCount += 1;
      this.#totalLength += doc.length;
    }
  }

  /**
   * `list` followed by `more`, as a typed array: a view of a buffer with room to spare, which the
   * next batch's postings of the term fill in place until it is full, then one half as large again.
   * Copying both into an exact-size array at every batch was quadratic in a common term's
   * postings (a third of the merges' time), and pushing onto number arrays gave the garbage collector
   * millions of elements to move.
   */
  #append(list: Postings, more: Uint32Array): Uint32Array {
    const length = list.length + more.length;
    if (list instanceof Uint32Array && this.#roomy.has(list.buffer) && list.buffer.byteLength >= length * 4) {
      const grown = new Uint32Array(list.buffer, 0, length);
      grown.set(more, list.length);
      return grown;
    }
    const buffer = new ArrayBuffer(Math.ceil(length * 1.5 + 16) * 4);
    this.#roomy.add(buffer);
    const grown = new Uint32Array(buffer, 0, length);
    grown.set(list);
    grown.set(more, list.length);
    return grown;
  }

  /** Documents indexed. */
  get size(): number {
    return this.#liveCount;
  }

  has(slug: string): boolean {
    return this.#bySlug.has(slug);
  }

  /** Adds a document, replacing any earlier one with the same slug. */
  add(doc: IndexedDoc, terms: TermCounts): void {
    this.addTerms(doc, [...terms.keys()], [...terms.values()]);
  }

  /** Adds a document from parallel lists of distinct terms and their counts (the cache's shape). */
  addTerms(doc: IndexedDoc, names: readonly string[], counts: readonly number[]): void {
    this.remove(doc.slug);
    const id = this.#docs.length;
    let length = 0;
    for (let i = 0; i < names.length; i++) {
      const term = names[i]!;
      const count = counts[i] ?? 1;
      let list = this.#postings.get(term);
      if (!(list instanceof Array)) {
        list = list ? Array.from(list) : [];
        this.#postings.set(term, list);
      }
      list.push(id, count);
      length += count;
    }
    this.#docs.push({ slug: doc.slug, dateStart: doc.dateStart, dateEnd: doc.dateEnd, length, live: true });
    this.#bySlug.set(doc.slug, id);
    this.#liveCount += 1;
    this.#totalLength += length;
  }

  /**
   * Adds a document from its terms as they come, repeats included (`forEachTerm` calls `visit`
   * once per occurrence): the same index as {@link addTerms} given the distinct terms in order of
   * first occurrence and their counts, with one map lookup per occurrence and no per-document
   * map. A term's newest posting is this document's while it is being added, so a repeat only
   * bumps the last count.
   */
  addEach(doc: IndexedDoc, forEachTerm: (visit: (term: string) => void) => void): void {
    this.remove(doc.slug);
    const id = this.#docs.length;
    const postings = this.#postings;
    let length = 0;
    forEachTerm((term) => {
      length += 1;
      let list = postings.get(term);
      if (!(list instanceof Array)) {
        list = list ? Array.from(list) : [];
        postings.set(term, list);
      } else if (list[list.length - 2] === id) {
        list[list.length - 1]! += 1;
        return;
      }
      list.push(id, 1);
    });
    this.#docs.push({ slug: doc.slug, dateStart: doc.dateStart, dateEnd: doc.dateEnd, length, live: true });
    this.#bySlug.set(doc.slug, id);
    this.#liveCount += 1;
    this.#totalLength += length;
  }

  /** Removes a document; its postings are skipped, then compacted away when they pile up. */
  remove(slug: string): void {
    const id = this.#bySlug.get(slug);
    if (id === undefined) return;
    const doc = this.#docs[id]!;
    doc.live = false;
    this.#bySlug.delete(slug);
    this.#liveCount -= 1;
    this.#totalLength -= doc.length;
    this.#dead += 1;
    if (this.#dead > 64 && this.#dead > this.#liveCount) this.#compact();
  }

  /**
   * The documents matching any of `terms` (already folded and segmented), best first: BM25 summed
   * over the matched terms, scaled by the share of query terms matched (a document with every
   * word beats one with some); equal scores go newest first. At most `limit`.
   */
  search(terms: readonly string[], limit: number): { hits: IndexHit[]; total: number } {
    const n = this.#liveCount;
    if (n === 0 || terms.length === 0) return { hits: [], total: 0 };
    // Typed arrays per document number instead of an object per match: a word found in every
    // report of ten years costs no allocation per report. Kept from one search to the next (and
    // zeroed where touched): fresh ones are allocated outside the heap and, at a search per
    // command, bring on garbage collections of their own.
    const avgLength = this.#totalLength / n || 1;
    const used = terms.slice(0, 32);
    if (this.#scores.length < this.#docs.length) {
      this.#scores = new Float64Array(this.#docs.length * 2);
      this.#masks = new Uint32Array(this.#docs.length * 2);
    }
    const scores = this.#scores;
    const masks = this.#masks;
    const touched: number[] = [];
    try {
      const docs = this.#docs;
      // No removed document waiting to be compacted away: every posting counts, none is checked.
      const allLive = this.#dead === 0;
      for (let t = 0; t < used.length; t++) {
        const list = this.#postings.get(used[t]!);
        if (!list) continue;
        let df = list.length / 2;
        if (!allLive) {
          df = 0;
          for (let i = 0; i < list.length; i += 2) if (docs[list[i]!]!.live) df += 1;
        }
        if (df === 0) continue;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        const bit = 1 << t;
        for (let i = 0; i < list.length; i += 2) {
          const id = list[i]!;
          const doc = docs[id]!;
          if (!allLive && !doc.live) continue;
          const tf = list[i + 1]!;
          if (masks[id] === 0) touched.push(id);
          scores[id]! += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / avgLength));
          masks[id]! |= bit;
        }
      }
      const bits = (mask: number): number => {
        let count = 0;
        for (let m = mask; m !== 0; m &= m - 1) count += 1;
        return count;
      };
      for (const id of touched) {
        const coverage = bits(masks[id]!) / used.length;
        scores[id]! *= coverage * coverage;
      }
      const before = (a: number, b: number): number => {
        const gap = scores[b]! - scores[a]!;
        if (Math.abs(gap) > SCORE_EPSILON) return gap;
        const da = this.#docs[a]!;
        const db = this.#docs[b]!;
        if (da.dateEnd !== db.dateEnd) return da.dateEnd < db.dateEnd ? 1 : -1;
        return da.dateStart < db.dateStart ? 1 : da.dateStart > db.dateStart ? -1 : 0;
      };
      const hits = topK(touched, Math.max(0, limit), before).map((id) => {
        const doc = this.#docs[id]!;
        return {
          doc: { slug: doc.slug, dateStart: doc.dateStart, dateEnd: doc.dateEnd },
          score: scores[id]!,
          matched: used.filter((_, t) => (masks[id]! & (1 << t)) !== 0),
        };
      });
      return { hits, total: touched.length };
    } finally {
      for (const id of touched) {
        scores[id] = 0;
        masks[id] = 0;
      }
    }
  }

  /**
   * Indexed terms closest to `term`: within a small edit distance (1 for short terms, 2 for
   * longer ones) or sharing a prefix of at least two characters, the closest and most widespread
   * first. For "no match — did you mean …".
   */
  closestTerms(term: string, limit: number): string[] {
    const chars = [...term];
    // A single character (or digit) is close to far too much to suggest anything useful.
    if (chars.length < 2) return [];
    const maxDistance = chars.length <= 4 ? 1 : 2;
    const candidates: { term: string; distance: number; df: number }[] = [];
    for (const [candidate, list] of this.#postings) {
      // Cheap tests first: this runs over every indexed term.
      const lengthGap = Math.abs(candidate.length - term.length);
      const prefix = candidate.startsWith(term) || (candidate.length >= 2 && term.startsWith(candidate));
      if ((!prefix && lengthGap > maxDistance) || candidate === term || isOneCharacter(candidate)) continue;
      const distance = prefix ? Math.min(lengthGap, maxDistance + 1) : editDistance(term, candidate, maxDistance);
      if (distance > maxDistance + 1 || (!prefix && distance > maxDistance)) continue;
      let df = 0;
      for (let i = 0; i < list.length; i += 2) if (this.#docs[list[i]!]!.live) df += 1;
      if (df > 0) candidates.push({ term: candidate, distance, df });
    }
    candidates.sort((a, b) => a.distance - b.distance || b.df - a.df || (a.term < b.term ? -1 : 1));
    return candidates.slice(0, limit).map((c) => c.term);
  }

  #compact(): void {
    const live = this.#docs.filter((d) => d.live);
    const remap = new Map<number, number>();
    this.#docs.forEach((d, old) => {
      if (d.live) remap.set(old, remap.size);
    });
    for (const [term, list] of this.#postings) {
      const kept: number[] = [];
      for (let i = 0; i < list.length; i += 2) {
        const next = remap.get(list[i]!);
        if (next !== undefined) kept.push(next, list[i + 1]!);
      }
      if (kept.length === 0) this.#postings.delete(term);
      else this.#postings.set(term, kept);
    }
    this.#docs.length = 0;
    this.#docs.push(...live);
    this.#bySlug.clear();
    live.forEach((d, id) => this.#bySlug.set(d.slug, id));
    this.#dead = 0;
  }
}

/**
 * The first `k` of `items` in `compare`'s order, in that order: one comparison for most items
 * rather than sorting them all (a common word matches every report of ten years; 10 are shown).
 */
function topK(items: readonly number[], k: number, compare: (a: number, b: number) => number): number[] {
  if (items.length <= k * 8) return [...items].sort(compare).slice(0, k);
  const top: number[] = [];
  for (const item of items) {
    if (top.length === k && compare(item, top[k - 1]!) >= 0) continue;
    let low = 0;
    let high = top.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compare(item, top[mid]!) < 0) high = mid;
      else low = mid + 1;
    }
    top.splice(low, 0, item);
    if (top.length > k) top.pop();
  }
  return top;
}

/** Whether `text` is a single character (one UTF-16 unit or one surrogate pair), or empty. */
function isOneCharacter(text: string): boolean {
  return text.length < 2 || (text.length === 2 && (text.codePointAt(0) ?? 0) > 0xffff);
}

/** Levenshtein distance of two strings (by UTF-16 unit), giving up above `max` (returns max + 1). */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

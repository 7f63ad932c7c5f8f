import type { IndexBatch, IndexedDoc } from './search-index.ts';

/**
 * Builds an {@link IndexBatch} (a worker thread's partial index) straight from each report's
 * terms as they come: the same batch as `SearchIndex.addEach` over the reports followed by
 * `exportBatch`, without a growing number array per term in between.
 *
 * Why not the index itself: growing a few thousand number arrays to millions of elements cost as
 * much CPU as jieba's segmenting (most of it the garbage collector moving them), and a batch is
 * packed flat at the end anyway. Here a report's terms are counted in a typed array by term number,
 * its distinct terms appended as (term, document, count) to one flat typed array, and
 * {@link finish} groups those by term with one counting sort, keeping document order.
 *
 * Reports' slugs must differ within a batch (a library's do): unlike the index, the builder does
 * not replace a document.
 */
export class IndexBatchBuilder {
  readonly #termNumbers = new Map<string, number>();
  readonly #terms: string[] = [];
  readonly #docs: Array<IndexedDoc & { length: number }> = [];
  readonly #slugs = new Set<string>();
  /** Per term number: its count in the report being added; zero between reports. */
  #counts = new Uint32Array(4096);
  /** Term numbers the report being added holds, in order of first occurrence. */
  #seen = new Uint32Array(4096);
  /** (term, document, count) per distinct term of each report, reports in order. */
  #triples = new Uint32Array(3 * 65536);
  #triplesLength = 0;

  /** Documents added. */
  get size(): number {
    return this.#docs.length;
  }

  /** Adds a report from its terms as they come, repeats included (`forEachTerm` calls `visit` once per occurrence). */
  add(doc: IndexedDoc, forEachTerm: (visit: (term: string) => void) => void): void {
    if (this.#slugs.has(doc.slug)) throw new Error(`IndexBatchBuilder: ${doc.slug} is already in this batch`);
    this.#slugs.add(doc.slug);
    const termNumbers = this.#termNumbers;
    const terms = this.#terms;
    let counts = this.#counts;
    let seen = this.#seen;
    let seenLength = 0;
    let length = 0;
    forEachTerm((term) => {
      length += 1;
      let number = termNumbers.get(term);
      if (number === undefined) {
        number = terms.length;
        termNumbers.set(term, number);
        terms.push(term);
        if (number >= counts.length) counts = this.#counts = grown(counts, number + 1);
      }
      const count = counts[number]!;
      counts[number] = count + 1;
      if (count === 0) {
        if (seenLength >= seen.length) seen = this.#seen = grown(seen, seenLength + 1);
        seen[seenLength++] = number;
      }
    });
    const document = this.#docs.length;
    if (this.#triplesLength + 3 * seenLength > this.#triples.length) this.#triples = grown(this.#triples, this.#triplesLength + 3 * seenLength);
    const triples = this.#triples;
    let at = this.#triplesLength;
    for (let i = 0; i < seenLength; i++) {
      const number = seen[i]!;
      triples[at++] = number;
      triples[at++] = document;
      triples[at++] = counts[number]!;
      counts[number] = 0;
    }
    this.#triplesLength = at;
    this.#docs.push({ slug: doc.slug, dateStart: doc.dateStart, dateEnd: doc.dateEnd, length });
  }

  /** The batch: terms in order of first occurrence, each one's postings in document order. */
  finish(): IndexBatch {
    const termCount = this.#terms.length;
    const triples = this.#triples;
    const used = this.#triplesLength;
    // Counting sort by term: first where each term's postings end, then each posting in its place.
    const ends = new Uint32Array(termCount);
    for (let i = 0; i < used; i += 3) ends[triples[i]!]! += 2;
    let total = 0;
    const next = new Uint32Array(termCount);
    for (let t = 0; t < termCount; t++) {
      next[t] = total;
      total += ends[t]!;
      ends[t] = total;
    }
    const postings = new Uint32Array(total);
    for (let i = 0; i < used; i += 3) {
      const at = next[triples[i]!]!;
      postings[at] = triples[i + 1]!;
      postings[at + 1] = triples[i + 2]!;
      next[triples[i]!] = at + 2;
    }
    return { docs: this.#docs, terms: this.#terms, ends, postings };
  }
}

/** `array`'s contents in a new array of at least `needed` elements (doubling, so appends stay linear). */
function grown(array: Uint32Array, needed: number): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

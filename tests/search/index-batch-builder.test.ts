import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexBatchBuilder } from '../../src/search/index-batch-builder.ts';
import { visitReportTerms } from '../../src/search/report-terms.ts';
import { SearchIndex } from '../../src/search/search-index.ts';

const CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');
const texts = readdirSync(CONTENT_DIR)
  .filter((name) => name.endsWith('.md'))
  .map((name) => readFileSync(path.join(CONTENT_DIR, name), 'utf8'));
const doc = (i: number) => ({ slug: `s${i}`, dateStart: `2025-02-${String(i + 1).padStart(2, '0')}`, dateEnd: `2025-02-${String(i + 1).padStart(2, '0')}` });

describe('IndexBatchBuilder: a worker\'s batch built flat', () => {
  it('is the batch SearchIndex.addEach then exportBatch gives: terms in order of first occurrence, postings in document order, counts and lengths', () => {
    // Reports sharing most words and each with some of its own, repeated words and Latin terms
    // with parts, more of them than the builder's first buffers hold.
    const textOf = (i: number) => `${texts[i % texts.length]!}\n独有词${i} 模型 模型 gpt-5.${i % 4} kv_cache${i % 3}`;
    const index = new SearchIndex();
    const builder = new IndexBatchBuilder();
    for (let i = 0; i < 60; i++) {
      index.addEach(doc(i), (visit) => visitReportTerms(textOf(i), visit));
      builder.add(doc(i), (visit) => visitReportTerms(textOf(i), visit));
    }
    const expected = index.exportBatch();
    const built = builder.finish();
    expect(built.terms).toEqual(expected.terms);
    expect(Array.from(built.ends)).toEqual(Array.from(expected.ends));
    expect(Array.from(built.postings)).toEqual(Array.from(expected.postings));
    expect(built.docs).toEqual(expected.docs);
    expect(builder.size).toBe(60);
    // The counts are counts: 模型 occurs at least twice in each report, in all 60.
    const at = built.terms.indexOf('模型');
    const start = at === 0 ? 0 : built.ends[at - 1]!;
    const postings = Array.from(built.postings.subarray(start, built.ends[at]!));
    expect(postings.filter((_, k) => k % 2 === 0)).toEqual(Array.from({ length: 60 }, (_, k) => k));
    expect(postings.filter((_, k) => k % 2 === 1).every((count) => count >= 2)).toBe(true);
  });

  it('grows past its first buffers (thousands of terms, hundreds of thousands of postings) and stays the same batch', () => {
    // Synthetic terms, no jieba: 300 reports of 1,200 distinct terms each, 9,000 terms in all.
    const termsOf = (i: number) => Array.from({ length: 1200 }, (_, k) => `t${(i * 31 + k) % 9000}`);
    const index = new SearchIndex();
    const builder = new IndexBatchBuilder();
    for (let i = 0; i < 300; i++) {
      const visitAll = (visit: (term: string) => void) => {
        for (const term of termsOf(i)) visit(term);
        visit(`t${i % 9000}`);
      };
      index.addEach(doc(i), visitAll);
      builder.add(doc(i), visitAll);
    }
    const expected = index.exportBatch();
    const built = builder.finish();
    expect(built.terms.length).toBe(9000);
    expect(built.postings.length).toBeGreaterThanOrEqual(300 * 1200 * 2);
    expect(built.terms).toEqual(expected.terms);
    expect(Array.from(built.ends)).toEqual(Array.from(expected.ends));
    expect(Array.from(built.postings)).toEqual(Array.from(expected.postings));
  });

  it('merges into an index as addEach would have built it', () => {
    const one = new SearchIndex();
    const merged = new SearchIndex();
    for (let i = 0; i < 3; i++) {
      one.addEach(doc(i), (visit) => visitReportTerms(texts[i]!, visit));
      merged.addEach(doc(i), (visit) => visitReportTerms(texts[i]!, visit));
    }
    const builder = new IndexBatchBuilder();
    for (let i = 3; i < 8; i++) {
      one.addEach(doc(i), (visit) => visitReportTerms(texts[i % texts.length]!, visit));
      builder.add(doc(i), (visit) => visitReportTerms(texts[i % texts.length]!, visit));
    }
    merged.addBatch(builder.finish());
    for (const terms of [['模型'], ['rlm'], ['claude', 'code'], ['智能体']]) expect(merged.search(terms, 20)).toEqual(one.search(terms, 20));
  });

  it('refuses a slug twice in one batch (the index would replace it; a batch cannot)', () => {
    const builder = new IndexBatchBuilder();
    builder.add(doc(0), (visit) => visit('模型'));
    expect(() => builder.add(doc(0), (visit) => visit('模型'))).toThrow(/s0 is already in this batch/);
  });

  it('builds an empty batch from no reports and keeps a report with no terms', () => {
    expect(new IndexBatchBuilder().finish()).toMatchObject({ docs: [], terms: [] });
    const builder = new IndexBatchBuilder();
    builder.add(doc(0), () => {});
    builder.add(doc(1), (visit) => visit('模型'));
    const batch = builder.finish();
    expect(batch.docs.map((d) => d.length)).toEqual([0, 1]);
    expect(Array.from(batch.postings)).toEqual([1, 1]);
  });
});

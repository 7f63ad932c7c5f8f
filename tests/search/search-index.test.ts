import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { SearchIndex } from '../../src/search/search-index.ts';

const doc = (day: number) => ({ slug: `r${day}`, dateStart: `2026-01-${String(day).padStart(2, '0')}`, dateEnd: `2026-01-${String(day).padStart(2, '0')}` });

describe('SearchIndex postings saved as typed arrays', () => {
  it('after a save and a load, documents added, replaced and removed are found as before', () => {
    const index = new SearchIndex();
    index.add(doc(1), new Map([['模型', 3], ['开源', 1]]));
    index.add(doc(2), new Map([['模型', 1]]));
    const loaded = SearchIndex.fromState(deserialize(serialize(index.exportState())));
    // The export settled the lists: the original index keeps working on them too.
    for (const current of [index, loaded]) {
      current.add(doc(3), new Map([['模型', 2], ['开源', 2]]));
      current.add(doc(2), new Map([['开源', 5]]));
      current.remove('r1');
      const found = current.search(['模型'], 10);
      expect(found.hits.map((h) => h.doc.slug)).toEqual(['r3']);
      expect(current.search(['开源'], 10).hits.map((h) => h.doc.slug)).toEqual(['r2', 'r3']);
      expect(current.size).toBe(2);
    }
  });

  it('the best ten of thousands of matches are the ten a full sort gives, newest first among equals', () => {
    const index = new SearchIndex();
    for (let day = 1; day <= 3000; day++) {
      const date = new Date(Date.UTC(2018, 0, day)).toISOString().slice(0, 10);
      index.add({ slug: `d${day}`, dateStart: date, dateEnd: date }, new Map([['模型', 1 + (day % 7)], ['x', 1 + (day % 3)]]));
    }
    const { hits, total } = index.search(['模型'], 10);
    expect(total).toBe(3000);
    // Most 模型 in the shortest text: day % 7 === 6 and day % 3 === 0, newest first.
    const expected = Array.from({ length: 3000 }, (_, i) => i + 1)
      .filter((day) => day % 7 === 6 && day % 3 === 0)
      .reverse()
      .slice(0, 10)
      .map((day) => `d${day}`);
    expect(hits.map((h) => h.doc.slug)).toEqual(expected);
  });

  it('a search leaves nothing behind for the next: the same hits and scores as on a fresh index', () => {
    const build = (): SearchIndex => {
      const index = new SearchIndex();
      for (let day = 1; day <= 28; day++) index.add(doc(day), new Map([['模型', 1 + (day % 4)], [day % 2 ? '开源' : '闭源', 1 + (day % 5)]]));
      return index;
    };
    const used = build();
    for (const terms of [['模型'], ['开源', '模型'], ['闭源'], ['模型', '闭源', '开源']]) used.search(terms, 5);
    for (const terms of [['模型'], ['开源', '模型'], ['闭源', '开源']]) {
      expect(used.search(terms, 28)).toEqual(build().search(terms, 28));
    }
  });
});

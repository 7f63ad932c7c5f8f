import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findCut, measure, splitText, SPLIT_PREFERENCE } from '../../src/report/text-cut.ts';

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const graphemes = (text: string): string[] =>
  [...segmenter.segment(text)].map((s) => s.segment).filter((g) => g.trim() !== '');

const utf16 = { unit: 'utf16', preference: SPLIT_PREFERENCE } as const;

describe('findCut / splitText', () => {
  it('returns null when the text fits', () => {
    expect(findCut('短', 5, utf16)).toBeNull();
    expect(splitText('短', 5, utf16)).toEqual(['短']);
  });

  it.each<[string, string, number, string[]]>([
    ['prefers a paragraph break', '第一段很长的话。\n第二段，也很长。', 14, ['第一段很长的话。', '第二段，也很长。']],
    ['then a sentence end, closing quote kept', '他说“好的。”然后走了，没有回头看', 10, ['他说“好的。”', '然后走了，没有回头看']],
    ['then a clause', '一二三四五，六七八九十甲乙丙', 10, ['一二三四五，', '六七八九十甲乙丙']],
    ['then a space', 'alpha beta gamma delta', 12, ['alpha beta', 'gamma delta']],
    ['ASCII dot inside a version is no sentence end', 'Use GPT-5.2 now please', 14, ['Use GPT-5.2', 'now please']],
    ['hard cut when nothing else', '一二三四五六七八九十', 4, ['一二三四', '五六七八', '九十']],
  ])('%s', (_, text, max, pieces) => {
    expect(splitText(text, max, utf16)).toEqual(pieces);
  });

  it('counts astral characters as two UTF-16 units but one code point', () => {
    expect(measure('😀a', 'utf16')).toBe(3);
    expect(measure('😀a', 'codepoint')).toBe(2);
    expect(splitText('😀😀😀', 4, utf16)).toEqual(['😀😀', '😀']);
  });

  it('never cuts inside a grapheme and loses nothing but boundary whitespace', () => {
    const pieces = fc.constantFrom('字', '😀', '👨‍👩‍👧', '🇯🇵', 'e\u0301', ' ', '\n', '。', ',', 'a', 'GPT-5.2');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 200 }), fc.integer({ min: 8, max: 60 }), (parts, max) => {
        const text = parts.join('');
        const out = splitText(text, max, utf16);
        for (const piece of out) expect(piece.length).toBeLessThanOrEqual(max);
        // A grapheme cut in two would segment differently piece by piece than in the whole text.
        expect(out.flatMap(graphemes)).toEqual(graphemes(text));
      }),
      { numRuns: 200 },
    );
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.ts';
import { extractTerms } from '../../src/wordcloud/extract-terms.ts';
import { reportPlainText } from '../../src/wordcloud/report-plain-text.ts';
import { segmentTerms } from '../../src/wordcloud/segment-terms.ts';
import { STOP_WORDS } from '../../src/wordcloud/stop-words.ts';
import { loadSeeds } from './seed-reports.ts';

let seeds: Awaited<ReturnType<typeof loadSeeds>>;
beforeAll(async () => {
  seeds = await loadSeeds();
});

const seed = (slug: string) => {
  const found = seeds.find((s) => s.report.slug === slug);
  if (!found) throw new Error(`no seed ${slug}`);
  return found;
};
const termsOf = (slug: string) => {
  const { report, markdown } = seed(slug);
  return extractTerms(report, markdown, 500).map((t) => t.text);
};
const segmentsOf = (slug: string) => segmentTerms(reportPlainText(seed(slug).markdown)).map((t) => t.text);

describe('segmentation on the seed reports', () => {
  it.each([
    ['twitter_ai_20260103_20260103', ['多模态', 'HBM4', '递归语言模型', '开源']],
    ['twitter_ai_20260122_20260122', ['智能体', '开源', 'Claude Code', 'GLM-4.7-Flash', 'KV-cache', 'Khan Academy']],
    ['twitter_ai_20260101_20260101', ['智能体', '大模型', 'GPT-5.2', 'Claude Code', 'Hugging Face']],
    ['twitter_ai_20251227_20251227', ['GLM-4.7', '多模态', 'Claude Code', 'VL-JEPA']],
  ])('%s keeps its terms whole', (slug, expected) => {
    const terms = termsOf(slug);
    for (const term of expected) expect(terms).toContain(term);
  });

  it('keeps 大语言模型 whole where a report uses it', () => {
    const withIt = seeds.filter((s) => s.markdown.includes('大语言模型'));
    expect(withIt.length).toBeGreaterThan(0);
    for (const { markdown } of withIt) {
      const segments = segmentTerms(reportPlainText(markdown)).map((t) => t.text);
      expect(segments).toContain('大语言模型');
      expect(segments).not.toContain('语言模型');
    }
  });

  it('never splits the curated terms into their parts', () => {
    const all = seeds.flatMap((s) => segmentsOf(s.report.slug));
    expect(all).not.toContain('模态');
    const daily = segmentsOf('twitter_ai_20260122_20260122');
    expect(daily).not.toContain('Code');
    expect(daily.filter((t) => t === 'Claude Code').length).toBeGreaterThan(3);
  });

  it('merges a repeated two-word name but not a one-off pair', () => {
    const terms = segmentTerms('Foo Bar发布了。Foo Bar很好。Alpha Beta只出现一次。').map((t) => t.text);
    expect(terms).toContain('Foo Bar');
    expect(terms).not.toContain('Alpha Beta');
    expect(terms).toEqual(expect.arrayContaining(['Alpha', 'Beta']));
  });
});

describe('extractTerms', () => {
  it('drops stop words, bare numbers, single characters and markup on every seed', () => {
    for (const { report, markdown } of seeds) {
      const terms = extractTerms(report, markdown, 200);
      expect(terms.length).toBeGreaterThan(50);
      for (const { text } of terms) {
        expect(STOP_WORDS.has(text.toLowerCase()), text).toBe(false);
        expect(text, 'number alone').not.toMatch(/^[\d.,\-+%]+[kmbt]?$/i);
        expect([...text].length, 'single character').toBeGreaterThan(1);
        expect(text).not.toMatch(/[*#[\]()!`]|词云|jpg/);
      }
    }
  });

  it('is sorted by weight and deterministic', () => {
    const { report, markdown } = seed('twitter_ai_20260122_20260122');
    const a = extractTerms(report, markdown);
    expect(a).toEqual(extractTerms(report, markdown));
    for (let i = 1; i < a.length; i++) expect(a[i - 1]!.weight).toBeGreaterThanOrEqual(a[i]!.weight);
    expect(a.length).toBeLessThanOrEqual(80);
  });

  it('counts the headline and core points more than the body', () => {
    // A headline of stop words only, so the body's counts decide until a point boosts a term.
    const markdown = '# 报告\n\n芯片很热。芯片很贵。光刻机很少。\n';
    const base: Report = {
      slug: 's', file: '/x/s.md', dateStart: '2026-01-01', dateEnd: '2026-01-01', publishedAt: null,
      headline: '报告', overview: '', points: [], image: null, warnings: [], contentHash: 'h',
    };
    const plain = extractTerms(base, markdown);
    expect(plain[0]?.text).toBe('芯片');
    const boosted = extractTerms({ ...base, points: [{ title: '光刻机突破', detail: '' }] }, markdown);
    expect(boosted[0]?.text).toBe('光刻机');
  });
});

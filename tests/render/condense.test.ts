import { describe, expect, it } from 'vitest';
import { condenseReport, fillReportUrl, shortenText } from '../../src/report/condense.ts';
import type { Report } from '../../src/report/types.ts';

const codepoints = (text: string): number => Array.from(text).length;

describe('shortenText', () => {
  it.each<[string, string, number, string]>([
    ['fits unchanged', '短文本。', 10, '短文本。'],
    ['cuts at the last Chinese full stop', '第一句话说完了。第二句话还没有说完而且很长很长很长', 14, '第一句话说完了…'],
    ['cuts at a Chinese comma', '开发者工作模式正从手写代码转向AI监管，生产力提升数十倍之多', 24, '开发者工作模式正从手写代码转向AI监管…'],
    ['cuts at a semicolon', '甲方观点如下；乙方观点相反并且非常非常长', 12, '甲方观点如下…'],
    ['ASCII sentence before a space', 'The model shipped today. It is faster than before.', 30, 'The model shipped today…'],
    ['keeps GPT-5.2 whole', '新模型GPT-5.2在多项基准测试中全面领先其他模型', 8, '新模型…'],
    ['does not treat 1,000 as a clause end', 'Sold 1,000,000 units in the first week', 14, 'Sold…'],
  ])('%s', (_, input, max, expected) => {
    const result = shortenText(input, max);
    expect(result).toBe(expected);
    expect(codepoints(result)).toBeLessThanOrEqual(max);
  });

  it('ignores a boundary too close to the start and cuts at the limit', () => {
    const result = shortenText('好，这是一段没有任何标点符号的很长很长很长很长的文本内容', 20);
    expect(result).toBe('好，这是一段没有任何标点符号的很长很长…');
    expect(codepoints(result)).toBe(20);
  });

  it('never splits an emoji or a ZWJ sequence', () => {
    const family = '👨‍👩‍👧‍👦';
    const text = `${'文'.repeat(8)}${family}${'字'.repeat(10)}`;
    for (let max = 5; max < 20; max += 1) {
      const result = shortenText(text, max);
      expect(result.endsWith('…')).toBe(true);
      expect(result.includes(family) || !result.includes('👨')).toBe(true);
      expect(/[\uD800-\uDBFF]…$/.test(result)).toBe(false);
      expect(codepoints(result)).toBeLessThanOrEqual(max);
    }
  });
});

describe('fillReportUrl', () => {
  it('fills every placeholder from dateStart and the slug', () => {
    expect(
      fillReportUrl('https://x.test/{yyyy}/{mm}/{dd}/{slug}.html?s={dateStart}&e={dateEnd}', {
        slug: 'twitter_ai_20260105_20260111',
        dateStart: '2026-01-05',
        dateEnd: '2026-01-11',
      }),
    ).toBe('https://x.test/2026/01/05/twitter_ai_20260105_20260111.html?s=2026-01-05&e=2026-01-11');
  });
});

function report(overrides: Partial<Report> = {}): Report {
  return {
    slug: 'twitter_ai_20260103_20260103',
    file: '/c/twitter_ai_20260103_20260103.md',
    dateStart: '2026-01-03',
    dateEnd: '2026-01-03',
    publishedAt: '2026-01-03T14:34:15+08:00',
    headline: '人工智能行业Twitter推文分析报告',
    overview: '概述',
    points: [
      { title: '甲', detail: '很长的细节，'.repeat(30) },
      { title: '乙', detail: '' },
    ],
    image: null,
    warnings: [],
    contentHash: 'abc',
    ...overrides,
  };
}

describe('condenseReport', () => {
  const options = { detailMaxChars: 40, reportUrlTemplate: 'https://x.test/{slug}', titlePrefix: 'Twitter AI 报告' };

  it('keeps every point in order and shortens details', () => {
    const digest = condenseReport(report(), options, null);
    expect(digest.points.map((p) => p.title)).toEqual(['甲', '乙']);
    expect(codepoints(digest.points[0]!.detail)).toBeLessThanOrEqual(40);
    expect(digest.points[0]!.detail.endsWith('…')).toBe(true);
    expect(digest.points[1]!.detail).toBe('');
    expect(digest.title).toBe('Twitter AI 报告 · 2026-01-03');
    expect(digest.url).toBe('https://x.test/twitter_ai_20260103_20260103');
    expect(digest.note).toBeNull();
  });

  it('titles a range with 至 and keeps a note', () => {
    const digest = condenseReport(
      report({ dateStart: '2026-01-05', dateEnd: '2026-01-11' }),
      { ...options, reportUrlTemplate: null },
      null,
      '补发：错过了 2026-01-04',
    );
    expect(digest.title).toBe('Twitter AI 报告 · 2026-01-05 至 2026-01-11');
    expect(digest.url).toBeNull();
    expect(digest.note).toBe('补发：错过了 2026-01-04');
  });
});

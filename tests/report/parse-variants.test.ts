import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportParseError } from '../../src/errors.ts';
import { parseReport } from '../../src/report/parse-report.ts';
import { readReport } from '../../src/report/read-report.ts';
import { fixture } from './fixture-path.ts';

const variant = (name: string): string => fixture('variants', name);
const images = fixture('images');

/** A minimal report body with the given core-points heading and list. */
function body(heading: string, list: string): string {
  return `# 标题\n\n${heading}\n\n${list}\n\n## 详细分析部分\n\n- 不是要点\n`;
}
const TEN = Array.from({ length: 10 }, (_, i) => `${i + 1}. **点${i + 1}**：细节${i + 1}`).join('\n');

describe('parseReport tolerates what real files do', () => {
  it('reads CRLF line endings like LF', async () => {
    const report = await readReport(variant('twitter_ai_20260108_20260108.md'));
    expect(readFileSync(variant('twitter_ai_20260108_20260108.md'), 'utf8')).toContain('\r\n');
    expect(report.points).toHaveLength(10);
    expect(report.points[7]?.title).toBe('"AI Slop"现象引发行业反思');
    expect(report.publishedAt).toBe('2026-01-08T14:34:15+08:00');
    expect(report.headline).toBe('人工智能行业Twitter推文分析报告');
    expect(report.overview).not.toContain('\r');
  });

  it('ignores a BOM before the front matter', async () => {
    const report = await readReport(variant('twitter_ai_20260109_20260109.md'));
    expect(report.publishedAt).toBe('2026-01-09T14:34:15+08:00');
    expect(report.points.map((p) => p.title)[0]).toBe('编程工作流程根本性变革');
    expect(report.headline).toBe('人工智能行业Twitter推文分析报告');
  });

  it('keeps the offset of an unquoted YAML timestamp (js-yaml makes it a Date)', async () => {
    const report = await readReport(variant('twitter_ai_20260112_20260112.md'));
    expect(report.publishedAt).toBe('2026-01-12T09:30:00+08:00');
    expect(report.dateStart).toBe('2026-01-12');
  });

  it('takes the dates from an unquoted YAML date when nothing else has one', async () => {
    const report = await readReport(variant('dated-by-front-matter.md'));
    expect([report.dateStart, report.dateEnd]).toEqual(['2026-01-13', '2026-01-13']);
    expect(report.publishedAt).toBeNull(); // a day, not a time
    expect(report.points).toEqual([{ title: '唯一一点', detail: '只有一条。' }]);
    expect(report.warnings).toContain('1 core points instead of 10');
  });

  it('reads a report without front matter, dated by its file name', async () => {
    const report = await readReport(variant('twitter_ai_20260114_20260114.md'));
    expect([report.dateStart, report.dateEnd, report.publishedAt]).toEqual(['2026-01-14', '2026-01-14', null]);
    expect(report.headline).toBe('没有前言的报告');
    expect(report.points[9]).toEqual({ title: '十', detail: 'j' });
    expect(report.warnings).toEqual([]);
  });

  it('dates a report from its "（… 至 …）" line when the name has no date', async () => {
    const report = await readReport(variant('weekly-notes.md'));
    expect(report.slug).toBe('weekly-notes');
    expect([report.dateStart, report.dateEnd]).toEqual(['2026-01-15', '2026-01-17']);
    expect(report.points.map((p) => p.title)).toEqual(['一', '二', '三', '四', '五', '六', '七', '八', '九', '十']);
  });

  it('reads a range report from its file name', async () => {
    const report = await readReport(variant('twitter_ai_20260105_20260111.md'));
    expect([report.slug, report.dateStart, report.dateEnd]).toEqual(['twitter_ai_20260105_20260111', '2026-01-05', '2026-01-11']);
    expect(report.overview).toBe('本周讨论集中在智能体与推理成本。');
  });

  it('folds nested sub-bullets into the detail instead of making points of them', async () => {
    const report = await readReport(variant('twitter_ai_20260118_20260118.md'));
    expect(report.points).toHaveLength(10);
    expect(report.points[0]).toEqual({ title: '带子项的一点', detail: '主体。子项甲；子项乙' });
    expect(report.points[1]).toEqual({ title: '只有子项', detail: '子项丙' });
    expect(report.points.map((p) => p.title)).not.toContain('这不是核心信息');
  });

  it('keeps 9 or 11 points and warns', async () => {
    const nine = await readReport(variant('twitter_ai_20260119_20260119.md'));
    expect(nine.points.map((p) => p.title)).toEqual(['一', '二', '三', '四', '五', '六', '七', '八', '九']);
    expect(nine.warnings).toContain('9 core points instead of 10');
    const eleven = await readReport(variant('twitter_ai_20260120_20260120.md'));
    expect(eleven.points[10]).toEqual({ title: '十一', detail: 'k' });
    expect(eleven.warnings).toContain('11 core points instead of 10');
  });

  it('keeps a missing image path and names the missing file (not a warning); finds the image in imagesDir when it is there', async () => {
    const missing = await readReport(variant('twitter_ai_20260119_20260119.md'), { imagesDir: images });
    expect(missing.image).toBe(variant('wordcloud_missing.jpg'));
    expect(missing.missingImage).toBe('wordcloud_missing.jpg');
    expect(missing.warnings.some((w) => w.includes('image'))).toBe(false);

    const inImagesDir = await readReport(variant('twitter_ai_20260120_20260120.md'), { imagesDir: images });
    expect(inImagesDir.image).toBe(join(images, 'wordcloud_in_images_dir.jpg'));
    expect(inImagesDir.missingImage).toBeNull();

    const withoutImagesDir = await readReport(variant('twitter_ai_20260120_20260120.md'));
    expect(withoutImagesDir.missingImage).toBe('wordcloud_in_images_dir.jpg');
  });

  it('resolves the image relative to the report file', async () => {
    const report = await readReport(variant('twitter_ai_20260121_20260121.md'));
    expect(report.image).toBe(join(images, 'wordcloud_twitter_ai_20260121_20260121.jpg'));
  });

  it('turns markup and entities into plain text', async () => {
    const report = await readReport(variant('twitter_ai_20260121_20260121.md'));
    expect(report.headline).toBe('标记与实体 & code');
    expect(report.overview).toBe('智能体与 推理 成本 <持续> 下降。');
    expect(report.points).toEqual([
      { title: 'R&D 投入', detail: '研发 & 部署并行。' },
      { title: '<think> 标签', detail: '模型输出 <think> 推理过程。' },
      // The text reads plain; the links ride along for the renderers (issue 12: links survive).
      {
        title: '链接标题',
        detail: '见 原文 与 强调。',
        links: [
          { text: '链接标题', url: 'https://example.com/a' },
          { text: '原文', url: 'https://example.com/b' },
        ],
      },
      // CommonMark does not close bold after "）" before a letter; the fallback still splits it.
      { title: '标题（括号）', detail: '后文紧跟' },
      { title: '冒号在内', detail: '细节' },
      { title: '没有加粗', detail: '但有冒号' },
      { title: '嵌套 强调', detail: '删除 文本' },
      { title: '代码 npm i', detail: '运行 npm test' },
      { title: '实体 "引号"', detail: '© 2026' },
      { title: '换行标题', detail: '第二行细节' },
    ]);
    expect(report.warnings).toEqual([]);
  });

  describe('core-points heading variants', () => {
    const headings = [
      '### 核心信息（10个信息点概述）',
      '### 核心信息 (10 个信息点概述)',
      '### 核心信息（10 个信息点概述）',
      '###   核心信息   ',
      '## 核心信息:',
      '## 核心信息：',
      '#### 核心信息(10个信息点概述)',
      '**核心信息**',
    ];
    for (const heading of headings) {
      it(`finds the points under "${heading}"`, () => {
        const report = parseReport(body(heading, TEN), '/reports/twitter_ai_20260110_20260110.md');
        expect(report.points).toHaveLength(10);
        expect(report.points[0]).toEqual({ title: '点1', detail: '细节1' });
        expect(report.points[9]).toEqual({ title: '点10', detail: '细节10' });
        expect(report.warnings).toEqual([]);
      });
    }
  });

  describe('the point count a heading announces', () => {
    const EIGHT = Array.from({ length: 8 }, (_, i) => `${i + 1}. **点${i + 1}**：细节${i + 1}`).join('\n');
    const cases: Array<[string, number]> = [
      ['### 核心信息（10个信息点概述）', 10],
      ['### 核心信息 (8个信息点概述)', 8],
      ['### 核心信息（8 个信息点概述）', 8],
      ['### 核心信息(８个信息点)', 8],
      ['### 核心信息（八个信息点概述）', 8],
      ['### 核心信息（十二个信息点概述）', 12],
      ['### 核心信息', 10],
      ['## 核心信息：', 10],
    ];
    for (const [heading, expected] of cases) {
      it(`"${heading}" expects ${expected}`, () => {
        const report = parseReport(body(heading, EIGHT), '/reports/twitter_ai_20260110_20260110.md');
        expect(report.expectedPoints).toBe(expected);
        const countWarning = report.warnings.filter((w) => w.includes('core points instead of'));
        expect(countWarning).toEqual(expected === 8 ? [] : [`8 core points instead of ${expected}`]);
      });
    }
  });

  it('reads half-width colons, "1)" numbering and title-only points alike', () => {
    const list = ['1) **甲**: 一', '2) **乙**', '3) **丙** — 三'].join('\n');
    const report = parseReport(body('### 核心信息', list), '/r/twitter_ai_20260110.md');
    expect(report.points).toEqual([
      { title: '甲', detail: '一' },
      { title: '乙', detail: '' },
      { title: '丙', detail: '三' },
    ]);
    expect(report.dateStart).toBe('2026-01-10');
  });

  it('a point whose title is only whitespace keeps its detail, with a warning; an empty item is still skipped', () => {
    const list = ['1. **甲**：一', '2. ** **：空格标题的细节', '3. **\u3000**：全角空格标题的细节', '4. **\u00a0**：不换行空格标题的细节', '5. ** **', '6. **乙**：二'].join('\n');
    const report = parseReport(body('### 核心信息', list), '/r/twitter_ai_20260110.md');
    expect(report.points).toEqual([
      { title: '甲', detail: '一' },
      { title: '', detail: '空格标题的细节' },
      { title: '', detail: '全角空格标题的细节' },
      { title: '', detail: '不换行空格标题的细节' },
      { title: '乙', detail: '二' },
    ]);
    expect(report.warnings).toEqual(
      expect.arrayContaining([
        'core point 2 has no title; its detail is kept',
        'core point 3 has no title; its detail is kept',
        'core point 4 has no title; its detail is kept',
        'empty core point skipped (item 5)',
      ]),
    );
  });

  it('makes the file path absolute and hashes the text', () => {
    const report = parseReport(body('### 核心信息', TEN), 'relative/twitter_ai_20260110_20260110.md');
    expect(report.file).toBe(join(process.cwd(), 'relative/twitter_ai_20260110_20260110.md'));
    expect(report.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const changed = parseReport(body('### 核心信息', TEN.replace('细节1', '细节一')), 'relative/twitter_ai_20260110_20260110.md');
    expect(changed.contentHash).not.toBe(report.contentHash);
  });

  it('survives broken YAML front matter with a warning', () => {
    const text = `---\ntitle: [unclosed\n---\n\n${body('### 核心信息', TEN)}`;
    const report = parseReport(text, '/r/twitter_ai_20260110_20260110.md');
    expect(report.headline).toBe('标题');
    expect(report.points).toHaveLength(10);
    expect(report.warnings.some((w) => w.startsWith('front matter is not valid YAML'))).toBe(true);
  });
});

describe('parseReport errors name the file and the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['empty.md', /file is empty/],
    ['blank.md', /file is empty/],
    ['binary.md', /binary/],
    ['twitter_ai_20260130_20260130.md', /no core points section/],
    ['twitter_ai_20260131_20260131.md', /no list items/],
    ['undated-notes.md', /no date/],
    ['twitter_ai_20260230_20260230.md', /no valid date: .*20260230/],
  ];
  for (const [name, reason] of cases) {
    it(`${name} → ReportParseError`, async () => {
      const file = fixture('errors', name);
      const error = await readReport(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReportParseError);
      const parseError = error as ReportParseError;
      expect(parseError.file).toBe(file);
      expect(parseError.reason).toMatch(reason);
      expect(parseError.message).toContain(file);
    });
  }

  it('a missing file or a folder is a ReportParseError, not a crash', async () => {
    const missing = fixture('errors', 'no-such-file.md');
    await expect(readReport(missing)).rejects.toMatchObject({ name: 'ReportParseError', file: missing, reason: 'file does not exist' });
    await expect(readReport(fixture('errors'))).rejects.toMatchObject({ name: 'ReportParseError', reason: 'is a directory, not a file' });
  });

  it('parseReport throws for text that is only front matter', () => {
    expect(() => parseReport('---\ndate: "2026-01-10 08:00:00 +0800"\n---\n', '/r/x.md')).toThrow(ReportParseError);
  });
});

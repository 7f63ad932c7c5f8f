import { describe, expect, it } from 'vitest';
import { generateWordcloud } from '../../src/wordcloud/generate-wordcloud.ts';
import { imageSizeOf } from '../../src/wordcloud/image-size.ts';
import { loadSeeds } from './seed-reports.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('generateWordcloud', () => {
  it('draws every seed as a PNG of the configured size with most top words placed', async () => {
    const seeds = await loadSeeds();
    expect(seeds).toHaveLength(5);
    for (const { report, markdown } of seeds) {
      const { png, placed, words } = await generateWordcloud(report, markdown, { width: 640, height: 360 });
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(imageSizeOf(png)).toEqual({ width: 640, height: 360 });
      const placedTexts = new Set(placed.map((p) => p.text));
      const top = words.slice(0, 20).map((w) => w.text);
      const missing = top.filter((t) => !placedTexts.has(t));
      expect(missing, `${report.slug} left out top terms`).toHaveLength(0);
      expect(placed.length).toBeGreaterThanOrEqual(Math.floor(words.length * 0.8));
      // Heavier terms are drawn at least as large as lighter ones.
      const sizeOf = new Map(placed.map((p) => [p.text, p.size]));
      expect(sizeOf.get(top[0]!)).toBeGreaterThanOrEqual(sizeOf.get(top[10]!)!);
      expect(sizeOf.get(top[0]!)).toBeGreaterThan(sizeOf.get(words[words.length - 1]!.text) ?? 0);
    }
  });

  it('is deterministic for the same report and size', async () => {
    const [{ report, markdown }] = (await loadSeeds()).slice(-1) as [Awaited<ReturnType<typeof loadSeeds>>[number]];
    const a = await generateWordcloud(report, markdown, { width: 400, height: 300 });
    const b = await generateWordcloud(report, markdown, { width: 400, height: 300 });
    expect(b.placed).toEqual(a.placed);
    expect(b.png.equals(a.png)).toBe(true);
  });

  it('fails with a reason when the text has nothing to draw', async () => {
    const [{ report }] = (await loadSeeds()) as [Awaited<ReturnType<typeof loadSeeds>>[number]];
    const empty = { ...report, headline: '报告', points: [] };
    await expect(generateWordcloud(empty, '# 报告\n\n的 了 和 2026 12。\n', { width: 400, height: 300 })).rejects.toThrow(
      /no words/,
    );
  });
});

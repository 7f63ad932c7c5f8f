import { describe, expect, it } from 'vitest';
import { createDigestBuilder, type DigestImages } from '../../src/digest-builder.ts';
import type { DigestImage } from '../../src/report/digest-types.ts';
import type { Report } from '../../src/report/types.ts';
import { loadContentReports } from './command-harness.ts';

const config = {
  digest: { detailMaxChars: 30, reportUrlTemplate: 'https://example.com/{yyyy}/{mm}/{dd}/{slug}.html', titlePrefix: 'Twitter AI 报告' },
};

function imageOf(report: Report): DigestImage {
  return { path: `/cache/${report.slug}.png`, name: `wordcloud_${report.slug}.png`, bytes: 1234, generated: true };
}

/** Images whose drawing finishes only when the test says so. */
function controlledImages(cached: DigestImage | null) {
  const requests: string[] = [];
  let finish: (image: DigestImage | null) => void = () => {};
  const images: DigestImages = {
    imageFor(report) {
      requests.push(report.slug);
      return new Promise((resolve) => (finish = resolve));
    },
    cachedImageFor: () => cached,
  };
  return { images, requests, finish: (image: DigestImage | null) => finish(image) };
}

describe('createDigestBuilder', () => {
  it('condenses with the configured options and passes the note', async () => {
    const report = (await loadContentReports()).find((r) => r.dateStart === '2026-01-03')!;
    const { images } = controlledImages(null);
    const digest = await createDigestBuilder(config, images).forReport(report, { note: '补发' });
    expect(digest.title).toBe('Twitter AI 报告 · 2026-01-03');
    expect(digest.url).toBe('https://example.com/2026/01/03/twitter_ai_20260103_20260103.html');
    expect(digest.note).toBe('补发');
    expect(digest.points).toHaveLength(10);
    for (const point of digest.points) expect([...point.detail].length).toBeLessThanOrEqual(30);
  });

  it('commands do not wait for drawing: no image now, drawing started for next time', async () => {
    const report = (await loadContentReports())[0]!;
    const { images, requests } = controlledImages(null);
    // imageFor never resolves here: if forReport waited, this test would hang and time out.
    const digest = await createDigestBuilder(config, images).forReport(report);
    expect(digest.image).toBeNull();
    expect(digest.note).toBeNull();
    expect(requests).toEqual([report.slug]);
  });

  it('uses a cached image at once and does not draw again', async () => {
    const report = (await loadContentReports())[0]!;
    const { images, requests } = controlledImages(imageOf(report));
    const digest = await createDigestBuilder(config, images).forReport(report);
    expect(digest.image).toEqual(imageOf(report));
    expect(requests).toEqual([]);
  });

  it('the scheduler waits for the image', async () => {
    const report = (await loadContentReports())[0]!;
    const control = controlledImages(null);
    const pending = createDigestBuilder(config, control.images).forReport(report, { waitForImage: true });
    control.finish(imageOf(report));
    expect((await pending).image).toEqual(imageOf(report));
  });

  it('a background drawing that rejects is swallowed', async () => {
    const report = (await loadContentReports())[0]!;
    const images: DigestImages = {
      imageFor: () => Promise.reject(new Error('canvas exploded')),
      cachedImageFor: () => null,
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const digest = await createDigestBuilder(config, images).forReport(report);
      expect(digest.image).toBeNull();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('navigation in digests', () => {
  const dates = { dates: () => ['2026-01-22', '2026-01-03', '2026-01-02', '2026-01-01', '2025-12-27'] };
  const none: DigestImages = { imageFor: async () => null, cachedImageFor: () => null };

  it('command replies ask for it and get the neighbouring dates', async () => {
    const report = (await loadContentReports()).find((r) => r.dateStart === '2026-01-03')!;
    const digest = await createDigestBuilder(config, none, dates).forReport(report, { navigation: true });
    expect(digest.navigation).toEqual({ previous: '2026-01-02', next: '2026-01-22' });
  });

  it('scheduled digests stay clean unless digest.buttonsOnDelivery is set', async () => {
    const report = (await loadContentReports()).find((r) => r.dateStart === '2025-12-27')!;
    const clean = await createDigestBuilder(config, none, dates).forReport(report, { waitForImage: true });
    expect(clean.navigation).toBeUndefined();
    const withButtons = { digest: { ...config.digest, buttonsOnDelivery: true } };
    const buttons = await createDigestBuilder(withButtons, none, dates).forReport(report, { waitForImage: true });
    expect(buttons.navigation).toEqual({ previous: null, next: '2026-01-01' });
  });
});

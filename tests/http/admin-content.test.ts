import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestBuilder, type DigestBuilder } from '../../src/digest-builder.ts';
import { createHttpApp } from '../../src/http/http-server.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

/**
 * The status page on the content folder: a report held as incomplete and a file refused for its
 * size are named on /admin (issue 16 §5, §7); the preview of a bundled report, whose image a word
 * cloud replaces, shows that as a note, not a warning (issue 18 §12).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'admin-token-for-tests-0123456789';
const headers = { authorization: `Bearer ${TOKEN}` };
const SEED = readFileSync(path.join(ROOT, 'content', 'twitter_ai_20260103_20260103.md'), 'utf8');
const config = { digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' } };
/** As the word-cloud service answers for a report without its image: one drawn from the text. */
const drawn: DigestBuilder = createDigestBuilder(config, {
  imageFor: async () => ({ path: path.join(ROOT, 'package.json'), name: 'wordcloud_drawn.png', bytes: 10, generated: true }),
  cachedImageFor: () => null,
});
const noImages: DigestBuilder = createDigestBuilder(config, { imageFor: async () => null, cachedImageFor: () => null });

let dir: string;
let store: SqliteStore;

function app(library: ReportLibrary, digests: DigestBuilder) {
  return createHttpApp({
    health: new ServiceHealth(),
    admin: { token: TOKEN, store, config: { schedule: '0 9 * * *', timezone: 'Asia/Shanghai', discordColor: 0x1d9bf0 }, library, digests, health: new ServiceHealth(), recentFanouts: () => [] },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'admin-content-'));
  store = await SqliteStore.open(':memory:');
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the status page on the content folder', () => {
  it('names the newest report held as incomplete and a file refused for its size, one line each', async () => {
    const content = mkdtempSync(path.join(dir, 'content-'));
    copyFileSync(path.join(ROOT, 'content', 'twitter_ai_20260102_20260102.md'), path.join(content, 'twitter_ai_20260102_20260102.md'));
    writeFileSync(path.join(content, 'twitter_ai_20260103_20260103.md'), SEED.slice(0, SEED.indexOf('\n4. **')));
    const huge = path.join(content, 'twitter_ai_20260104_20260104.md');
    writeFileSync(huge, '');
    truncateSync(huge, 47 * 1024 * 1024);
    const library = await ReportLibrary.open(content, { maxReportBytes: 2 * 1024 * 1024 });
    const page = await (await app(library, noImages).request('/admin', { headers })).text();
    const items = /<ul id="content-problems">([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? '';
    expect(items).toContain('held <b>twitter_ai_20260103_20260103.md</b>: only 3 of 10 core points');
    expect(items).toContain('digest post 2026-01-03 --force');
    expect(items).toContain('refused <b>twitter_ai_20260104_20260104.md</b>: too large to be a report: 47.0 MB, the limit is 2.0 MB (content.maxReportBytes)');
    expect(items.match(/<li>/g)).toHaveLength(2);
  });

  it('says nothing about the bundled reports', async () => {
    const library = await ReportLibrary.open(path.join(ROOT, 'content'), { maxReportBytes: 2 * 1024 * 1024 });
    const page = await (await app(library, noImages).request('/admin', { headers })).text();
    expect(page).not.toContain('content-problems');
  });

  it('previews a bundled report whose image is drawn instead with a note, not a warning', async () => {
    const library = await ReportLibrary.open(path.join(ROOT, 'content'));
    const page = await (await app(library, drawn).request('/admin/preview/2026-01-03', { headers })).text();
    expect(page).toContain('No parse warnings.');
    expect(page).not.toContain('class="warnings"');
    expect(page).toMatch(/<div class="notes"><b>Notes<\/b><ul><li>image wordcloud_twitter_ai_20260103_20260103\.jpg not found: a word cloud is drawn from the text instead<\/li>/);
    const json = (await (await app(library, drawn).request('/admin/preview/2026-01-03/payloads.json', { headers })).json()) as { report: { warnings: string[]; notes: string[] } };
    expect(json.report.warnings).toEqual([]);
    expect(json.report.notes).toHaveLength(1);
  });

  it('keeps it a warning when no word cloud replaces the image (the digest goes without one)', async () => {
    const library = await ReportLibrary.open(path.join(ROOT, 'content'));
    const json = (await (await app(library, noImages).request('/admin/preview/2026-01-03/payloads.json', { headers })).json()) as { report: { warnings: string[]; notes: string[] } };
    expect(json.report.warnings).toEqual(['image wordcloud_twitter_ai_20260103_20260103.jpg not found and word clouds are off: sent without an image']);
    expect(json.report.notes).toEqual([]);
  });
});

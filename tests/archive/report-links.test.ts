import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fullReportUrlTemplate, withArchiveLinks } from '../../src/archive/report-links.ts';
import { loadConfig, secretsOf } from '../../src/config.ts';
import { createDigestBuilder } from '../../src/digest-builder.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { ROOT } from './archive-harness.ts';

const emptyRoot = (): string => mkdtempSync(path.join(tmpdir(), 'archive-config-'));
const NO_IMAGES = { imageFor: async () => null, cachedImageFor: () => null };

describe('full-report links', () => {
  it.each([
    ['template set: the template wins', 'https://src.example/{slug}', 'https://bot.example', true, 'https://src.example/{slug}'],
    ['PUBLIC_URL and no template: the archive page', null, 'https://bot.example', true, 'https://bot.example/reports/{dateStart}'],
    ['archive off: no link', null, 'https://bot.example', false, null],
    ['no PUBLIC_URL: no link', null, null, true, null],
  ])('%s', (_, template, publicUrl, enabled, expected) => {
    expect(fullReportUrlTemplate({ digest: { reportUrlTemplate: template }, archive: { enabled }, http: { publicUrl } })).toBe(expected);
  });

  it('the digest buttons and links of a configured bot point at PUBLIC_URL/reports/<date>', async () => {
    const config = loadConfig({ rootDir: emptyRoot(), env: { PUBLIC_URL: 'https://bot.example.org/', CONTENT_DIR: path.join(ROOT, 'content') } });
    expect(config.archive).toEqual({ enabled: true, pageSize: 30, maxConcurrent: 64, maxConcurrentPerClient: 8, maxWaiting: 256, maxWaitMs: 1000, maxLoopShare: 0.25 });
    expect(config.http.publicUrl).toBe('https://bot.example.org');
    const library = await ReportLibrary.open(config.contentDir);
    const digest = await createDigestBuilder(withArchiveLinks(config), NO_IMAGES).forReport(await library.findByDate('2026-01-03'));
    expect(digest.url).toBe('https://bot.example.org/reports/2026-01-03');
  });

  it('MCP_TOKEN is a secret kept out of logs', () => {
    const config = loadConfig({ rootDir: emptyRoot(), env: { MCP_TOKEN: 'mcp-secret-value' } });
    expect(config.http.mcpToken).toBe('mcp-secret-value');
    expect(secretsOf(config)).toContain('mcp-secret-value');
  });
});

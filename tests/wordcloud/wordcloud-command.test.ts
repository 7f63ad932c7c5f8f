import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { wordcloudCommand } from '../../src/cli/wordcloud-command.ts';
import { readImageSize } from '../../src/wordcloud/image-size.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(path.join(tmpdir(), 'wordcloud-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function io(): CliIo & { out: string[]; err: string[] } {
  const captured = { out: [] as string[], err: [] as string[] };
  return {
    ...captured,
    stdout: (t) => captured.out.push(t),
    stderr: (t) => captured.err.push(t),
    env: {},
    cwd: ROOT,
  };
}

describe('digest wordcloud', () => {
  it('draws a report chosen by date at the requested size and names its top terms', async () => {
    const target = path.join(out, 'day.png');
    const cli = io();
    expect(await wordcloudCommand(['2026-01-03', '-o', target, '--width', '400', '--height', '300'], cli)).toBe(0);
    expect(readImageSize(target)).toEqual({ width: 400, height: 300 });
    const text = cli.out.join('');
    expect(text).toContain(target);
    expect(text).toMatch(/top terms: .*RLM/);
  });

  it('draws a report given as a file, ignoring its missing own image', async () => {
    const target = path.join(out, 'file.png');
    const cli = io();
    const file = path.join('content', 'twitter_ai_20260122_20260122.md');
    expect(await wordcloudCommand([file, '-o', target, '--width', '320', '--height', '240', '--use-existing'], cli)).toBe(0);
    expect(readImageSize(target)).toEqual({ width: 320, height: 240 });
  });

  it('exits 1 with a one-line reason when no report covers the date', async () => {
    const cli = io();
    expect(await wordcloudCommand(['2024-05-05', '-o', path.join(out, 'none.png')], cli)).toBe(1);
    expect(cli.err.join('').trim().split('\n')).toHaveLength(1);
    expect(cli.err.join('')).toMatch(/no report for 2024-05-05/);
  });

  it('exits 1 on a bad option', async () => {
    const cli = io();
    expect(await wordcloudCommand(['--width', 'wide'], cli)).toBe(1);
    expect(cli.err.join('')).toMatch(/--width must be a whole number of pixels/);
  });
});

import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd: ROOT };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

let temp: string;
beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'digest-check-'));
  await copyFile(path.join(ROOT, 'content', 'twitter_ai_20260103_20260103.md'), path.join(temp, 'twitter_ai_20260103_20260103.md'));
  await writeFile(path.join(temp, 'twitter_ai_20260104_20260104.md'), Buffer.from([0xff, 0xfe, 0x00, 0x41]));
  await writeFile(path.join(temp, 'notes.txt'), 'not a report, not checked');
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe('digest check', () => {
  it('passes on content/: one ok line per report file, no warning for the images a word cloud replaces, exit 0', async () => {
    const { code, stdout, stderr } = await run(['check', 'content']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).toMatch(/^ok  (\S+)\.md \(10 points\) · info: image wordcloud_\1\.jpg not found: a word cloud is drawn from the text instead$/);
    }
  });

  it('warns about a missing image only when word clouds are off (the digest goes without a picture)', async () => {
    await writeFile(path.join(temp, 'no-clouds.json'), JSON.stringify({ wordcloud: { enabled: false } }));
    const { code, stdout } = await run(['check', 'content'], { DIGEST_CONFIG: path.join(temp, 'no-clouds.json') });
    expect(code).toBe(0);
    for (const line of stdout.trimEnd().split('\n')) expect(line).toMatch(/^warn \S+\.md: image \S+ not found and word clouds are off/);
  });

  it('names a report with fewer points than its heading announces as held, with the way to send it anyway', async () => {
    const dir = path.join(temp, 'partial');
    await mkdir(dir);
    const seed = await readFile(path.join(ROOT, 'content', 'twitter_ai_20260103_20260103.md'), 'utf8');
    await writeFile(path.join(dir, 'twitter_ai_20260103_20260103.md'), seed.slice(0, seed.indexOf('\n4. **')));
    const { code, stdout } = await run(['check', dir]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'held twitter_ai_20260103_20260103.md: only 3 of 10 core points; not delivered until complete (digest post 2026-01-03 --force sends it as it is)\n',
    );
  });

  it('refuses a report file over content.maxReportBytes in one line without reading it', async () => {
    const dir = path.join(temp, 'huge');
    await mkdir(dir);
    await copyFile(path.join(ROOT, 'content', 'twitter_ai_20260103_20260103.md'), path.join(dir, 'twitter_ai_20260103_20260103.md'));
    // 47 MB, sparse: no disk, and reading it would show in memory.
    const huge = path.join(dir, 'twitter_ai_20260104_20260104.md');
    await writeFile(huge, '');
    await truncate(huge, 47 * 1024 * 1024);
    const { code, stdout } = await run(['check', dir]);
    expect(code).toBe(1);
    expect(stdout.split('\n')[1]).toBe(
      'error twitter_ai_20260104_20260104.md: too large to be a report: 47.0 MB, the limit is 2.0 MB (content.maxReportBytes); not read',
    );
  });

  it('defaults to the configured content folder', async () => {
    const { code, stdout } = await run(['check']);
    expect(code).toBe(0);
    expect(stdout).toContain('twitter_ai_20260122_20260122.md');
  });

  it('exits 1 when a file does not parse, still reporting the others', async () => {
    const { code, stdout } = await run(['check', temp]);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^(ok  |warn )twitter_ai_20260103_20260103\.md/);
    expect(lines[1]).toMatch(/^error twitter_ai_20260104_20260104\.md: .+/);
  });

  it('finds word clouds in the configured imagesDir', async () => {
    const dir = path.join(temp, 'good');
    const images = path.join(temp, 'images');
    await mkdir(dir);
    await mkdir(images);
    await copyFile(path.join(ROOT, 'content', 'twitter_ai_20260103_20260103.md'), path.join(dir, 'twitter_ai_20260103_20260103.md'));
    await writeFile(path.join(images, 'wordcloud_twitter_ai_20260103_20260103.jpg'), Buffer.alloc(10, 1));
    await writeFile(path.join(temp, 'config.json'), JSON.stringify({ imagesDir: images }));
    const without = await run(['check', dir]);
    expect(without.stdout).toMatch(/^ok  twitter_ai_20260103_20260103\.md \(10 points\) · info: image .* not found/);
    const { code, stdout } = await run(['check', dir], { DIGEST_CONFIG: path.join(temp, 'config.json') });
    expect(code).toBe(0);
    expect(stdout).toBe('ok  twitter_ai_20260103_20260103.md (10 points)\n');
  });

  it('exits 1 with a reason for a folder that does not exist', async () => {
    const { code, stderr } = await run(['check', path.join(temp, 'missing')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^digest check: .*missing/);
  });
});

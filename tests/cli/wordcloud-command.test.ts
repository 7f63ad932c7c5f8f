import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { SEED_REPORTS } from './post-helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'digest-wordcloud-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { CONTENT_DIR: SEED_REPORTS }, cwd: root };
  const code = await runCli(['wordcloud', ...argv], io);
  return { code, stdout, stderr };
}

describe('digest wordcloud refuses bad values at once, one line each', () => {
  it.each([
    [['--width', '10', '--height', '10'], '--width must be a whole number of pixels from 200 to 4000 (as wordcloud.width), not "10"'],
    [['--width', '-5'], '--width must be a whole number of pixels from 200 to 4000 (as wordcloud.width), not "-5"'],
    [['--height', '99999'], '--height must be a whole number of pixels from 200 to 4000 (as wordcloud.height), not "99999"'],
    [['--bogus'], 'unknown option --bogus'],
    [['--width'], '--width needs a value'],
    [['-o', 'cloud.gif'], '-o cloud.gif: write a .png, .jpg or .jpeg file'],
    [['missing.md'], 'no such file: missing.md'],
  ])('%j', async (argv, line) => {
    expect(await run(...argv)).toEqual({ code: 1, stdout: '', stderr: `digest wordcloud: ${line}\n` });
  });

  it('-o out.jpg writes a JPEG, -o out.png a PNG', async () => {
    const jpg = await run('-o', 'out.jpg', '--width', '300', '--height', '200');
    expect(jpg.code).toBe(0);
    expect(jpg.stdout).toContain('300×200 JPEG');
    expect([...readFileSync(path.join(root, 'out.jpg')).subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect((await run('-o', 'out.png', '--width', '300', '--height', '200')).code).toBe(0);
    expect(readFileSync(path.join(root, 'out.png')).subarray(1, 4).toString()).toBe('PNG');
  }, 120_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { SEED_REPORTS } from './post-helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'digest-ask-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { CONTENT_DIR: SEED_REPORTS, DATABASE_PATH: path.join(root, 'none.db') },
    cwd: root,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('digest report and digest search answer as /report and /search do', () => {
  it('report DATE prints the digest of that day; a date without one names the nearest', async () => {
    const day = await run('report', '2026-01-22');
    expect(day.code).toBe(0);
    expect(day.stdout.split('\n')[0]).toBe('Twitter AI 报告 · 2026-01-22');
    expect(day.stdout).toMatch(/^1\. /m);
    const missing = await run('report', '1999-01-01');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^digest report: no report for 1999-01-01; nearest: /);
  }, 60_000);

  it('search WORDS prints the best matching days with their sentences', async () => {
    const found = await run('search', 'Claude');
    expect(found.code).toBe(0);
    expect(found.stdout.split('\n')[0]).toMatch(/^"Claude": \d+ reports/);
    expect(found.stdout.split('\n')[1]).toMatch(/^\d{4}-\d{2}-\d{2}.* {2}.*Claude/i);
    expect((await run('search', 'zzqqxxnothing')).stdout).toMatch(/^No report mentions "zzqqxxnothing"\./);
  }, 60_000);
});

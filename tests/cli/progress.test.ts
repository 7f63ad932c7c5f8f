import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { createProgress } from '../../src/cli/progress.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeTelegram } from '../helpers/fake-telegram.ts';
import { postProject, tempRoot } from './post-helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function bufferIo(progress: CliIo['progress']): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: {},
    cwd: ROOT,
    ...(progress ? { progress } : {}),
    out: () => out,
    err: () => err,
  };
}

describe('progress of long work', () => {
  it('without a terminal: plain periodic lines on stderr (done/total, rate, failures, time left), stdout and exit code unchanged', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'check-progress-'));
    const seed = path.join(ROOT, 'content', 'twitter_ai_20260103_20260103.md');
    const { readFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'a.md'), readFileSync(seed, 'utf8'));
    writeFileSync(path.join(dir, 'b.md'), 'not a report');
    writeFileSync(path.join(dir, 'c.md'), readFileSync(seed, 'utf8'));
    const quiet = bufferIo(undefined);
    const expectedCode = await runCli(['check', dir], quiet);
    const io = bufferIo({ isTTY: false, intervalMs: 0 });
    const code = await runCli(['check', dir], io);
    expect(code).toBe(expectedCode);
    expect(code).toBe(1);
    expect(io.out()).toBe(quiet.out());
    expect(quiet.err()).toBe('');
    const lines = io.err().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^digest check: reports 1\/3 \(\d+\.\d\/s, 0 failed, \S+ left\)$/);
    expect(lines[1]).toMatch(/^digest check: reports 2\/3 \(.*, 1 failed, /);
    expect(lines[2]).toMatch(/^digest check: reports 3\/3 \(.*, 1 failed, 0s left\)$/);
  });

  it('on a terminal: live bars per group on the stream, result lines above them, nothing left of the bars at the end', async () => {
    const stream = new PassThrough();
    let drawn = '';
    stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, clearScreenDown: () => true });
    const io = bufferIo({ isTTY: true, stream, stdoutIsTTY: false });
    const progress = createProgress(io, 'digest post', { discord: 2, telegram: 3 });
    progress.tick('telegram', false);
    progress.tick('telegram', true);
    progress.tick('discord', false);
    progress.print('a result line\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    progress.stop();
    expect(io.out()).toBe('a result line\n');
    expect(io.err()).toBe('');
    expect(drawn).toMatch(/digest post telegram \[.*\] 2\/3 · \d+\.\d\/s · 1 failed · \S+ left/);
    expect(drawn).toMatch(/digest post discord  \[.*\] 1\/2 · /);
  });

  it('digest post without a terminal: a line per platform as destinations finish, failures counted, the summary unchanged', async () => {
    const telegram = await startFakeTelegram();
    try {
      for (const id of [-2001, -2002, -2003, -2004]) telegram.addChat({ id, type: 'supergroup', title: `g${id}` });
      const project = postProject(tempRoot('post-progress-'), 'p', { telegram });
      const store = await SqliteStore.open(project.dbPath);
      for (const id of ['-2001', '-2002', '-2003', '-2004']) await store.subscribe({ platform: 'telegram', chatId: id, threadId: null, subscribedBy: 'cli' });
      await store.close();
      let stdout = '';
      let stderr = '';
      const io: CliIo = {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        env: project.env,
        cwd: project.dir,
        progress: { isTTY: false, intervalMs: 0 },
      };
      // -2004 refuses the digest (a 400 is not retried): failed.
      telegram.failNext('sendMessage', { chatId: -2004, status: 400, description: 'Bad Request: message is too long' });
      const code = await runCli(['post'], io);
      expect(code).toBe(1);
      expect(stdout).toBe('telegram: 3 delivered, 0 skipped (already delivered), 0 deactivated, 1 failed\n');
      const lines = stderr.split('\n').filter((l) => l.startsWith('digest post: telegram '));
      expect(lines.map((l) => /telegram (\d+)\/4/.exec(l)?.[1])).toEqual(['1', '2', '3', '4']);
      expect(lines.at(-1)).toMatch(/^digest post: telegram 4\/4 \(\d+\.\d\/s, 1 failed, 0s left\)$/);
    } finally {
      await telegram.close();
    }
  }, 60_000);
});

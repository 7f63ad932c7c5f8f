import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { postProject, tempRoot } from './post-helpers.ts';

let telegram: FakeTelegram;
const root = tempRoot('digest-post-output-');

beforeAll(async () => {
  telegram = await startFakeTelegram();
  for (const id of [-1001, -1002, -1003]) telegram.addChat({ id, type: 'group', title: String(id) });
});
afterAll(async () => {
  await telegram.close();
});

/** -1001 recovers after two 500s, -1002 answers 502 to every try, -1003 refuses with a 400. */
async function failingProject(name: string) {
  const p = postProject(root, name, { telegram }, { logLevel: 'info' });
  const store = await SqliteStore.open(p.dbPath);
  for (const chatId of ['-1001', '-1002', '-1003']) await store.subscribe({ platform: 'telegram', chatId, threadId: null, subscribedBy: 'cli' });
  await store.close();
  telegram.clearFaults();
  for (const method of ['sendPhoto', 'sendMessage']) {
    telegram.failNext(method, { chatId: -1001, times: 2, status: 500 });
    telegram.failNext(method, { chatId: -1002, times: 20, status: 502 });
    telegram.failNext(method, { chatId: -1003, times: 2, status: 400, description: 'Bad Request: wrong file' });
  }
  return p;
}

const withoutProgress = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !/^digest post: telegram \d+\/\d+ \(/.test(line));

describe('digest post output', () => {
  it('each failed destination once with its reason (the destination not repeated), transient failures summarised, no JSON lines', async () => {
    const p = await failingProject('quiet');
    const run = await p.post();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('telegram: 1 delivered, 0 skipped (already delivered), 0 deactivated, 2 failed\n');
    expect(withoutProgress(run.stderr).sort()).toEqual([
      '  1 failed on transient errors after every retry (network, 5xx, timeouts): the next due time or `digest post` tries again; --verbose logs each attempt',
      expect.stringMatching(/^ {2}telegram:-1002: failed: transient: 502 send(Photo|Message): Bad Gateway$/),
      '  telegram:-1003: failed: rejected: 400 sendMessage: Bad Request: wrong file',
    ]);
  }, 120_000);

  it('--verbose logs each attempt as before', async () => {
    const p = await failingProject('verbose');
    const run = await p.post('--verbose');
    expect(run.code).toBe(1);
    const json = withoutProgress(run.stderr).filter((line) => line.startsWith('{'));
    expect(json.some((line) => line.includes('"outcome":"transient"') && line.includes('-1002'))).toBe(true);
  }, 120_000);
});

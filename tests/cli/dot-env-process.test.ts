import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDotEnv } from '../../src/dot-env.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { runCliProcess } from '../helpers/node-process.ts';
import { postProject, tempRoot } from './post-helpers.ts';

let telegram: FakeTelegram;
const root = tempRoot('digest-dot-env-');

beforeAll(async () => {
  telegram = await startFakeTelegram();
  telegram.addChat({ id: -4242, type: 'group', title: 'from .env' });
});
afterAll(async () => {
  await telegram.close();
});

describe('.env for the digest commands', () => {
  it('a digest process reads DATABASE_PATH and the token from .env in its working directory, as npm start does', async () => {
    const p = postProject(root, 'dotenv', { telegram });
    // Everything the commands need comes from the folder's .env; the process gets nothing but PATH/HOME.
    writeFileSync(
      path.join(p.dir, '.env'),
      Object.entries({ ...p.env, DATABASE_PATH: 'from-dot-env.db' })
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
    );
    const add = await runCliProcess(['subs', 'add', 'telegram', '-4242'], {}, { cwd: p.dir });
    expect(add).toMatchObject({ code: 0, stdout: 'added: telegram -4242\n' });
    expect(existsSync(path.join(p.dir, 'from-dot-env.db'))).toBe(true);

    const post = await runCliProcess(['post'], {}, { cwd: p.dir });
    expect(post.stdout).toBe('telegram: 1 delivered, 0 skipped (already delivered), 0 deactivated, 0 failed\n');
    expect(post.code).toBe(0);
    expect(telegram.sent.filter((m) => m.chatId === -4242).length).toBeGreaterThan(0);
  }, 60_000);

  it('variables already in the environment win over .env', () => {
    const dir = tempRoot('digest-dot-env-unit-');
    writeFileSync(path.join(dir, '.env'), 'DATABASE_PATH=from-file.db\nTIMEZONE=Europe/Berlin\n');
    expect(withDotEnv({ DATABASE_PATH: 'given.db' }, dir)).toEqual({ DATABASE_PATH: 'given.db', TIMEZONE: 'Europe/Berlin' });
    expect(withDotEnv({ A: '1' }, root)).toEqual({ A: '1' });
  });
});

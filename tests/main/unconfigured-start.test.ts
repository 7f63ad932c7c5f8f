import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitWithin, ROOT_DIR, startBot } from './bot-process-helpers.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'unconfigured-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm start with no platform token', () => {
  it('says how to configure the bot, previews the newest seed report, exits 0 and creates no database', async () => {
    const configFile = path.join(tmp, 'config.json');
    writeFileSync(configFile, JSON.stringify({ wordcloud: { cacheDir: path.join(tmp, 'wordclouds') } }));
    const databasePath = path.join(tmp, 'data', 'digest.db');
    const bot = startBot({ CONTENT_DIR: path.join(ROOT_DIR, 'content'), DIGEST_CONFIG: configFile, DATABASE_PATH: databasePath });
    const { code } = await exitWithin(bot, 60_000);

    expect(code).toBe(0);
    expect(bot.stdout()).toContain('no platform token is set, so no bot was started');
    expect(bot.stdout()).toContain('TELEGRAM_BOT_TOKEN=');
    // The preview is of the newest report in the seed content (2026-01-22).
    expect(bot.stdout()).toContain('2026-01-22');
    expect(existsSync(databasePath)).toBe(false);
  });
});

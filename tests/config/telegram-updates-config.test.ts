import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';

const root = mkdtempSync(path.join(tmpdir(), 'tg-updates-config-'));
mkdirSync(path.join(root, 'config'));
const SECRET = 'wh_SECRET-0123456789abcdef';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ rootDir: root, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a configuration error');
}

describe('TELEGRAM_UPDATES, PUBLIC_URL, TELEGRAM_WEBHOOK_SECRET', () => {
  it('polls by default', () => {
    expect(loadConfig({ rootDir: root, env: {} }).telegramUpdates).toEqual({ mode: 'polling' });
    expect(loadConfig({ rootDir: root, env: { TELEGRAM_UPDATES: 'polling', PUBLIC_URL: 'https://bot.example.com' } }).telegramUpdates).toEqual({ mode: 'polling' });
  });

  it('webhook mode reads the public URL (trailing slash dropped) and the secret, which is kept out of logs', () => {
    const config = loadConfig({
      rootDir: root,
      env: { TELEGRAM_UPDATES: 'webhook', PUBLIC_URL: 'https://bot.example.com/digest/', TELEGRAM_WEBHOOK_SECRET: SECRET },
    });
    expect(config.telegramUpdates).toEqual({ mode: 'webhook', publicUrl: 'https://bot.example.com/digest', secret: SECRET });
    expect(secretsOf(config)).toContain(SECRET);
  });

  it('webhook mode without the URL or the secret names both', () => {
    const problems = problemsOf({ TELEGRAM_UPDATES: 'webhook' });
    expect(problems.some((p) => p.startsWith('PUBLIC_URL: required with TELEGRAM_UPDATES=webhook'))).toBe(true);
    expect(problems.some((p) => p.startsWith('TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_UPDATES=webhook'))).toBe(true);
  });

  it('an unknown mode is named', () => {
    expect(problemsOf({ TELEGRAM_UPDATES: 'websocket' })).toEqual(['TELEGRAM_UPDATES: must be "polling" (the default) or "webhook", not "websocket"']);
  });

  it.each(['bot.example.com', '/telegram', 'ftp://bot.example.com', 'https://bot.example.com/?a=1', 'https://bot.example.com/#x', 'https://'])(
    'PUBLIC_URL=%s is not an absolute http(s) URL',
    (value) => {
      const problems = problemsOf({ TELEGRAM_UPDATES: 'webhook', PUBLIC_URL: value, TELEGRAM_WEBHOOK_SECRET: SECRET });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^PUBLIC_URL: must be the absolute http\(s\) URL/);
    },
  );

  it.each(['has space', 'slash/in/it', 'ü-umlaut', 'x'.repeat(257), 'dots.are.not.allowed'])('a secret Telegram would refuse is named, without echoing it: %s', (value) => {
    const problems = problemsOf({ TELEGRAM_UPDATES: 'webhook', PUBLIC_URL: 'https://bot.example.com', TELEGRAM_WEBHOOK_SECRET: value });
    expect(problems).toEqual(['TELEGRAM_WEBHOOK_SECRET: must be 1-256 characters of A-Z, a-z, 0-9, _ and - (as Telegram requires)']);
    expect(problems.join('\n')).not.toContain(value);
  });

  it('accepts the longest and the shortest secret Telegram allows', () => {
    for (const secret of ['A', 'a'.repeat(256)]) {
      const config = loadConfig({ rootDir: root, env: { TELEGRAM_UPDATES: 'webhook', PUBLIC_URL: 'http://127.0.0.1:8080', TELEGRAM_WEBHOOK_SECRET: secret } });
      expect(config.telegramUpdates).toMatchObject({ mode: 'webhook', secret });
    }
  });

  it('refuses a plain http:// PUBLIC_URL for webhooks (Telegram does), except on this machine\'s loopback', () => {
    for (const value of ['http://bot.example.com', 'http://10.0.0.5:8080']) {
      expect(problemsOf({ TELEGRAM_UPDATES: 'webhook', PUBLIC_URL: value, TELEGRAM_WEBHOOK_SECRET: SECRET })).toEqual([
        expect.stringMatching(/^PUBLIC_URL: must be https:\/\/ with TELEGRAM_UPDATES=webhook/),
      ]);
    }
    for (const value of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080', 'https://bot.example.com']) {
      expect(loadConfig({ rootDir: root, env: { TELEGRAM_UPDATES: 'webhook', PUBLIC_URL: value, TELEGRAM_WEBHOOK_SECRET: SECRET } }).telegramUpdates.mode).toBe('webhook');
    }
  });
});

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'digest-config-'));
  await mkdir(path.join(root, 'config'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const writeJson = (file: string, value: unknown) => writeFile(path.join(root, file), JSON.stringify(value));

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has sensible defaults with no files at all, paths resolved against the root', () => {
    const config = loadConfig({ rootDir: root, env: {} });
    expect(config.timezone).toBe('Asia/Shanghai');
    expect(config.schedule).toBe('0 9 * * *');
    expect(config.contentDir).toBe(path.join(root, 'content'));
    expect(config.databasePath).toBe(path.join(root, 'data', 'digest.db'));
    expect(config.env).toMatchObject({ discordToken: null, discordGuildId: null, discordApiBase: null, telegramToken: null, telegramApiRoot: null });
    expect(config.env).toMatchObject({ discordInteractions: 'gateway', discordPublicKey: null });
  });

  it('merges default.json, local.json and the environment, environment last', async () => {
    await writeJson('config/default.json', { contentDir: 'posts', digest: { detailMaxChars: 50 }, owners: { telegram: [42] } });
    await writeJson('config/local.json', { digest: { reportUrlTemplate: 'https://x.test/{slug}' } });
    const config = loadConfig({ rootDir: root, env: { CONTENT_DIR: '/srv/_posts', DATABASE_PATH: '/var/db.sqlite', TELEGRAM_BOT_TOKEN: ' 123:abc ' } });
    expect(config.contentDir).toBe('/srv/_posts');
    expect(config.databasePath).toBe('/var/db.sqlite');
    expect(config.digest).toMatchObject({ detailMaxChars: 50, reportUrlTemplate: 'https://x.test/{slug}', titlePrefix: 'Twitter AI 报告' });
    expect(config.owners.telegram).toEqual(['42']);
    expect(config.env.telegramToken).toBe('123:abc');
  });

  it('DATABASE_URL selects PostgreSQL; unset means SQLite at DATABASE_PATH; anything but a postgres:// URL is named; its password is a secret', async () => {
    expect(loadConfig({ rootDir: root, env: {} }).databaseUrl).toBeNull();
    const config = loadConfig({ rootDir: root, env: { DATABASE_URL: 'postgres://digest:s3cret-pw@db.internal:5432/digest' } });
    expect(config.databaseUrl).toBe('postgres://digest:s3cret-pw@db.internal:5432/digest');
    expect(secretsOf(config)).toContain('s3cret-pw');
    expect(loadConfig({ rootDir: root, env: { DATABASE_URL: 'postgresql://localhost/digest' } }).databaseUrl).toBe('postgresql://localhost/digest');
    for (const bad of ['sqlite:///data/digest.db', 'data/digest.db', 'postgres://']) {
      expect(problemsOf(() => loadConfig({ rootDir: root, env: { DATABASE_URL: bad } })).join('\n')).toContain('DATABASE_URL: must be a PostgreSQL URL');
    }
  });

  it('reports every bad key at once, by name', async () => {
    await writeJson('config/default.json', { timezone: 'Mars/Olympus', schedule: 'every day', digest: { detailMaxChars: 'long' }, bogus: 1 });
    const problems = problemsOf(() => loadConfig({ rootDir: root, env: { DISCORD_API_BASE: 'ftp://x', DISCORD_GUILD_ID: 'abc' } }));
    const text = problems.join('\n');
    for (const key of ['timezone', 'schedule', 'digest.detailMaxChars', 'bogus', 'DISCORD_API_BASE', 'DISCORD_GUILD_ID']) {
      expect(text).toContain(key);
    }
  });

  it.each([
    ['DISCORD_API_BASE', 'http://'],
    ['DISCORD_API_BASE', 'https://'],
    ['TELEGRAM_API_ROOT', 'http://'],
    ['TELEGRAM_API_ROOT', 'http:'],
  ])('%s=%s (no host) is refused at start, naming the variable', (key, value) => {
    const problems = problemsOf(() => loadConfig({ rootDir: root, env: { [key]: value } }));
    expect(problems.join('\n')).toMatch(new RegExp(`^${key}: must be an http\\(s\\) URL with a host`, 'm'));
    expect(loadConfig({ rootDir: root, env: { [key]: 'http://127.0.0.1:8081' } }).env).toBeDefined();
  });

  it('every variable that overrides a setting is named in its own problem, all reported together', () => {
    const problems = problemsOf(() =>
      loadConfig({ rootDir: root, env: { TIMEZONE: 'Mars/Olympus', LOG_LEVEL: 'loud', SHUTDOWN_TIMEOUT_SECONDS: '9999', DATABASE_OUTAGE_EXIT_SECONDS: 'x' } }),
    );
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_OUTAGE_EXIT_SECONDS', 'LOG_LEVEL', 'SHUTDOWN_TIMEOUT_SECONDS', 'TIMEZONE']);
  });

  it('stops within 8 s by default; shutdownTimeoutSeconds and SHUTDOWN_TIMEOUT_SECONDS change it, a bad value is named', async () => {
    expect(loadConfig({ rootDir: root, env: {} }).shutdownTimeoutSeconds).toBe(8);
    await writeJson('config/local.json', { shutdownTimeoutSeconds: 5 });
    expect(loadConfig({ rootDir: root, env: {} }).shutdownTimeoutSeconds).toBe(5);
    expect(loadConfig({ rootDir: root, env: { SHUTDOWN_TIMEOUT_SECONDS: '2.5' } }).shutdownTimeoutSeconds).toBe(2.5);
    // Named as the operator set it: the variable, not the key.
    expect(problemsOf(() => loadConfig({ rootDir: root, env: { SHUTDOWN_TIMEOUT_SECONDS: 'soon' } }))).toEqual(['SHUTDOWN_TIMEOUT_SECONDS: must be a number, not "soon"']);
    expect(problemsOf(() => loadConfig({ rootDir: root, env: { SHUTDOWN_TIMEOUT_SECONDS: '0' } }))).toEqual([expect.stringMatching(/^SHUTDOWN_TIMEOUT_SECONDS: /)]);
    // Set in a file, the key is what the operator wrote.
    await writeJson('config/local.json', { shutdownTimeoutSeconds: 0 });
    expect(problemsOf(() => loadConfig({ rootDir: root, env: {} }))).toEqual([expect.stringMatching(/^shutdownTimeoutSeconds: /)]);
  });

  it('exits after 60 s of database outage by default; databaseOutageExitSeconds and DATABASE_OUTAGE_EXIT_SECONDS change it, 0 allowed, a bad value named', async () => {
    expect(loadConfig({ rootDir: root, env: {} }).databaseOutageExitSeconds).toBe(60);
    await writeJson('config/local.json', { databaseOutageExitSeconds: 0 });
    expect(loadConfig({ rootDir: root, env: {} }).databaseOutageExitSeconds).toBe(0);
    expect(loadConfig({ rootDir: root, env: { DATABASE_OUTAGE_EXIT_SECONDS: '90' } }).databaseOutageExitSeconds).toBe(90);
    expect(problemsOf(() => loadConfig({ rootDir: root, env: { DATABASE_OUTAGE_EXIT_SECONDS: 'soon' } }))).toEqual(['DATABASE_OUTAGE_EXIT_SECONDS: must be a number, not "soon"']);
    expect(problemsOf(() => loadConfig({ rootDir: root, env: { DATABASE_OUTAGE_EXIT_SECONDS: '-1' } }))).toEqual([expect.stringMatching(/^DATABASE_OUTAGE_EXIT_SECONDS: /)]);
  });

  it('database timeouts and delivery.maxUnrecordedSends have defaults; config keys and DATABASE_*_TIMEOUT_SECONDS change them; bad values named', async () => {
    const defaults = loadConfig({ rootDir: root, env: {} });
    expect(defaults.database).toEqual({ connectTimeoutSeconds: 10, statementTimeoutSeconds: 15, idleInTransactionTimeoutSeconds: 30, keepAliveSeconds: 10 });
    // Unset: 2 per platform, or more for Telegram with paid broadcast (createDelivery decides).
    expect(defaults.delivery.maxUnrecordedSends).toBeUndefined();
    await writeJson('config/local.json', { database: { statementTimeoutSeconds: 5 }, delivery: { maxUnrecordedSends: 50 } });
    const local = loadConfig({ rootDir: root, env: { DATABASE_CONNECT_TIMEOUT_SECONDS: '2.5' } });
    expect(local.database).toMatchObject({ connectTimeoutSeconds: 2.5, statementTimeoutSeconds: 5 });
    expect(local.delivery.maxUnrecordedSends).toBe(50);
    expect(loadConfig({ rootDir: root, env: { DATABASE_STATEMENT_TIMEOUT_SECONDS: '7' } }).database.statementTimeoutSeconds).toBe(7);
    expect(problemsOf(() => loadConfig({ rootDir: root, env: { DATABASE_CONNECT_TIMEOUT_SECONDS: 'never' } }))).toEqual(['DATABASE_CONNECT_TIMEOUT_SECONDS: must be a number, not "never"']);
    await writeJson('config/local.json', { delivery: { maxUnrecordedSends: 0 } });
    expect(problemsOf(() => loadConfig({ rootDir: root, env: {} })).join('\n')).toContain('delivery.maxUnrecordedSends');
  });

  it('search.indexThreads is null by default (one per core), set by a config file or SEARCH_INDEX_THREADS, 0 allowed; a bad value named', async () => {
    expect(loadConfig({ rootDir: root, env: {} }).search).toEqual({ indexThreads: null });
    await writeJson('config/local.json', { search: { indexThreads: 0 } });
    expect(loadConfig({ rootDir: root, env: {} }).search.indexThreads).toBe(0);
    expect(loadConfig({ rootDir: root, env: { SEARCH_INDEX_THREADS: '3' } }).search.indexThreads).toBe(3);
    expect(problemsOf(() => loadConfig({ rootDir: root, env: { SEARCH_INDEX_THREADS: 'many' } }))).toEqual(['SEARCH_INDEX_THREADS: must be a number, not "many"']);
    expect(problemsOf(() => loadConfig({ rootDir: root, env: { SEARCH_INDEX_THREADS: '1.5' } }))).toEqual([expect.stringMatching(/^SEARCH_INDEX_THREADS: /)]);
    await writeJson('config/local.json', { search: { indexThreads: -1 } });
    expect(problemsOf(() => loadConfig({ rootDir: root, env: {} }))).toEqual([expect.stringMatching(/^search\.indexThreads: /)]);
  });

  it('telegram.paidBroadcast is off by default, turned on in a config file, and a non-boolean is named', async () => {
    expect(loadConfig({ rootDir: root, env: {} }).telegram.paidBroadcast).toBe(false);
    await writeJson('config/local.json', { telegram: { paidBroadcast: true } });
    expect(loadConfig({ rootDir: root, env: {} }).telegram.paidBroadcast).toBe(true);
    await writeJson('config/local.json', { telegram: { paidBroadcast: 'yes' } });
    expect(problemsOf(() => loadConfig({ rootDir: root, env: {} })).join('\n')).toContain('telegram.paidBroadcast');
  });

  it('names a config file that is not JSON, and a DIGEST_CONFIG that does not exist', async () => {
    await writeFile(path.join(root, 'config', 'default.json'), '{ "timezone": ');
    expect(problemsOf(() => loadConfig({ rootDir: root, env: {} })).join('\n')).toContain('default.json');
    await writeJson('config/default.json', {});
    expect(problemsOf(() => loadConfig({ rootDir: root, env: { DIGEST_CONFIG: 'nope.json' } })).join('\n')).toContain('DIGEST_CONFIG');
  });

  it('refuses a digest.reportUrlTemplate that is not an absolute http(s) URL, naming the key', async () => {
    for (const template of ['/reports/{slug}.html', 'reports/{slug}.html', 'ftp://example.com/{slug}', 'javascript:alert(1)', 'https://', '{slug}']) {
      await writeJson('config/default.json', { digest: { reportUrlTemplate: template } });
      const problems = problemsOf(() => loadConfig({ rootDir: root, env: {} }));
      expect(problems.join('\n'), template).toMatch(/^digest\.reportUrlTemplate: not an absolute http\(s\) URL/m);
    }
    for (const template of ['https://example.com/{yyyy}/{mm}/{dd}/{slug}.html', 'http://127.0.0.1:4000/r/{dateStart}_{dateEnd}', 'https://blog.test/报告/{slug}']) {
      await writeJson('config/default.json', { digest: { reportUrlTemplate: template } });
      expect(loadConfig({ rootDir: root, env: {} }).digest.reportUrlTemplate).toBe(template);
    }
  });

  it('the repository default config is valid', () => {
    const config = loadConfig({ rootDir: path.resolve(import.meta.dirname, '../..'), env: {} });
    expect(config.wordcloud).toMatchObject({ width: 1200, height: 675 });
  });
});

describe('secrets in logs', () => {
  it('replaces tokens wherever they appear in a log line', () => {
    const lines: string[] = [];
    const config = loadConfig({ rootDir: root, env: { TELEGRAM_BOT_TOKEN: '123456:SECRET-token', DISCORD_TOKEN: 'discord.secret.value' } });
    const logger = createLogger({ secrets: secretsOf(config), destination: { write: (line: string) => lines.push(line) } });
    logger.error({ url: 'https://api.telegram.org/bot123456:SECRET-token/sendMessage' }, 'failed with discord.secret.value');
    expect(lines.join('')).not.toContain('SECRET');
    expect(lines.join('')).not.toContain('discord.secret.value');
    expect(lines.join('')).toContain('[redacted]');
  });

  it('replaces secrets of any length, and a secret inside a longer one never leaves part of the longer one', () => {
    const lines: string[] = [];
    const logger = createLogger({ secrets: ['k9Z', 'pw-k9Z-tail'], destination: { write: (line: string) => lines.push(line) } });
    logger.warn({ reason: 'auth pw-k9Z-tail refused' }, 'short one k9Z here');
    const text = lines.join('');
    expect(text).not.toContain('k9Z');
    expect(text).not.toContain('tail');
    expect(text).toContain('auth [redacted] refused');
    expect(text).toContain('short one [redacted] here');
  });
});

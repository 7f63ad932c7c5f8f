import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, serveProblems } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';

const root = mkdtempSync(path.join(tmpdir(), 'discord-interactions-config-'));
mkdirSync(path.join(root, 'config'));
const KEY = 'a'.repeat(64);

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ rootDir: root, env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('DISCORD_INTERACTIONS, DISCORD_PUBLIC_KEY', () => {
  it('gateway by default, no key needed', () => {
    const config = loadConfig({ rootDir: root, env: {} });
    expect(config.env.discordInteractions).toBe('gateway');
    expect(config.env.discordPublicKey).toBeNull();
    expect(serveProblems(config)).toEqual([]);
  });

  it('http with a 64-hex key and HTTP_PORT is accepted', () => {
    const config = loadConfig({ rootDir: root, env: { DISCORD_TOKEN: 't', DISCORD_INTERACTIONS: 'http', DISCORD_PUBLIC_KEY: KEY, HTTP_PORT: '8080' } });
    expect(config.env).toMatchObject({ discordInteractions: 'http', discordPublicKey: KEY });
    expect(serveProblems(config)).toEqual([]);
  });

  it('http without a key, a key that is not 64 hex, or an unknown mode are named', () => {
    expect(problemsOf({ DISCORD_INTERACTIONS: 'http' })).toEqual([expect.stringMatching(/^DISCORD_PUBLIC_KEY: required with DISCORD_INTERACTIONS=http/)]);
    expect(problemsOf({ DISCORD_INTERACTIONS: 'http', DISCORD_PUBLIC_KEY: 'abc' })).toEqual([expect.stringMatching(/^DISCORD_PUBLIC_KEY: must be .* 64 hex/)]);
    expect(problemsOf({ DISCORD_INTERACTIONS: 'webhook' })).toEqual([expect.stringMatching(/^DISCORD_INTERACTIONS: must be "gateway"/)]);
  });

  it('http without HTTP_PORT cannot be served: one line naming HTTP_PORT (the CLI, which opens no port, still loads it)', () => {
    const config = loadConfig({ rootDir: root, env: { DISCORD_TOKEN: 't', DISCORD_INTERACTIONS: 'http', DISCORD_PUBLIC_KEY: KEY } });
    const problems = serveProblems(config);
    expect(problems).toEqual([expect.stringMatching(/^HTTP_PORT: required with DISCORD_INTERACTIONS=http/)]);
    expect(problems[0]).not.toContain('\n');
  });

  it('npm start (serve) reports a missing key and a missing port together, not one per try', () => {
    let problems: string[] = [];
    try {
      loadConfig({ rootDir: root, env: { DISCORD_TOKEN: 't', DISCORD_INTERACTIONS: 'http' }, serve: true });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^DISCORD_PUBLIC_KEY: required with DISCORD_INTERACTIONS=http/),
      expect.stringMatching(/^HTTP_PORT: required with DISCORD_INTERACTIONS=http/),
    ]);
  });
});

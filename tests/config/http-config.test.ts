import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';

const root = mkdtempSync(path.join(tmpdir(), 'http-config-'));
mkdirSync(path.join(root, 'config'));

describe('HTTP_PORT, HTTP_HOST, ADMIN_TOKEN', () => {
  it('no server, no admin page by default', () => {
    expect(loadConfig({ rootDir: root, env: {} }).http).toEqual({ port: null, host: '0.0.0.0', adminToken: null, publicUrl: null, mcpToken: null });
  });

  it('reads them, and the admin token is a secret', () => {
    const config = loadConfig({ rootDir: root, env: { HTTP_PORT: ' 8080 ', HTTP_HOST: '127.0.0.1', ADMIN_TOKEN: 's3cret-admin-token' } });
    expect(config.http).toEqual({ port: 8080, host: '127.0.0.1', adminToken: 's3cret-admin-token', publicUrl: null, mcpToken: null });
    expect(secretsOf(config)).toContain('s3cret-admin-token');
    expect(loadConfig({ rootDir: root, env: { HTTP_PORT: '0' } }).http.port).toBe(0);
  });

  it('an ADMIN_TOKEN shorter than 16 characters is refused at start, named and never echoed', () => {
    let error: unknown;
    try {
      loadConfig({ rootDir: root, env: { ADMIN_TOKEN: 'short-admin-15c' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^ {2}- ADMIN_TOKEN: must be at least 16 characters/m);
    expect((error as ConfigError).message).not.toContain('short-admin-15c');
    expect(loadConfig({ rootDir: root, env: { ADMIN_TOKEN: 'sixteen-chars-ok' } }).http.adminToken).toBe('sixteen-chars-ok');
  });

  it.each(['http', '-1', '65536', '80.5'])('HTTP_PORT=%s is a configuration error naming it', (value) => {
    let error: unknown;
    try {
      loadConfig({ rootDir: root, env: { HTTP_PORT: value } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/^HTTP_PORT: must be a port number/m);
  });
});

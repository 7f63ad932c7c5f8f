import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT_DIR } from '../helpers/node-process.ts';

/** The deploy files an operator copies (issue 18 §10): read as systemd, Compose and Caddy read them. */

const read = (file: string): string => readFileSync(path.join(ROOT_DIR, file), 'utf8');
const UNIT = 'deploy/systemd/ai-digest-bot.service';
const LAUNCHER = 'bin/ai-digest-bot.mjs';

/** A unit file's sections: `{ Service: { User: ['x'], … } }` (keys may repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = {};
      continue;
    }
    const eq = line.indexOf('=');
    if (current === null || eq < 1) throw new Error(`not a unit file line: ${raw}`);
    (current[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return sections;
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  env_file?: string;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
  stop_signal?: string;
}

describe('deploy/systemd/ai-digest-bot.service', () => {
  const unit = parseUnit(read(UNIT));

  it('runs the compiled bot as its own user, restarted always, with the environment file, and is installable', () => {
    expect(Object.keys(unit)).toEqual(['Unit', 'Service', 'Install']);
    const service = unit.Service!;
    expect(service.User?.[0]).toMatch(/\S/);
    expect(service.Restart).toEqual(['always']);
    expect(service.EnvironmentFile?.[0]).toMatch(/\.env$/);
    // The start that does not go through npm: systemd signals the bot itself.
    const start = service.ExecStart![0]!;
    expect(start).toMatch(new RegExp(`^/usr/bin/node \\S+/${LAUNCHER.replace('.', '\\.')}$`));
    expect(start).not.toMatch(/npm|tsx/);
    expect(service.WorkingDirectory?.[0]).toBe(start.split(' ')[1]!.replace(`/${LAUNCHER}`, ''));
    // Longer than the bot's own stop timeout (8 s), so a stop is never a kill.
    expect(Number(service.TimeoutStopSec?.[0])).toBeGreaterThan(8);
    expect(unit.Install!.WantedBy).toEqual(['multi-user.target']);
  });

  it.runIf(existsSync('/usr/bin/systemd-analyze'))('passes systemd-analyze verify without a complaint', async () => {
    // verify exits 0 even for keys it ignores: anything it says about the unit is a failure.
    const { stdout, stderr } = await promisify(execFile)('systemd-analyze', ['verify', path.join(ROOT_DIR, UNIT)]);
    expect(`${stdout}${stderr}`.split('\n').filter((line) => line.includes('ai-digest-bot'))).toEqual([]);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parse(read('deploy/compose.yaml'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  const services = compose.services;
  const bots = Object.entries(services).filter(([, s]) => s.build?.dockerfile === 'deploy/Dockerfile');

  it('has PostgreSQL with a health check and a volume', () => {
    const postgres = services.postgres!;
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    const volume = postgres.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(volume).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(volume!.split(':')[0]);
  });

  it('has two bot instances in webhook mode on that database, started once it is healthy', () => {
    expect(bots.map(([name]) => name)).toHaveLength(2);
    for (const [, bot] of bots) {
      const env = bot.environment!;
      expect(env.TELEGRAM_UPDATES).toBe('webhook');
      expect(env.DISCORD_INTERACTIONS).toBe('http');
      expect(env.PUBLIC_URL).toMatch(/^https:\/\//);
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(env.HTTP_PORT).toBe('8080');
      expect(bot.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(bot.stop_signal).toBe('SIGTERM');
    }
    // Their image starts node itself on the compiled bot (the stop signal reaches it).
    const dockerfile = read('deploy/Dockerfile');
    expect(dockerfile).toMatch(new RegExp(`^CMD \\["node", "${LAUNCHER}"\\]$`, 'm'));
    expect(dockerfile).toContain('npm ci --omit=dev');
  });

  it('puts Caddy in front, terminating TLS on 443 and balancing over both instances by /readyz', () => {
    const caddy = services.caddy!;
    expect(caddy.image).toMatch(/^caddy:/);
    expect(caddy.ports).toContain('443:443');
    const mount = caddy.volumes!.find((v) => v.endsWith(':/etc/caddy/Caddyfile:ro'))!;
    const caddyfile = read(path.join('deploy', mount.split(':')[0]!));
    const proxy = /reverse_proxy ([^{]+)\{([^}]*)\}/.exec(caddyfile)!;
    expect(proxy[1]!.trim().split(/\s+/).sort()).toEqual(bots.map(([name]) => `${name}:8080`).sort());
    expect(proxy[2]).toMatch(/health_uri \/readyz/);
  });
});

describe('the repository', () => {
  it('names its Node version (.nvmrc, within engines) and its licence (MIT)', () => {
    const major = Number(read('.nvmrc').trim());
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string }; license: string });
    expect(major).toBeGreaterThanOrEqual(Number(/>=(\d+)/.exec(engines.engines.node)![1]));
    expect(engines.license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License/);
  });
});

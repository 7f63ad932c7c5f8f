import { hostname } from 'node:os';
import { BOT_VERSION } from '../version.ts';
import { PLATFORM_NAMES, type PlatformName } from '../words.ts';

/** Which process answers: the status page's first lines. */
export interface InstanceInfo {
  host: string;
  pid: number;
  /** package.json `version`. */
  version: string;
  /** When this process started (ISO 8601 UTC). */
  startedAt: string;
}

/** What this instance does for one platform right now. */
export type PlatformRole = 'not configured' | 'sending' | 'idle';

/** This process: host name, pid, version and start time (from the process's own uptime). */
export function describeThisInstance(now: Date = new Date()): InstanceInfo {
  return {
    host: hostname(),
    pid: process.pid,
    version: BOT_VERSION,
    startedAt: new Date(now.getTime() - process.uptime() * 1000).toISOString(),
  };
}

/** `3 d 4 h 5 min`, `12 min`, `40 s`: how long since `startedAt`. */
export function formatUptime(startedAt: string, now: Date): string {
  let seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(startedAt)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds - hours * 3600) / 60);
  return [days > 0 ? `${days} d` : '', hours > 0 ? `${hours} h` : '', `${minutes} min`].filter(Boolean).join(' ');
}

/**
 * Each platform's role on this instance: `not configured` without its token; otherwise `sending`
 * while this instance holds the platform's fan-out lock (`holds`, PostgreSQL's advisory lock),
 * else `idle`. Without a `holds` (SQLite: one instance per database) a configured platform is
 * sent by this instance alone, so it counts as `sending`.
 */
export function platformRoles(input: {
  configured: readonly PlatformName[];
  holds?: (platform: PlatformName) => boolean;
}): Record<PlatformName, PlatformRole> {
  const roles = {} as Record<PlatformName, PlatformRole>;
  for (const p of PLATFORM_NAMES) {
    roles[p] = !input.configured.includes(p) ? 'not configured' : !input.holds || input.holds(p) ? 'sending' : 'idle';
  }
  return roles;
}

import { hostname } from 'node:os';

/**
 * This process as other instances see it on a shared PostgreSQL: `<host>:<pid>`. It ends the
 * `application_name` of every connection the bot opens there (see `taggedApplicationName`), so the
 * status page of any instance can list the live ones from `pg_stat_activity` without a table of
 * its own: an instance that dies leaves the list as its connections end.
 */
export function instanceTag(): string {
  return tagOf(hostname(), process.pid);
}

/** The tag of the instance on `host` with `pid` (the host cut to 30 characters, as every tag is). */
export function tagOf(host: string, pid: number): string {
  return `${host.slice(0, 30)}:${pid}`;
}

/** `application_name` of one of this instance's connections: `<role>@<host>:<pid>`, within 63 bytes. */
export function taggedApplicationName(role: string): string {
  const tag = `@${instanceTag()}`;
  // PostgreSQL keeps 63 bytes of it (NAMEDATALEN − 1): the role gives way, never the tag.
  return `${role.slice(0, Math.max(0, 63 - tag.length))}${tag}`;
}

/** The instance tag an `application_name` ends with, or null for a connection that is not tagged. */
export function tagOfApplicationName(name: string): string | null {
  const at = name.lastIndexOf('@');
  return at > 0 && /^[^\s@]+:\d+$/.test(name.slice(at + 1)) ? name.slice(at + 1) : null;
}

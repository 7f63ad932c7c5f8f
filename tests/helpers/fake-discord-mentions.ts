/**
 * Who a message would ping, worked out the way Discord does ("Message" › Allowed Mentions): only
 * the `content` is scanned (embeds never ping); `@everyone` / `@here`, `<@id>` / `<@!id>` and
 * `<@&id>` in it ping when `allowed_mentions` allows them. Without `allowed_mentions` every kind is
 * parsed. `parse` lists the kinds allowed wholesale (`everyone`, `users`, `roles`); `users` /
 * `roles` list the ids allowed one by one. SUPPRESS_NOTIFICATIONS (4096) keeps the mention but
 * sends no notification.
 */
export interface MessagePings {
  everyone: boolean;
  users: string[];
  roles: string[];
  /** True when the message carries SUPPRESS_NOTIFICATIONS: the pinged see it without a notification. */
  silent: boolean;
}

const SUPPRESS_NOTIFICATIONS = 1 << 12;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** The pings of a message body as posted (JSON, or `payload_json` of a multipart upload). */
export function pingsOf(body: Record<string, unknown>): MessagePings {
  const content = typeof body['content'] === 'string' ? body['content'] : '';
  const allowed = body['allowed_mentions'] as Record<string, unknown> | undefined;
  const parse = allowed === undefined ? ['everyone', 'users', 'roles'] : strings(allowed['parse']);
  const allowedUsers = new Set(strings(allowed?.['users']));
  const allowedRoles = new Set(strings(allowed?.['roles']));
  const unique = (ids: string[]): string[] => [...new Set(ids)];
  const users = unique([...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!)).filter(
    (id) => parse.includes('users') || allowedUsers.has(id),
  );
  const roles = unique([...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!)).filter(
    (id) => parse.includes('roles') || allowedRoles.has(id),
  );
  const everyone = /@(everyone|here)\b/.test(content) && parse.includes('everyone');
  const flags = typeof body['flags'] === 'number' ? body['flags'] : 0;
  return { everyone, users, roles, silent: (flags & SUPPRESS_NOTIFICATIONS) !== 0 };
}

/**
 * Discord's refusal of a contradictory `allowed_mentions` (400 50035): `parse: ['roles']` with a
 * `roles` list (or users likewise), or more than 100 ids in a list. Null when it is valid.
 */
export function allowedMentionsProblem(body: Record<string, unknown>): string | null {
  const allowed = body['allowed_mentions'] as Record<string, unknown> | undefined;
  if (allowed === undefined) return null;
  const parse = strings(allowed['parse']);
  for (const kind of ['users', 'roles'] as const) {
    const ids = allowed[kind];
    if (ids === undefined) continue;
    if (parse.includes(kind)) return `parse:["${kind}"] and ${kind}: [ids] are mutually exclusive.`;
    if (strings(ids).length > 100) return `${kind} must be 100 or fewer in length.`;
  }
  return null;
}

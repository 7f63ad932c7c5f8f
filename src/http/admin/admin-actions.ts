import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono } from 'hono';
import type { Reposter } from '../../commands/types.ts';
import { DigestError, InvalidDateError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { PLATFORM_NAMES, type Destination, type PlatformName } from '../../words.ts';
import type { Report } from '../../report/types.ts';
import { parseUserDate } from '../../report/user-date.ts';
import type { Store } from '../../store/store.ts';
import { verifyCsrfToken } from './admin-csrf.ts';
import { actionPage } from './admin-pages.ts';

/**
 * The status page's actions: repost a date (one destination or all), retry a failed destination,
 * deactivate a subscription. Each is a POST form carrying a CSRF token (admin-csrf.ts), behind
 * ADMIN_TOKEN like every /admin path, logged with the client's address. The work itself is the
 * same core the chat's /repost and /unsubscribe use: the Reposter and Store.unsubscribe.
 */
export interface AdminActionDeps {
  token: string;
  store: Pick<Store, 'unsubscribe'>;
  /** Absent: the actions answer 503 (nothing to send with). */
  reposter: Reposter | null;
  library: { findByDate(date: string): Promise<Report> };
  timezone: string;
  logger: Logger;
  now: () => Date;
}

type Form = Record<string, string>;

/** A form the page should never send (a field missing or malformed): 400. */
class ActionInputError extends DigestError {}

async function formOf(c: Context): Promise<Form> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v.trim()]] : [])));
}

/** The client's address as the socket saw it (a reverse proxy's own address behind one). */
function clientOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The destination named by the form's platform, chat and thread fields, or null. */
function destinationOf(form: Form): Destination | null {
  const platform = form['platform'] as PlatformName;
  const chatId = form['chat'] ?? '';
  if (!PLATFORM_NAMES.includes(platform) || !/^-?[\w.:@-]{1,64}$/.test(chatId)) return null;
  return { platform, chatId, threadId: form['thread'] ? form['thread'] : null };
}

const describe = (d: Destination): string => `${d.platform} ${d.chatId}${d.threadId ? ` / ${d.threadId}` : ''}`;

/** Mounts `POST /admin/actions/{repost,retry,deactivate}` (the /admin token check is already in front). */
export function mountAdminActions(app: Hono, deps: AdminActionDeps): void {
  const run = (name: string, act: (form: Form, who: string) => Promise<{ title: string; lines: string[] }>) =>
    app.post(`/admin/actions/${name}`, async (c) => {
      const form = await formOf(c);
      const client = clientOf(c);
      if (!verifyCsrfToken(deps.token, form['csrf'], deps.now())) {
        deps.logger.warn({ event: 'admin.action_refused', action: name, client, reason: 'csrf' }, `status page ${name} refused: missing or wrong CSRF token`);
        return c.html(actionPage('Refused', ['The form’s CSRF token is missing, wrong or expired: reload the status page and try again.']), 403);
      }
      try {
        const result = await act(form, `status page (${client})`);
        deps.logger.info({ event: 'admin.action', action: name, client, form: { ...form, csrf: undefined }, result: result.lines[0] }, `status page ${name} by ${client}`);
        return c.html(actionPage(result.title, result.lines));
      } catch (error) {
        const status = error instanceof ActionInputError || error instanceof InvalidDateError ? 400 : error instanceof DigestError ? 404 : 500;
        deps.logger.warn({ event: 'admin.action_failed', action: name, client, form: { ...form, csrf: undefined }, err: error }, `status page ${name} by ${client} failed`);
        return c.html(actionPage(`${name}: not done`, [(error as Error).message]), status);
      }
    });

  const reposter = (): Reposter => {
    if (!deps.reposter) throw new DigestError('sending is not available in this process (no platform configured)');
    return deps.reposter;
  };
  const outcomeLines = (outcome: Awaited<ReturnType<Reposter['repost']>>): string[] => [
    `${outcome.delivered} delivered, ${outcome.failed} failed, ${outcome.deactivated} deactivated.`,
    ...outcome.errors,
  ];

  run('repost', async (form, who) => {
    const target = form['target'] === 'all' ? 'all-subscriptions' : destinationOf(form);
    if (target === null) throw new ActionInputError('choose a destination or "all subscriptions"');
    const date = parseUserDate(form['date'] ?? '', { timezone: deps.timezone, now: deps.now() });
    const report = await deps.library.findByDate(date);
    const outcome = await reposter().repost({ slug: report.slug, target, requestedBy: who });
    return { title: `Reposted ${date} to ${target === 'all-subscriptions' ? 'all subscriptions' : describe(target)}`, lines: outcomeLines(outcome) };
  });

  run('retry', async (form, who) => {
    const destination = destinationOf(form);
    const slug = form['slug'] ?? '';
    if (destination === null || !/^[\w.-]{1,200}$/.test(slug)) throw new ActionInputError('a retry needs the report and the destination');
    const outcome = await reposter().repost({ slug, target: destination, requestedBy: who });
    return { title: `Retried ${slug} to ${describe(destination)}`, lines: outcomeLines(outcome) };
  });

  run('deactivate', async (form, who) => {
    const destination = destinationOf(form);
    if (destination === null) throw new ActionInputError('no such destination');
    const removed = await deps.store.unsubscribe(destination, `unsubscribed by ${who}`);
    return {
      title: removed ? `Deactivated ${describe(destination)}` : `${describe(destination)} was not subscribed`,
      lines: [removed ? 'It gets no more daily digests; /subscribe in the chat starts them again.' : 'Nothing changed.'],
    };
  });
}

import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { PLATFORM_NAMES, type PlatformName } from '../../words.ts';
import type { PeerInstance } from '../../backend/backend.ts';
import { tagOf } from '../../instance-tag.ts';
import type { PreviewJson } from '../../render/preview-json.ts';
import type { ReadinessBody } from '../readiness.ts';
import type { StatusFacts } from '../../status/collect-status.ts';
import { formatLocal } from '../../status/collect-status.ts';
import type { ContentStatus } from '../../status/content-status.ts';
import { formatUptime, type InstanceInfo, type PlatformRole } from '../../status/instance-info.ts';
import type { SubscriptionPage, SubscriptionQuery } from '../../status/subscription-page.ts';
import type { RecentFanout } from '../../status/recent-fanouts.ts';
import type { Delivery, Subscription } from '../../store/store.ts';
import { componentsToSafeHtml } from './components-html.ts';
import { discordMarkdownToSafeHtml, telegramHtmlToSafeHtml } from './payload-html.ts';

/**
 * The status page's HTML, server-rendered with hono's `html` template: every interpolated value
 * is escaped unless wrapped in `raw()`, and `raw()` only ever wraps markup built here or by
 * payload-html.ts (which escapes first).
 */

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;


/**
 * The page around every admin view. The interface is English (`lang="en"`); report text inside
 * it is marked `lang="zh-Hans"` where it appears, so a browser picks Chinese glyphs for it.
 */
export function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ai-digest-bot</title>
<link rel="icon" type="image/svg+xml" href="/admin/assets/favicon.svg">
<link rel="stylesheet" href="/admin/assets/font.css">
<link rel="stylesheet" href="/admin/assets/admin.css">
</head>
<body>
<header><h1>ai-digest-bot</h1><a href="/admin">Status</a><a href="/admin#preview">Preview</a></header>
<main>
${body}
</main>
</body>
</html>`;
}

const destinationHref = (d: { platform: PlatformName; chatId: string; threadId: string | null }): string =>
  `/admin/destinations/${d.platform}/${encodeURIComponent(d.chatId)}${d.threadId ? `?thread=${encodeURIComponent(d.threadId)}` : ''}`;

/** A stored ISO time as the operator reads it: local to the bot's timezone, the zone named. */
const localTime = (iso: string, timezone: string): string => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${formatLocal(ms, timezone)} ${timezone}`;
};

/** The hidden fields naming one destination in an action form. */
const destinationFields = (d: { platform: PlatformName; chatId: string; threadId: string | null }): Html =>
  html`<input type="hidden" name="platform" value="${d.platform}"><input type="hidden" name="chat" value="${d.chatId}">${d.threadId ? html`<input type="hidden" name="thread" value="${d.threadId}">` : ''}`;

const csrfField = (csrf: string): Html => html`<input type="hidden" name="csrf" value="${csrf}">`;

const where = (d: { chatId: string; threadId: string | null }): string => `${d.chatId}${d.threadId ? ` / ${d.threadId}` : ''}`;

function readiness(health: ReadinessBody, timezone: string): Html {
  const rows = Object.entries(health.components).map(
    ([name, c]) => html`<tr><td data-label="component">${name}</td><td class="${c.ready ? 'ok' : 'bad'}" data-label="state">${c.ready ? 'ready' : 'not ready'}</td><td data-label="detail">${c.detail ?? ''}</td><td class="muted" data-label="since">${c.since ? localTime(c.since, timezone) : ''}</td></tr>`,
  );
  return html`<h2 id="health">Health: <span class="${health.ready ? 'ok' : 'bad'}">${health.ready ? 'ready' : 'not ready'}</span></h2>
<div class="scroll"><table class="cards"><tr><th>component</th><th>state</th><th>detail</th><th>since</th></tr>${rows}</table></div>`;
}

/** The list's query as a URL (`/admin?…#subscriptions`), for the pager's links. */
function subscriptionsHref(query: SubscriptionQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.platform) params.set('platform', query.platform);
  if (query.state) params.set('state', query.state);
  if (query.q) params.set('q', query.q);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return `/admin${text ? `?${text}` : ''}#subscriptions`;
}

function subscriptionsSection(facts: StatusFacts, query: SubscriptionQuery, list: SubscriptionPage, timezone: string, csrf: string): Html {
  const option = (value: string, current: string | null, label: string): Html =>
    html`<option value="${value}"${current === value || (value === '' && current === null) ? raw(' selected') : ''}>${label}</option>`;
  const rows = list.rows.map(
    (s: Subscription) => html`<tr>
<td data-label="platform">${s.platform}</td>
<td data-label="chat"><span lang="zh-Hans">${s.title ?? ''}</span><br><a class="muted" href="${destinationHref(s)}">${s.chatId}</a></td>
<td data-label="thread">${s.threadId ?? ''}</td>
<td data-label="time of day">${s.timeOfDay ? `${s.timeOfDay} ${s.timezone ?? ''}` : html`<span class="muted">global</span>`}</td>
<td data-label="state">${s.active ? html`<span class="ok">active</span><form method="post" action="/admin/actions/deactivate">${csrfField(csrf)}${destinationFields(s)}<button type="submit" class="small">Deactivate</button></form>` : html`<span class="bad">deactivated</span><br>${s.reason ?? ''}`}</td>
<td data-label="subscribed by">${s.subscribedBy}<br><span class="muted">${localTime(s.subscribedAt, timezone)}</span></td>
</tr>`,
  );
  const counts = PLATFORM_NAMES.map((p) => `${p}: ${facts.counts[p].active} active, ${facts.counts[p].inactive} deactivated`).join(' · ');
  return html`<h2 id="subscriptions">Subscriptions</h2>
<p>${counts}</p>
<form class="inline" method="get" action="/admin#subscriptions">
<label>search<input type="search" name="q" value="${query.q}" placeholder="chat id, title, thread, who"></label>
<label>platform<select name="platform">${option('', query.platform, 'all')}${PLATFORM_NAMES.map((p) => option(p, query.platform, p))}</select></label>
<label>state<select name="state">${option('', query.state, 'all')}${option('active', query.state, 'active')}${option('inactive', query.state, 'deactivated')}</select></label>
<button type="submit">Filter</button>
</form>
<p class="muted" id="subscription-count">${list.matching} matching${list.pages > 1 ? ` · page ${list.page} of ${list.pages}` : ''}</p>
<div class="scroll"><table id="subscription-table" class="cards">
<tr><th>platform</th><th>chat / channel</th><th>thread / topic</th><th>time of day</th><th>state</th><th>subscribed by</th></tr>
${rows.length > 0 ? rows : html`<tr><td colspan="6" class="muted">none</td></tr>`}
</table></div>
${list.pages > 1 ? html`<nav class="pager" aria-label="subscription pages">${list.page > 1 ? html`<a rel="prev" href="${subscriptionsHref(query, list.page - 1)}">← previous</a>` : ''} <span>page ${list.page} of ${list.pages}</span> ${list.page < list.pages ? html`<a rel="next" href="${subscriptionsHref(query, list.page + 1)}">next →</a>` : ''}</nav>` : ''}`;
}

/** The retry button of one failed ledger row: the report again to that destination. */
const retryForm = (f: Delivery, csrf: string): Html =>
  html`<form class="inline-button" method="post" action="/admin/actions/retry">${csrfField(csrf)}${destinationFields(f)}<input type="hidden" name="slug" value="${f.slug}"><button type="submit" class="small">Retry</button></form>`;

function failureRows(failures: readonly Delivery[], timezone: string, csrf: string): Html {
  return html`${failures.map(
    (f) => html`<li><a href="${destinationHref(f)}">${f.platform} ${where(f)}</a>: <span class="${f.status === 'failed' ? 'bad' : 'warn'}">${f.status}</span> ${f.lastError ?? ''} <span class="muted">${localTime(f.updatedAt, timezone)}</span> ${f.status === 'failed' ? retryForm(f, csrf) : ''}</li>`,
  )}`;
}

function deliveriesSection(facts: StatusFacts, recent: readonly RecentFanout[], timezone: string, csrf: string): Html {
  const ledgerRows = facts.reports.map((r) => {
    const cells = PLATFORM_NAMES.map((p) => {
      const c = r.counts[p];
      return html`<td class="num" data-label="${p} delivered">${c.delivered}</td><td class="num" data-label="failed">${c.failed}</td><td class="num" data-label="deactivated">${c.deactivated}</td><td class="num" data-label="sending">${c.sending}</td>`;
    });
    return html`<tr><td>${r.slug}<br><span class="muted">${localTime(r.lastAt, timezone)}</span></td>${cells}</tr>
${r.failures.length > 0 ? html`<tr><td colspan="9"><ul>${failureRows(r.failures, timezone, csrf)}</ul></td></tr>` : ''}`;
  });
  const recentRows = recent.map(({ report, startedAt, finishedAt }) => {
    const cells = PLATFORM_NAMES.map((p) => {
      const c = report.byPlatform[p];
      return html`<td class="num" data-label="${p} delivered">${c.delivered}</td><td class="num" data-label="skipped">${c.skipped}</td><td class="num" data-label="failed">${c.failed}</td><td class="num" data-label="deactivated">${c.deactivated}</td>`;
    });
    const problems = report.results.filter((r) => r.outcome === 'failed' || r.outcome === 'deactivated');
    return html`<tr><td>${report.slug} <span class="muted">(${report.kind})</span><br><span class="muted">${localTime(finishedAt.toISOString(), timezone)}, ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(1)} s</span></td>${cells}</tr>
${problems.length > 0 ? html`<tr><td colspan="9"><ul>${problems.map((p) => html`<li><a href="${destinationHref(p.deliveredTo)}">${p.deliveredTo.platform} ${where(p.deliveredTo)}</a>: ${p.outcome}: ${p.reason ?? ''}</li>`)}</ul></td></tr>` : ''}`;
  });
  const head = (labels: string[]): Html =>
    html`<tr><th rowspan="2">report</th>${PLATFORM_NAMES.map((p) => html`<th colspan="4">${p}</th>`)}</tr><tr>${PLATFORM_NAMES.map(() => labels.map((l) => html`<th class="num">${l}</th>`))}</tr>`;
  return html`<h2 id="deliveries">Deliveries</h2>
<p>${facts.lastFanout ? html`Last fan-out: <b>${facts.lastFanout.slug}</b>, finished ${localTime(facts.lastFanout.finishedAt, timezone)}: ${facts.lastFanout.delivered} delivered, ${facts.lastFanout.failed} failed.` : 'No delivery recorded yet.'}</p>
<h3>Newest reports in the ledger</h3>
<div class="scroll"><table id="ledger-table" class="cards">${head(['delivered', 'failed', 'deactivated', 'sending'])}${ledgerRows.length > 0 ? ledgerRows : html`<tr><td colspan="9" class="muted">none</td></tr>`}</table></div>
<h3>Fan-outs of this process (skipped included)</h3>
<div class="scroll"><table class="cards">${head(['delivered', 'skipped', 'failed', 'deactivated'])}${recentRows.length > 0 ? recentRows : html`<tr><td colspan="9" class="muted">none since start</td></tr>`}</table></div>`;
}

/** Rows of the schedule table (soonest first); the rest are counted. */
const SCHEDULE_ROWS = 100;

function scheduleSection(facts: StatusFacts, roles: Record<PlatformName, PlatformRole>): Html {
  // A platform without its token sends nothing: its subscriptions have no "next" time.
  const unconfigured = PLATFORM_NAMES.filter((p) => roles[p] === 'not configured');
  const due = facts.nextDue.filter((d) => roles[d.platform] !== 'not configured');
  const rows = due.slice(0, SCHEDULE_ROWS).map(
    (d) => html`<tr><td data-label="platform">${d.platform}</td><td data-label="destination">${d.title ?? ''} <a class="muted" href="${destinationHref(d)}">${where(d)}</a></td><td data-label="next (local)">${d.local}</td><td data-label="timezone">${d.timezone}</td><td data-label="next (UTC)">${d.at}</td></tr>`,
  );
  return html`<h2 id="schedule">Schedule</h2>
<p>${facts.nextGlobal ? html`Global schedule <code>${facts.nextGlobal.schedule}</code>: next ${facts.nextGlobal.local} ${facts.nextGlobal.timezone} = ${facts.nextGlobal.at} UTC` : 'The global schedule does not fire within 400 days.'}</p>
${unconfigured.map((p) => html`<p class="muted" id="schedule-${p}">${p}: <b>not configured</b> (no token), so ${facts.counts[p].active} active subscription(s) get nothing until it is.</p>`)}
${due.length > SCHEDULE_ROWS ? html`<p class="muted">The soonest ${SCHEDULE_ROWS} of ${due.length}.</p>` : ''}
<div class="scroll"><table class="cards"><tr><th>platform</th><th>destination</th><th>next (local)</th><th>timezone</th><th>next (UTC)</th></tr>${rows.length > 0 ? rows : html`<tr><td colspan="5" class="muted">no active subscription</td></tr>`}</table></div>`;
}

/** Reports held back or refused: shown only when there is something to say. */
function contentSection(content: ContentStatus | undefined): Html | '' {
  if (!content || (content.held === null && content.refused.length === 0)) return '';
  const name = (file: string): string => file.split(/[\\/]/).pop() ?? file;
  return html`<h2 id="content">Reports</h2>
<div class="warnings"><ul id="content-problems">
${content.held ? html`<li>held <b>${name(content.held.file)}</b>: ${content.held.reason}; not delivered until complete (<code>digest post ${content.held.dateStart} --force</code> sends it as it is)</li>` : ''}
${content.refused.map((p) => html`<li>refused <b>${name(p.file)}</b>: ${p.reason}</li>`)}
</ul></div>`;
}

function previewPicker(dates: readonly string[], current: string | null): Html {
  return html`<form class="inline" method="get" action="/admin/preview">
<label>report date<input type="date" name="date" value="${current ?? dates[0] ?? ''}" required></label>
<button type="submit">Preview</button>
</form>
<p class="dates">${dates.map((d) => html`<a href="/admin/preview/${d}">${d}</a>`)}</p>`;
}

function instanceSection(instance: InstanceInfo, roles: Record<PlatformName, PlatformRole>, now: Date, timezone: string): Html {
  const role = (r: PlatformRole): Html => html`<span class="${r === 'sending' ? 'ok' : r === 'idle' ? 'muted' : 'warn'}">${r}</span>`;
  return html`<h2 id="instance">This instance</h2>
<dl class="facts">
<dt>host</dt><dd>${instance.host}</dd>
<dt>pid</dt><dd>${instance.pid}</dd>
<dt>version</dt><dd>${instance.version}</dd>
<dt>up</dt><dd>${formatUptime(instance.startedAt, now)} <span class="muted">(since ${localTime(instance.startedAt, timezone)})</span></dd>
${PLATFORM_NAMES.map((p) => html`<dt>${p}</dt><dd id="role-${p}">${role(roles[p])}</dd>`)}
</dl>`;
}

function peersSection(peers: readonly PeerInstance[] | string | null, self: InstanceInfo, timezone: string): Html | '' {
  if (peers === null) return '';
  if (typeof peers === 'string') return html`<h2 id="instances">Instances on this database</h2><p class="warn">could not list them: ${peers}</p>`;
  const selfTag = tagOf(self.host, self.pid);
  return html`<h2 id="instances">Instances on this database</h2>
<table class="cards" id="instances-table">
<tr><th>instance</th><th>connected since</th><th>sending</th></tr>
${peers.map(
  (peer) => html`<tr><td data-label="instance">${peer.tag}${peer.tag === selfTag ? html` <span class="muted">(this one)</span>` : ''}</td><td data-label="connected since">${localTime(peer.connectedSince, timezone)}</td><td data-label="sending">${peer.sending.length > 0 ? peer.sending.join(', ') : html`<span class="muted">idle</span>`}</td></tr>`,
)}
</table>
<p class="muted">Each platform is sent by the instance holding its fan-out lock while a fan-out runs; between fan-outs every instance is idle.</p>`;
}

function repostForm(csrf: string, dates: readonly string[], target: { platform: PlatformName; chatId: string; threadId: string | null } | null): Html {
  return html`<form class="inline" method="post" action="/admin/actions/repost" id="repost-form">
${csrfField(csrf)}
<label>report date<input type="text" name="date" value="${dates[0] ?? ''}" required inputmode="numeric" placeholder="2026-01-03, 20260103, today"></label>
${target ? html`${destinationFields(target)}<input type="hidden" name="target" value="one">` : html`<input type="hidden" name="target" value="all">`}
<button type="submit">${target ? 'Repost here' : 'Repost to all subscriptions'}</button>
</form>`;
}

/** `/admin`: this instance, health, subscriptions, deliveries, schedule, and the preview picker. */
export function overviewPage(input: {
  facts: StatusFacts;
  health: ReadinessBody;
  recent: readonly RecentFanout[];
  query: SubscriptionQuery;
  list: SubscriptionPage;
  dates: readonly string[];
  /** The content folder's held and refused reports (absent: nothing shown). */
  content?: ContentStatus;
  instance: InstanceInfo;
  roles: Record<PlatformName, PlatformRole>;
  timezone: string;
  now: Date;
  csrf: string;
  /** The live instances on a shared PostgreSQL, or why they could not be listed; null on SQLite. */
  peers?: readonly PeerInstance[] | string | null;
}): Html {
  const { timezone, csrf } = input;
  return layout(
    'Status',
    html`<p class="muted">As of ${localTime(input.facts.generatedAt, timezone)}</p>
${instanceSection(input.instance, input.roles, input.now, timezone)}
${peersSection(input.peers ?? null, input.instance, timezone)}
${readiness(input.health, timezone)}
${contentSection(input.content)}
${subscriptionsSection(input.facts, input.query, input.list, timezone, csrf)}
${deliveriesSection(input.facts, input.recent, timezone, csrf)}
<h3>Repost a report to every active subscription</h3>
${repostForm(csrf, input.dates, null)}
${scheduleSection(input.facts, input.roles)}
<h2 id="preview">Preview</h2>
${previewPicker(input.dates, null)}`,
  );
}

/** `/admin/destinations/:platform/:chatId`: one destination's subscription and ledger history. */
export function destinationPage(input: {
  platform: PlatformName;
  chatId: string;
  threadId: string | null;
  subscription: Subscription | null;
  deliveries: readonly Delivery[];
  timezone: string;
  dates: readonly string[];
  csrf: string;
}): Html {
  const s = input.subscription;
  const { csrf } = input;
  const rows = input.deliveries.map(
    (d) => html`<tr><td data-label="report">${d.slug}</td><td data-label="kind">${d.kind}</td><td class="${d.status === 'delivered' ? 'ok' : d.status === 'sending' ? 'warn' : 'bad'}" data-label="status">${d.status}</td><td class="num" data-label="attempts">${d.attempts}</td><td data-label="message ids">${d.messageIds.join(', ')}</td><td data-label="last error">${d.lastError ?? ''}${d.status === 'failed' ? retryForm(d, csrf) : ''}</td><td data-label="requested by">${d.requestedBy ?? ''}</td><td data-label="updated">${formatLocal(Date.parse(d.updatedAt), input.timezone)}<br><span class="muted">${d.updatedAt}</span></td></tr>`,
  );
  return layout(
    `${input.platform} ${input.chatId}`,
    html`<h2>${input.platform} ${where(input)}${s?.title ? ` · ${s.title}` : ''}</h2>
<p>${s ? html`${s.active ? html`<span class="ok">active</span>` : html`<span class="bad">deactivated</span>: ${s.reason ?? ''}`} · ${s.timeOfDay ? `${s.timeOfDay} ${s.timezone ?? ''}` : 'global schedule'} · subscribed by ${s.subscribedBy} at ${localTime(s.subscribedAt, input.timezone)}` : 'Not subscribed.'}</p>
${s?.active ? html`<form method="post" action="/admin/actions/deactivate">${csrfField(csrf)}${destinationFields(input)}<button type="submit">Deactivate this subscription</button></form>` : ''}
<h3>Repost a report here</h3>
${repostForm(csrf, input.dates, input)}
<h3>History (newest first)</h3>
<div class="scroll"><table class="cards"><tr><th>report</th><th>kind</th><th>status</th><th class="num">attempts</th><th>message ids</th><th>last error</th><th>requested by</th><th>updated (${input.timezone})</th></tr>${rows.length > 0 ? rows : html`<tr><td colspan="8" class="muted">nothing sent here yet</td></tr>`}</table></div>`,
  );
}

const hexColour = (n: number | undefined): string => `#${(n ?? 0x1d9bf0).toString(16).padStart(6, '0')}`;

/** `/admin/preview/:date`: the exact payloads as Discord (Components V2 and embeds) and a Telegram chat show them. */
export function previewPage(input: { date: string; preview: PreviewJson; imageUrl: string | null; dates: readonly string[] }): Html {
  const { preview, imageUrl } = input;
  const { report } = preview;
  const discord = preview.discord.map(
    (message, m) => html`<div class="message" data-message="${m + 1}">
${message.content ? html`<div>${raw(discordMarkdownToSafeHtml(message.content))}</div>` : ''}
${message.embeds.map(
  (embed) => html`<div class="embed"><div class="bar" style="background:${hexColour(embed.color)}"></div><div class="body">
${embed.title ? html`<div class="title">${embed.url ? html`<a href="${/^https?:/i.test(embed.url) ? embed.url : '#'}" rel="noopener noreferrer">${embed.title}</a>` : embed.title}</div>` : ''}
${embed.description ? html`<div class="desc">${raw(discordMarkdownToSafeHtml(embed.description))}</div>` : ''}
${embed.image && imageUrl ? html`<img class="wordcloud" src="${imageUrl}" alt="${embed.image.url}">` : ''}
${embed.footer ? html`<div class="footer">${embed.footer.text}${embed.timestamp ? ` · ${embed.timestamp}` : ''}</div>` : ''}
</div></div>`,
)}
</div>`,
  );
  const components = (preview.discordComponents ?? []).map(
    (message, m) => html`<div class="message" data-message="${m + 1}">${raw(componentsToSafeHtml(message.components, imageUrl))}</div>`,
  );
  const configured = (layout: 'components' | 'embeds') => (preview.discordLayout === layout ? ' (configured)' : '');
  const problems: string[] = [];
  const telegram = preview.telegram.map((call) => {
    const source = String(call.params['caption'] ?? call.params['text'] ?? '');
    const rendered = telegramHtmlToSafeHtml(source);
    if (rendered.error) problems.push(`Telegram ${call.method}: ${rendered.error}`);
    if (call.method === 'sendPhoto') {
      return html`<div class="bubble photo">${imageUrl ? html`<img class="wordcloud" src="${imageUrl}" alt="word cloud">` : ''}<div class="caption">${raw(rendered.html)}</div></div>`;
    }
    return html`<div class="bubble text">${raw(rendered.html)}</div>`;
  });
  const warnings = [...report.warnings, ...problems];
  return layout(
    `Preview ${input.date}`,
    html`<h2>Preview: <span lang="zh-Hans">${report.title}</span></h2>
<p>${report.slug} · ${report.dateStart}${report.dateEnd !== report.dateStart ? ` 至 ${report.dateEnd}` : ''} · ${report.points.length} points · image: ${report.image ?? 'none'}${report.image && report.imageGenerated ? ' (drawn from the text)' : ''}</p>
${warnings.length > 0 ? html`<div class="warnings"><b>Warnings</b><ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : html`<p class="ok">No parse warnings.</p>`}
${report.notes.length > 0 ? html`<div class="notes"><b>Notes</b><ul>${report.notes.map((n) => html`<li>${n}</li>`)}</ul></div>` : ''}
${previewPicker(input.dates, input.date)}
<div class="platforms" lang="zh-Hans">
${components.length > 0 ? html`<section><h3>Discord, Components V2${configured('components')} · ${components.length} message(s)</h3><div class="discord" id="discord-components-preview">${components}</div></section>` : ''}
<section><h3>Discord, embeds${configured('embeds')} · ${preview.discord.length} message(s)</h3><div class="discord" id="discord-preview">${discord}</div></section>
<section><h3>Telegram · ${preview.telegram.length} call(s)</h3><div class="telegram" id="telegram-preview">${telegram}</div></section>
</div>
<p><a href="/admin/preview/${input.date}/payloads.json">The exact payloads (digest preview --json)</a></p>`,
  );
}

/** A plain message page (not found, bad date). */
export function messagePage(title: string, message: string, dates: readonly string[]): Html {
  return layout(title, html`<h2>${title}</h2><p>${message}</p>${previewPicker(dates, null)}`);
}

/** What an action on the page did (or why it was refused), with the way back. */
export function actionPage(title: string, lines: readonly string[]): Html {
  return layout(title, html`<h2 id="action-result">${title}</h2><ul>${lines.map((line) => html`<li>${line}</li>`)}</ul><p><a href="/admin">Back to the status page</a></p>`);
}

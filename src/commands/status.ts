import { localPartsAt } from '../delivery/due-times.ts';
import { bothLocales, messages, type Messages } from '../i18n/index.ts';
import type { Delivery } from '../store/store.ts';
import { describeDeliveryOptions } from './delivery-option-args.ts';
import { readDeliveryState, reportDateOf, type DeliveryState } from './delivery-state.ts';
import type { CommandDeps } from './deps.ts';
import { failureCauseOf } from './failure-cause.ts';
import type { CommandContext, CommandDefinition } from './types.ts';

const pad = (n: number): string => String(n).padStart(2, '0');

/** `2026-01-22 09:00:03` in `timezone`. */
export function localTime(iso: string | Date, timezone: string): string {
  const p = localPartsAt(new Date(iso).getTime(), timezone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** `2026-01-22 09:00` in `timezone` (due times fall on whole minutes). */
function localMinute(at: Date, timezone: string): string {
  return localTime(at, timezone).slice(0, 16);
}

/**
 * `/status`: how the daily digest stands in the chat it is asked in: subscribed or not (and why
 * it stopped), since when, its options, its next due time in its own time zone, and the last
 * digest with its outcome in words and what happens next. Anyone may ask (only the asker sees
 * the answer on Discord); the ledger's raw errors never reach the chat.
 */
export function statusCommand(deps: CommandDeps): CommandDefinition {
  return {
    name: 'status',
    description: bothLocales((m) => m.commands.status),
    options: [],
    permission: 'anyone',
    async run(_args, context) {
      const m = messages(context.locale);
      const state = await readDeliveryState(deps, context.destination);
      return { kind: 'text', text: describeState(state, context, m).join('\n'), ephemeral: true };
    },
  };
}

/** The answer's lines. */
export function describeState(state: DeliveryState, context: Pick<CommandContext, 'platform'>, m: Messages): string[] {
  const s = m.status;
  const { subscription, timezone } = state;
  const lines: string[] = [];
  if (!subscription) {
    lines.push(s.notSubscribed);
  } else if (!subscription.active) {
    const cause = failureCauseOf(subscription.reason);
    // The stopping row of the ledger says when; a stop by hand has none.
    const stoppedAt = state.last?.status === 'deactivated' ? localTime(state.last.updatedAt, timezone).slice(0, 10) : null;
    lines.push(cause === 'unsubscribed' ? s.unsubscribed : s.stopped(stoppedAt, s.causes[cause](platformLabel(context.platform))));
  } else {
    lines.push(s.subscribedSince(localTime(subscription.subscribedAt, timezone).slice(0, 10)));
    lines.push(...describeDeliveryOptions(subscription.options, context, m).map((line) => `· ${line}`));
    lines.push(state.nextDue ? s.nextDue(localMinute(state.nextDue, timezone), timezone) : s.nextDueUnknown);
  }
  lines.push(...describeLast(state, context, m));
  return lines;
}

function platformLabel(platform: CommandContext['platform']): string {
  return platform === 'discord' ? 'Discord' : 'Telegram';
}

/** The last digest and what happens next (only an active subscription has a next). */
function describeLast(state: DeliveryState, context: Pick<CommandContext, 'platform'>, m: Messages): string[] {
  const s = m.status;
  const { last, timezone, subscription } = state;
  const active = subscription?.active === true;
  const next = state.nextDue ? localMinute(state.nextDue, timezone) : null;
  const lines: string[] = [];
  if (last === null) lines.push(s.lastNone);
  else lines.push(describeRow(last, state.deliveredAt ?? last.updatedAt, timezone, context, m));

  if (active && last !== null && last.status === 'failed') {
    const cause = failureCauseOf(last.lastError);
    if (cause === 'missing-permission') lines.push(s.fixPermission(platformLabel(context.platform)));
    lines.push(s.retry(next, reportDateOf(last.slug)));
  }
  if (active && state.pending) {
    const { date, held } = state.pending;
    lines.push(held ? s.held(date, held.points, held.expected) : s.waiting(date, next));
  } else if (active && state.previousDue && notReadyAt(state.previousDue, state)) {
    lines.push(s.notReady(localMinute(state.previousDue, timezone)));
  }
  return lines;
}

/**
 * True when the last due time came and went with nothing new for this chat: it was subscribed by
 * then, and its newest scheduled digest was claimed before that due time (the newest report was
 * already delivered, since it is not pending).
 */
function notReadyAt(due: Date, state: DeliveryState): boolean {
  const dueAt = due.toISOString();
  if (!state.subscription || state.subscription.subscribedAt > dueAt) return false;
  return state.last !== null && state.last.createdAt < dueAt && state.last.updatedAt < dueAt;
}

/** One ledger row in words; `when` is its delivery (or last change) time. */
function describeRow(row: Delivery, when: string, timezone: string, context: Pick<CommandContext, 'platform'>, m: Messages): string {
  const s = m.status;
  const date = reportDateOf(row.slug);
  const at = localTime(when, timezone);
  const platform = platformLabel(context.platform);
  switch (row.status) {
    case 'delivered': {
      // A delivered row keeps the error of an attempt that failed before it went through.
      const earlier = row.attempts > 1 && row.lastError ? s.causes[failureCauseOf(row.lastError)](platform) : null;
      return s.delivered(date, at, row.kind === 'repost', row.attempts, earlier);
    }
    case 'sending':
      return s.sending(date, at);
    case 'failed':
      return s.failed(date, at, row.attempts, s.causes[failureCauseOf(row.lastError)](platform));
    case 'deactivated':
      return s.deactivated(date, at, s.causes[failureCauseOf(row.lastError)](platform));
  }
}

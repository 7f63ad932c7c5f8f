import { isLocale } from '../locale.ts';
import { DEFAULT_SUBSCRIPTION_OPTIONS, type SubscriptionOptions } from './store.ts';

/** The option columns of `subscriptions`, as both databases store them (booleans as 0 / 1). */
export interface SubscriptionOptionColumns {
  mention_role_id: string | null;
  silent: number;
  wordcloud: number;
  language: string | null;
}

/** Stored columns → options; an unknown language (edited by hand) reads as the default. */
export function optionsFromColumns(row: SubscriptionOptionColumns): SubscriptionOptions {
  return {
    mentionRoleId: row.mention_role_id,
    silent: Number(row.silent) === 1,
    wordcloud: Number(row.wordcloud) === 1,
    language: isLocale(row.language) ? row.language : null,
  };
}

/** Options → the columns to write. */
export function columnsFromOptions(options: SubscriptionOptions): SubscriptionOptionColumns {
  return {
    mention_role_id: options.mentionRoleId,
    silent: options.silent ? 1 : 0,
    wordcloud: options.wordcloud ? 1 : 0,
    language: options.language,
  };
}

/**
 * The options after a change: each field given replaces the stored one, the others are kept
 * (a resubscribe without options keeps what `/settings` set). `undefined` means "not given".
 */
export function mergeOptions(stored: SubscriptionOptions | null, given: Partial<SubscriptionOptions> = {}): SubscriptionOptions {
  const base = stored ?? DEFAULT_SUBSCRIPTION_OPTIONS;
  return {
    mentionRoleId: given.mentionRoleId === undefined ? base.mentionRoleId : given.mentionRoleId,
    silent: given.silent ?? base.silent,
    wordcloud: given.wordcloud ?? base.wordcloud,
    language: given.language === undefined ? base.language : given.language,
  };
}

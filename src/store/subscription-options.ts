import { isLocale } from '../locale.ts';
import { DEFAULT_SUBSCRIPTION_OPTIONS, DISCORD_LAYOUTS, type DiscordLayout, type SubscriptionOptions } from './store.ts';

/** The option columns of `subscriptions`, as both databases store them (booleans as 0 / 1). */
export interface SubscriptionOptionColumns {
  mention_role_id: string | null;
  silent: number;
  wordcloud: number;
  language: string | null;
  layout: string | null;
  forum_tag_id: string | null;
  publish: number | null;
  collapse_details: number | null;
}

/** A nullable 0 / 1 column → true, false or null ("the default"). */
function optionalFlag(value: number | null | undefined): boolean | null {
  return value === null || value === undefined ? null : Number(value) === 1;
}

function optionalColumn(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

/** Stored columns → options; an unknown language (edited by hand) reads as the default. */
export function optionsFromColumns(row: SubscriptionOptionColumns): SubscriptionOptions {
  return {
    mentionRoleId: row.mention_role_id,
    silent: Number(row.silent) === 1,
    wordcloud: Number(row.wordcloud) === 1,
    language: isLocale(row.language) ? row.language : null,
    layout: isDiscordLayout(row.layout) ? row.layout : null,
    forumTagId: row.forum_tag_id ?? null,
    publish: optionalFlag(row.publish),
    collapseDetails: optionalFlag(row.collapse_details),
  };
}

function isDiscordLayout(value: unknown): value is DiscordLayout {
  return (DISCORD_LAYOUTS as readonly unknown[]).includes(value);
}

/** Options → the columns to write. */
export function columnsFromOptions(options: SubscriptionOptions): SubscriptionOptionColumns {
  return {
    mention_role_id: options.mentionRoleId,
    silent: options.silent ? 1 : 0,
    wordcloud: options.wordcloud ? 1 : 0,
    language: options.language,
    layout: options.layout,
    forum_tag_id: options.forumTagId,
    publish: optionalColumn(options.publish),
    collapse_details: optionalColumn(options.collapseDetails),
  };
}

/**
 * The options after a change: each field given replaces the stored one (null included: back to the default), the others are kept
 * (a resubscribe without options keeps what `/settings` set). `undefined` means "not given".
 */
export function mergeOptions(stored: SubscriptionOptions | null, given: Partial<SubscriptionOptions> = {}): SubscriptionOptions {
  const base = stored ?? DEFAULT_SUBSCRIPTION_OPTIONS;
  return {
    mentionRoleId: given.mentionRoleId === undefined ? base.mentionRoleId : given.mentionRoleId,
    silent: given.silent ?? base.silent,
    wordcloud: given.wordcloud ?? base.wordcloud,
    language: given.language === undefined ? base.language : given.language,
    layout: given.layout === undefined ? base.layout : given.layout,
    forumTagId: given.forumTagId === undefined ? base.forumTagId : given.forumTagId,
    publish: given.publish === undefined ? base.publish : given.publish,
    collapseDetails: given.collapseDetails === undefined ? base.collapseDetails : given.collapseDetails,
  };
}

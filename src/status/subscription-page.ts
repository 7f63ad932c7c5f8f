import type { PlatformName } from '../words.ts';
import type { Subscription } from '../store/store.ts';

/** What the status page's subscription list is asked for (`?platform=&state=&q=&page=`). */
export interface SubscriptionQuery {
  platform: PlatformName | null;
  state: 'active' | 'inactive' | null;
  /** Matched, case-insensitively, against chat id, title, thread and who subscribed. */
  q: string;
  /** 1-based. */
  page: number;
}

/** One page of the list, and where it sits in the whole. */
export interface SubscriptionPage {
  rows: Subscription[];
  /** How many subscriptions match the query (all pages). */
  matching: number;
  page: number;
  pages: number;
}

/** Rows per page: a phone screen or two. */
export const SUBSCRIPTIONS_PER_PAGE = 25;

const INTEGER = /^-?\d+$/;

/** Chat ids as numbers (`-100…` supergroups, Discord snowflakes), anything else after them as text. */
export function compareChatIds(a: string, b: string): number {
  const aNumeric = INTEGER.test(a);
  const bNumeric = INTEGER.test(b);
  if (aNumeric && bNumeric) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a.localeCompare(b);
}

/** Filters, searches, sorts (platform, chat id as a number, thread) and cuts out one page. */
export function pageSubscriptions(all: readonly Subscription[], query: SubscriptionQuery, perPage = SUBSCRIPTIONS_PER_PAGE): SubscriptionPage {
  const needle = query.q.trim().toLowerCase();
  const matching = all
    .filter((s) => query.platform === null || s.platform === query.platform)
    .filter((s) => query.state === null || s.active === (query.state === 'active'))
    .filter(
      (s) =>
        needle === '' ||
        [s.chatId, s.title ?? '', s.threadId ?? '', s.subscribedBy].some((field) => field.toLowerCase().includes(needle)),
    )
    .sort(
      (a, b) =>
        a.platform.localeCompare(b.platform) ||
        compareChatIds(a.chatId, b.chatId) ||
        compareChatIds(a.threadId ?? '', b.threadId ?? ''),
    );
  const pages = Math.max(1, Math.ceil(matching.length / perPage));
  const page = Math.min(Math.max(1, Math.floor(query.page) || 1), pages);
  return { rows: matching.slice((page - 1) * perPage, page * perPage), matching: matching.length, page, pages };
}

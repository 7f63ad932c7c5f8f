import { DEFAULT_LOCALE } from '../locale.ts';
import type { Destination, DigestPresentation } from '../platforms/platform.ts';
import type { Store, SubscriptionOptions } from '../store/store.ts';
import { describeDestination } from './notices.ts';

/** A subscription's options as the platforms take them (no language = the bot's default). */
export function presentationOf(options: SubscriptionOptions): DigestPresentation {
  return {
    mentionRoleId: options.mentionRoleId,
    silent: options.silent,
    withImage: options.wordcloud,
    locale: options.language ?? DEFAULT_LOCALE,
    layout: options.layout,
    forumTagId: options.forumTagId,
    publish: options.publish,
    collapseDetails: options.collapseDetails,
  };
}

/**
 * Each destination's presentation, keyed by `describeDestination`: a subscription passed in
 * brings its own options; a bare destination (`/repost` here, `digest post --to`) is looked up in
 * the store, so a repost to a subscribed chat looks like its daily digest. A destination with no
 * subscription (or whose lookup fails) gets the default presentation.
 */
export async function presentationsFor(
  destinations: readonly (Destination & { options?: SubscriptionOptions })[],
  store: Pick<Store, 'getSubscription'>,
): Promise<Map<string, DigestPresentation>> {
  const out = new Map<string, DigestPresentation>();
  for (const destination of destinations) {
    let options = destination.options;
    if (options === undefined) {
      // Options are a nicety: a store that cannot answer must not hold back the digest itself.
      options = (await store.getSubscription(destination).catch(() => null))?.options;
    }
    if (options) out.set(describeDestination(destination), presentationOf(options));
  }
  return out;
}

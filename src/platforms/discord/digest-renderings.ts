import { renderDiscordDigest, resolveDiscordLayout, type DiscordDigestLayout } from '../../render/discord-layout.ts';
import type { DiscordOutgoingMessage } from '../../render/payload-types.ts';
import type { Digest } from '../../report/digest-types.ts';
import type { DigestPresentation } from '../platform.ts';

/**
 * Renderings of the digests a fan-out sends, per Digest object and distinct presentation (layout,
 * role, silence, picture, language): a fan-out to a thousand channels with two distinct option
 * sets renders twice, not a thousand times. Held weakly: a digest no longer sent takes its
 * renderings with it. The rendered messages are never modified (the sender copies a body before
 * adding to it).
 */
export class DiscordDigestRenderings {
  readonly #byDigest = new WeakMap<Digest, Map<string, readonly DiscordOutgoingMessage[]>>();
  /** Renderings made so far (tests and benchmarks read it). */
  renderCount = 0;

  /** `layout`: `discord.layout`, for a presentation that has no layout of its own. */
  constructor(
    private readonly color: number,
    private readonly layout: DiscordDigestLayout = 'components',
  ) {}

  /** The messages of `digest` as `presentation` asks, rendered at most once per distinct presentation. */
  messagesFor(digest: Digest, presentation: DigestPresentation): readonly DiscordOutgoingMessage[] {
    let byPresentation = this.#byDigest.get(digest);
    if (!byPresentation) {
      byPresentation = new Map();
      this.#byDigest.set(digest, byPresentation);
    }
    const layout = resolveDiscordLayout(presentation.layout, this.layout);
    const key = JSON.stringify([layout, presentation.locale, presentation.withImage, presentation.silent, presentation.mentionRoleId]);
    let messages = byPresentation.get(key);
    if (!messages) {
      const { mentionRoleId, silent, withImage, locale } = presentation;
      messages = renderDiscordDigest(digest, { color: this.color, layout, mentionRoleId, silent, withImage, locale });
      this.renderCount += 1;
      byPresentation.set(key, messages);
    }
    return messages;
  }
}

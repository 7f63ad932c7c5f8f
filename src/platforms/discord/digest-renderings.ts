import { renderDiscordMessages } from '../../render/discord.ts';
import type { DiscordMessage } from '../../render/payload-types.ts';
import type { Digest } from '../../report/digest-types.ts';
import type { DigestPresentation } from '../platform.ts';

/**
 * Renderings of the digests a fan-out sends, per Digest object and distinct presentation (role,
 * silence, picture, language): a fan-out to a thousand channels with two distinct option sets
 * renders twice, not a thousand times. Held weakly: a digest no longer sent takes its renderings
 * with it. The rendered messages are never modified (the sender copies a body before adding to it).
 */
export class DiscordDigestRenderings {
  readonly #byDigest = new WeakMap<Digest, Map<string, readonly DiscordMessage[]>>();
  /** Renderings made so far (tests and benchmarks read it). */
  renderCount = 0;

  constructor(private readonly color: number) {}

  /** The messages of `digest` as `presentation` asks, rendered at most once per distinct presentation. */
  messagesFor(digest: Digest, presentation: DigestPresentation): readonly DiscordMessage[] {
    let byPresentation = this.#byDigest.get(digest);
    if (!byPresentation) {
      byPresentation = new Map();
      this.#byDigest.set(digest, byPresentation);
    }
    const key = JSON.stringify([presentation.locale, presentation.withImage, presentation.silent, presentation.mentionRoleId]);
    let messages = byPresentation.get(key);
    if (!messages) {
      messages = renderDiscordMessages(digest, { color: this.color, ...presentation });
      this.renderCount += 1;
      byPresentation.set(key, messages);
    }
    return messages;
  }
}

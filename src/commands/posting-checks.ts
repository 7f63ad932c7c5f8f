import type { Messages } from '../i18n/index.ts';
import type { Destination } from '../words.ts';
import { CommandInputError, quotedInput } from './input-error.ts';
import type { CommandArgs, CommandContext, TargetInspection } from './types.ts';

/** Words that remove the forum tag. */
const NO_TAG = new Set(['none', 'off', 'no', '-', '无']);

/** What the checks found out that the subscription stores. */
export interface PostingCheckResult {
  /** The id of the forum tag named with `tag` (null: `tag:none`); absent when `tag` was not given. */
  forumTagId?: string | null;
  /** The tag's name, for the reply. */
  tagName: string | null;
}

/**
 * The checks made where the bot is asked to post, before anything is stored: with `requirePosting`
 * (`/subscribe`), that the bot may post a digest there, else CommandInputError naming each missing
 * permission; and a `tag` given by name, resolved against the forum's tags (an unknown name is
 * refused listing those that exist). A platform that cannot inspect a place (Telegram) passes;
 * a lookup that fails does not hold up a subscription, only a tag that cannot be resolved.
 */
export async function checkPostingTarget(
  args: Pick<CommandArgs, 'tag'>,
  context: Pick<CommandContext, 'inspectTarget'>,
  target: Destination,
  place: string,
  check: { requirePosting: boolean; withImage: boolean },
  m: Messages,
): Promise<PostingCheckResult> {
  const tagInput = args.tag?.trim();
  const clearsTag = tagInput !== undefined && NO_TAG.has(tagInput.toLowerCase());
  const needsInspection = check.requirePosting || (tagInput !== undefined && !clearsTag);
  const inspection: TargetInspection | null =
    needsInspection && context.inspectTarget ? await context.inspectTarget(target, check.withImage).catch(() => null) : null;

  if (check.requirePosting && inspection && inspection.missingPermissions.length > 0) {
    const names = inspection.missingPermissions.map((p) => m.subscribe.permissionNames[p]);
    throw new CommandInputError(m.subscribe.missingPermissions(place, names.join(', ')));
  }
  if (tagInput === undefined) return { tagName: null };
  if (clearsTag) return { forumTagId: null, tagName: null };
  if (!inspection) throw new CommandInputError(m.settings.tagUnchecked);
  if (inspection.kind !== 'forum') throw new CommandInputError(m.settings.tagNotForum);
  const wanted = tagInput.toLowerCase();
  const tag = inspection.forumTags.find((t) => t.name.trim().toLowerCase() === wanted);
  if (!tag) throw new CommandInputError(m.settings.unknownTag(quotedInput(tagInput), inspection.forumTags.map((t) => t.name)));
  return { forumTagId: tag.id, tagName: tag.name };
}

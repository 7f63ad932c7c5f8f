import { createHash } from 'node:crypto';
import type { Api } from 'grammy';
import type { Logger } from '../../log.ts';
import type { TelegramCall } from '../../render/payload-types.ts';
import { renderTelegramCalls } from '../../render/telegram.ts';
import { withPhotoMessage } from '../../render/navigation-buttons.ts';
import type { Digest } from '../../report/digest-types.ts';
import { DEFAULT_PRESENTATION, type DigestPresentation, type Destination, type SendDigestOptions, type SendResult, type SentPart } from '../platform.ts';
import type { Locale } from '../../locale.ts';
import type { PhotoFileIds } from './photo-file-ids.ts';
import { isPhotoRefusal, photoProblem, sendTelegramCall } from './send-calls.ts';
import { sendTelegramPhoto } from './send-photo.ts';

/** The plan label of a text-only rendering (the picture dropped, or none to begin with). */
export const TEXT_ONLY_PLAN = 'text-only';
/** The plan label of the rendering with the picture first. */
export const WITH_IMAGE_PLAN = '';

/** A digest whose sending stopped part-way: the parts already out, for the calls' fingerprint. */
interface Progress {
  fingerprint: string;
  parts: SentPart[];
}

/**
 * Remembers digests that failed part-way, per idempotency key and destination, so that when a
 * caller without a ledger sends the same digest again only the calls that did not go out are
 * sent. Delivery passes the ledger's parts instead (they survive a crash); this is the fallback.
 * Bounded; the oldest entries go first.
 */
export class DigestProgressMemory {
  private readonly entries = new Map<string, Progress>();

  constructor(private readonly capacity = 1000) {}

  get(key: string): Progress | undefined {
    return this.entries.get(key);
  }

  set(key: string, progress: Progress): void {
    this.entries.delete(key);
    this.entries.set(key, progress);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** What sendTelegramDigest may remember between sends. */
/** With TelegramRendering: the configured folded details and report-link preview. */
export interface DigestSendOptions extends SendDigestOptions, TelegramRendering {
  /** Resume a digest that stopped part-way under the same key (used when `sentParts` is absent). */
  resume?: { memory: DigestProgressMemory; key: string };
  /** Send a picture uploaded before by its file_id instead of uploading it again. */
  photos?: PhotoFileIds;
  /** Each call carries `allow_paid_broadcast: true` (digests to subscribers, config `telegram.paidBroadcast`). */
  paidBroadcast?: boolean;
  /** Resolves once the chat may take its next message (SendPacer.whenChatReady): awaited before `beforeSend`. */
  untilChatReady?: () => Promise<void>;
}

/** The digest was not finished because the caller is stopping (SendDigestOptions.signal). */
export class DigestSendStopped extends Error {
  override name = 'DigestSendStopped';
}

/** What changes a Telegram rendering: the labels' language, the picture, folded details, the report link's preview. */
export interface RenderChoice {
  locale: Locale;
  withImage: boolean;
  collapseDetails: boolean;
  previewReportLink: boolean;
}

/**
 * A fan-out sends one Digest object to every destination: render it (and hash the rendering)
 * once per distinct choice of language and picture, not once per chat; at the paid ceiling that
 * is a thousand renderings a second saved. Silence and paid broadcast are flags added when
 * sending, so they share a rendering. The calls are never modified (sending copies a call
 * before adding to it).
 */
const renderings = new WeakMap<Digest, Map<string, { calls: readonly TelegramCall[]; fingerprint: string }>>();

export function rendered(digest: Digest, choice: RenderChoice): { calls: readonly TelegramCall[]; fingerprint: string } {
  let byChoice = renderings.get(digest);
  if (!byChoice) {
    byChoice = new Map();
    renderings.set(digest, byChoice);
  }
  const key = `${choice.locale}|${choice.withImage ? 'image' : 'text'}|${choice.collapseDetails ? 'folded' : 'full'}|${choice.previewReportLink ? 'preview' : 'plain'}`;
  let entry = byChoice.get(key);
  if (!entry) {
    const calls = renderTelegramCalls(digest, choice);
    entry = { calls, fingerprint: createHash('sha256').update(JSON.stringify(calls)).digest('hex') };
    byChoice.set(key, entry);
  }
  return entry;
}

/** How the configuration shows digests where a presentation leaves it open (TelegramPlatformOptions). */
export interface TelegramRendering {
  /** `telegram.collapseDetails`: details folded unless the subscription says otherwise. */
  collapseDetails?: boolean;
  /** `telegram.previewReportLink`: the last message previews the full-report link. */
  previewReportLink?: boolean;
}

/**
 * The rendering a destination gets, but for the picture: its language, its own choice of folded
 * details else the configured one, the configured report-link preview. Sending and correcting
 * both ask here, so a correction renders what was delivered.
 */
export function renderChoiceOf(presentation: DigestPresentation, configured: TelegramRendering): Omit<RenderChoice, 'withImage'> {
  return {
    locale: presentation.locale,
    collapseDetails: presentation.collapseDetails ?? configured.collapseDetails ?? false,
    previewReportLink: configured.previewReportLink ?? false,
  };
}

export function planOf(calls: readonly TelegramCall[]): string {
  return calls[0]?.method === 'sendPhoto' ? WITH_IMAGE_PLAN : TEXT_ONLY_PLAN;
}

/**
 * Posts a digest: the word cloud with its caption, then the text messages. When the picture is
 * refused (or cannot be read) the digest is rendered again without it and goes out as text only,
 * headline included, with `imageDropped`. Single calls are retried in the api's transformer, so
 * an error here means a call failed for good; it is grammY's error, classified by the caller.
 *
 * Each accepted call is a part (index in the rendering, message id, plan) reported through
 * `onPartAccepted` before the next call starts. With `sentParts` (the ledger's record of an
 * earlier attempt) those parts are skipped, continuing the same rendering (text-only when the
 * picture had been dropped); without it, `resume` remembers parts in memory per key. With
 * `photos`, a picture already on Telegram is not uploaded again. Once `signal` is aborted no
 * further call starts and the send rejects with DigestSendStopped.
 */
export async function sendTelegramDigest(
  api: Api,
  destination: Destination,
  digest: Digest,
  logger: Logger,
  options: DigestSendOptions = {},
): Promise<SendResult> {
  const { resume, photos, signal, onPartAccepted, paidBroadcast = false } = options;
  const presentation = options.presentation ?? DEFAULT_PRESENTATION;
  const choice = renderChoiceOf(presentation, options);
  // Word cloud off: the text-only rendering from the first part on (plan 'text-only'), so the
  // ledger's parts and a resume agree with it.
  const { calls, fingerprint } = rendered(digest, { ...choice, withImage: presentation.withImage });
  const textOnly = (): readonly TelegramCall[] => rendered(digest, { ...choice, withImage: false }).calls;
  const memoryKey = resume ? `${resume.key}|${destination.chatId}|${destination.threadId ?? ''}` : '';
  const remembered = resume?.memory.get(memoryKey);
  const earlier: readonly SentPart[] =
    options.sentParts ?? (remembered?.fingerprint === fingerprint ? remembered.parts : []);

  let plan: readonly TelegramCall[] = calls;
  let imageDropped = false;
  if (planOf(calls) !== TEXT_ONLY_PLAN && earlier.some((part) => part.plan === TEXT_ONLY_PLAN)) {
    // An earlier attempt dropped the picture: carry on with its text-only rendering.
    plan = textOnly();
    imageDropped = true;
  }
  // Parts of another rendering cannot be matched by index (the picture was there and is gone
  // now): better the whole digest again than a chat missing its points.
  const matching = earlier.filter((part) => part.plan === planOf(plan));
  if (matching.length < earlier.length) {
    logger.warn(
      { event: 'telegram-digest-restarted', slug: digest.slug, earlierParts: earlier.length },
      'the parts sent before belong to another rendering of the digest; sending it whole',
    );
  }
  const done = new Map<number, SentPart>(matching.map((part) => [part.index, part]));
  if (done.size > 0) {
    logger.info(
      { event: 'telegram-digest-resumed', slug: digest.slug, alreadySent: done.size, of: plan.length },
      'resuming a digest that stopped part-way',
    );
  }

  const dropImage = (reason: string): void => {
    logger.warn({ event: 'telegram-image-dropped', slug: digest.slug, reason }, 'sending the digest as text only');
    // The photo is the first call, so nothing has gone out yet: the text-only rendering is whole.
    plan = textOnly();
    imageDropped = true;
  };

  try {
    for (let index = 0; index < plan.length; index += 1) {
      if (done.has(index)) continue;
      if (signal?.aborted) throw new DigestSendStopped(`stopped before part ${index} of ${plan.length}`);
      // The flags are added here, after the fingerprint: they change the price and the sound, not the digest.
      const call = withFlags(plan[index]!, { paidBroadcast, silent: presentation.silent });
      if (call.method === 'sendPhoto') {
        const problem = await photoProblem(call);
        if (problem !== null) {
          dropImage(problem);
          index = -1;
          continue;
        }
      }
      // The chat's own interval first, then the caller's turn (SendDigestOptions.beforeSend).
      await options.untilChatReady?.();
      await options.beforeSend?.();
      let message;
      try {
        message =
          call.method === 'sendPhoto' && photos
            ? await sendTelegramPhoto(api, destination, call, logger, photos, signal)
            : await sendTelegramCall(api, destination, withPhotoReference(call, plan, done), logger, undefined, signal);
      } catch (error) {
        if (call.method !== 'sendPhoto' || !isPhotoRefusal(error)) throw error;
        dropImage(error instanceof Error ? error.message : String(error));
        index = -1;
        continue;
      }
      const part: SentPart = { index, messageId: String(message.message_id), plan: planOf(plan) };
      done.set(index, part);
      await onPartAccepted?.(part);
    }
  } catch (error) {
    if (resume && !options.sentParts && done.size > 0) resume.memory.set(memoryKey, { fingerprint, parts: [...done.values()] });
    throw error;
  }
  resume?.memory.delete(memoryKey);
  return { messageIds: plan.map((_, index) => done.get(index)!.messageId), imageDropped };
}

/** The call with `allow_paid_broadcast` and `disable_notification` (a silent subscription) as asked. */
function withFlags(call: TelegramCall, flags: { paidBroadcast: boolean; silent: boolean }): TelegramCall {
  if (!flags.paidBroadcast && !flags.silent) return call;
  const added = {
    ...(flags.paidBroadcast ? { allow_paid_broadcast: true } : {}),
    ...(flags.silent ? { disable_notification: true } : {}),
  };
  return call.method === 'sendPhoto' ? { ...call, params: { ...call.params, ...added } } : { ...call, params: { ...call.params, ...added } };
}

/** Navigation buttons name the digest's photo message (sent first), so a press can edit it too. */
export function withPhotoReference(call: TelegramCall, plan: readonly TelegramCall[], done: ReadonlyMap<number, SentPart>): TelegramCall {
  const photoId = plan[0]?.method === 'sendPhoto' ? done.get(0)?.messageId : undefined;
  if (call.method !== 'sendMessage' || !call.params.reply_markup || photoId === undefined) return call;
  return { ...call, params: { ...call.params, reply_markup: withPhotoMessage(call.params.reply_markup, photoId) } };
}

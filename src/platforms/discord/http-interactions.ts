import { DiscordAPIError, InteractionResponseType, InteractionType, MessageFlags, type REST } from 'discord.js';
import type { Logger } from '../../log.ts';
import { answerInteraction } from './answer-interaction.ts';
import type { InteractionDeps } from './handle-interaction.ts';
import { restResponder, type InitialResponse, type InteractionResponder, type WireMessage } from './interaction-responder.ts';
import { readRawInteraction, type RawInteraction } from './raw-interaction.ts';

/** What the HTTP endpoint answers Discord: a status and a JSON body. */
export interface HttpInteractionAnswer {
  status: 200 | 400 | 401 | 500;
  body: unknown;
}

/**
 * Discord codes for "this interaction's webhook is not there (yet)": a follow-up sent before
 * Discord has processed our HTTP answer. Retried briefly; anything else is a real refusal.
 */
const NOT_YET_ACKNOWLEDGED = new Set([10015, 10008, 10062]);
const ACK_RETRIES = 5;
const ACK_RETRY_BASE_MS = 100;

async function afterAcknowledged(call: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await call();
      return;
    } catch (error) {
      const waiting = error instanceof DiscordAPIError && error.status === 404 && NOT_YET_ACKNOWLEDGED.has(Number(error.code));
      if (!waiting || attempt >= ACK_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, ACK_RETRY_BASE_MS * 2 ** attempt));
    }
  }
}

/**
 * Claims an interaction id: true the first time any instance claims it. Discord never delivers an
 * interaction twice, so a repeat is a replayed request (signed, but captured on the way): refused,
 * so a command does not act twice. Rejects when it cannot tell (the store is down).
 */
export type ClaimInteraction = (id: string) => Promise<boolean>;

/**
 * Interaction ids this process has taken lately: the claim of a bot without a shared store (one
 * instance). Bounded; the route refuses timestamps older than an interaction's lifetime.
 */
export class RecentInteractions {
  readonly #ids = new Set<string>();
  constructor(private readonly max = 10_000) {}

  /** True the first time `id` is seen. */
  firstTime(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.max) this.#ids.delete(this.#ids.values().next().value!);
    return true;
  }
}

/** The deferral that stands in for a response whose files an HTTP answer cannot carry. */
function deferralFor(response: InitialResponse): InitialResponse {
  if (response.type === InteractionResponseType.UpdateMessage) return { type: InteractionResponseType.DeferredMessageUpdate };
  const flags = Number(response.data?.['flags'] ?? 0) & MessageFlags.Ephemeral;
  return { type: InteractionResponseType.DeferredChannelMessageWithSource, ...(flags ? { data: { flags } } : {}) };
}

/**
 * The responder of an interaction Discord POSTed to us: the first response becomes the body of
 * that request's answer; everything after it goes through REST with the interaction token. A
 * first response with files (the word cloud) is answered as a deferral and the message, files
 * and all, edited in through REST: the JSON answer cannot carry an upload.
 */
class HttpResponder implements InteractionResponder {
  readonly #rest: InteractionResponder;
  readonly #answer: (body: unknown) => void;
  #answered = false;

  constructor(rest: REST, interaction: RawInteraction, answer: (body: unknown) => void) {
    this.#rest = restResponder(rest, interaction);
    this.#answer = answer;
  }

  get answered(): boolean {
    return this.#answered;
  }

  async respond(response: InitialResponse): Promise<void> {
    if (this.#answered) throw new Error('interaction already answered');
    this.#answered = true;
    const files = response.files ?? [];
    if (files.length === 0) {
      this.#answer({ type: response.type, ...(response.data ? { data: response.data } : {}) });
      return;
    }
    const deferral = deferralFor(response);
    this.#answer({ type: deferral.type, ...(deferral.data ? { data: deferral.data } : {}) });
    const { flags: _flags, ...body } = response.data ?? {};
    await this.editOriginal({ body, files });
  }

  editOriginal(message: WireMessage): Promise<void> {
    return afterAcknowledged(() => this.#rest.editOriginal(message));
  }

  deleteOriginal(): Promise<void> {
    return afterAcknowledged(() => this.#rest.deleteOriginal());
  }

  followUp(message: WireMessage): Promise<void> {
    return afterAcknowledged(() => this.#rest.followUp(message));
  }
}

/**
 * Answers one interaction Discord delivered by HTTP POST (its signature already checked): PING
 * with PONG, everything else through the same handlers as over the gateway. Resolves as soon as
 * the first response is known; later edits and follow-ups continue in the background.
 */
export async function answerHttpInteraction(
  payload: unknown,
  rest: REST,
  deps: InteractionDeps,
  logger: Logger,
  claim: ClaimInteraction,
): Promise<HttpInteractionAnswer> {
  if (payload !== null && typeof payload === 'object' && (payload as { type?: unknown }).type === InteractionType.Ping) {
    return { status: 200, body: { type: InteractionResponseType.Pong } };
  }
  const interaction = readRawInteraction(payload);
  if (interaction === null) return { status: 400, body: { error: 'not an interaction' } };
  let claimed: boolean;
  try {
    claimed = await claim(interaction.id);
  } catch (error) {
    // Unknown whether another instance took it: nothing is done (Discord shows the user a failure).
    logger.error({ event: 'discord-interaction-unclaimed', interaction: interaction.id, err: error }, 'could not record an interaction; not answered');
    return { status: 500, body: { error: 'could not record the interaction' } };
  }
  if (!claimed) {
    logger.warn({ event: 'discord-interaction-replayed', interaction: interaction.id }, 'refused an interaction delivered before');
    // 401 as for any request that is not a genuine new one from Discord (README: a replay is 401).
    return { status: 401, body: { error: 'interaction already received' } };
  }
  let answer: (body: unknown) => void = () => undefined;
  const first = new Promise<unknown>((resolve) => (answer = resolve));
  const responder = new HttpResponder(rest, interaction, answer);
  const handled = answerInteraction(interaction, responder, deps).then(
    (known) => (known ? null : 'unhandled'),
    (error: unknown) => {
      logger.error({ event: 'discord-interaction-failed', interaction: interaction.id, type: interaction.type, transport: 'http', err: error }, 'could not answer an interaction');
      return 'failed';
    },
  );
  const outcome = await Promise.race([first.then((body) => ({ body })), handled.then((failure) => ({ failure }))]);
  if ('body' in outcome) return { status: 200, body: outcome.body };
  // The handler finished without a first response: nothing to say (an unknown kind) or it failed first.
  if (responder.answered) return { status: 200, body: await first };
  return outcome.failure === 'unhandled' ? { status: 400, body: { error: 'unsupported interaction' } } : { status: 500, body: { error: 'failed' } };
}

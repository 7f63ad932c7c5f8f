import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../log.ts';
import type { WebhookAnswer, WebhookHandler } from '../webhook.ts';
import { secretMatches } from './webhook-secret.ts';

/** The header Telegram puts the webhook's `secret_token` in. */
export const TELEGRAM_SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

export interface TelegramWebhookReceiverOptions {
  secret: string;
  /**
   * Claims an update id for this bot: true the first time, from any instance. A rejection (the
   * database is down) answers 500, so Telegram sends the update again later and nothing acted.
   */
  claimUpdate: (updateId: string) => Promise<boolean>;
  /** False before start() finished and after stop(): updates get 503 and Telegram resends them. */
  isAccepting: () => boolean;
  logger: Logger;
  /** Longest wait for grammY to take an update before answering 200 anyway (default 5 s). */
  answerWithinMs?: number;
}

const answer = (status: WebhookAnswer['status'], body: string): WebhookAnswer => ({ status, body });

/**
 * `POST /telegram/webhook`: the secret header is checked first (401, body unread, nothing done),
 * then the update is claimed in the store and only the first claim is handed to grammY
 * (`bot.handleUpdate`), so an update Telegram resends (its answer was lost or late, or it reached
 * another instance first) acts once.
 *
 * The claim comes before the handling on purpose: Telegram resends an update that got no 200, so
 * an update must act at most once rather than at least once — an instance that dies between the
 * claim and the reply loses that one command (the user sends it again), it never answers twice.
 *
 * Answering: the command handlers run detached (they may wait for pacing), so grammY takes an
 * update in moments and 200 goes back at once. Should grammY take longer than `answerWithinMs`,
 * 200 is answered anyway and the handling goes on: the update is claimed, so a resend would only
 * be refused, and holding the answer would tie up one of Telegram's webhook connections. (grammY's
 * own webhookCallback is not used: the claim must sit between its secret check and its
 * handleUpdate, and its timeout either fails the request or drops the wait just the same.)
 */
export function createTelegramWebhookReceiver(bot: Bot, options: TelegramWebhookReceiverOptions): WebhookHandler {
  const { logger } = options;
  const answerWithinMs = options.answerWithinMs ?? 5000;
  return async (request) => {
    if (!secretMatches(request.header(TELEGRAM_SECRET_HEADER), options.secret)) {
      logger.warn({ event: 'telegram-webhook', outcome: 'unauthorized' }, 'webhook request without the right secret refused');
      return answer(401, 'unauthorized\n');
    }
    if (!options.isAccepting()) return answer(503, 'not ready\n');
    let update: Update;
    try {
      update = parseUpdate(await request.text());
    } catch (error) {
      logger.warn({ event: 'telegram-webhook', outcome: 'bad-request', reason: (error as Error).message }, 'webhook body is not an update');
      return answer(400, 'not a Telegram update\n');
    }
    const updateId = String(update.update_id);
    let first: boolean;
    try {
      // Update ids count per bot: the bot's id in the key keeps two bots sharing a database apart.
      first = await options.claimUpdate(`${bot.botInfo.id}:${updateId}`);
    } catch (error) {
      logger.error({ event: 'telegram-webhook', update: updateId, outcome: 'store-failed', reason: (error as Error).message }, 'cannot record the update; Telegram will resend it');
      return answer(500, 'cannot record the update; send it again later\n');
    }
    if (!first) {
      logger.info({ event: 'telegram-webhook', update: updateId, outcome: 'duplicate' }, 'update already handled');
      return answer(200, 'duplicate\n');
    }
    const handled = bot.handleUpdate(update).then(
      () => true,
      (error: unknown) => {
        const reason = error instanceof Error && 'error' in error ? String((error as { error: unknown }).error) : String(error);
        logger.error({ event: 'telegram-update-failed', update: updateId, reason }, 'update handling failed');
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), answerWithinMs);
      timer.unref();
    });
    const inTime = await Promise.race([handled, late]);
    clearTimeout(timer);
    if (!inTime) logger.warn({ event: 'telegram-webhook', update: updateId, outcome: 'slow', ms: answerWithinMs }, 'answered before the update was handled');
    return answer(200, 'ok\n');
  };
}

/** The body as an Update: a JSON object with a non-negative integer `update_id`. */
function parseUpdate(text: string): Update {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  const id = (value as { update_id?: unknown }).update_id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new Error('no update_id');
  return value as Update;
}

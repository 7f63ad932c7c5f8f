import type { Logger } from '../../log.ts';
import type { WebhookAnswer, WebhookHandler } from '../webhook.ts';
import { ed25519PublicKey, verifyEd25519 } from './ed25519-signature.ts';
import type { HttpInteractionAnswer } from './http-interactions.ts';

/**
 * A signed request older (or further ahead) than this is refused: an interaction can be answered
 * for 15 minutes at most, so an older one can only be a replay. Also bounds what the platform's
 * memory of recent interaction ids must cover.
 */
const TIMESTAMP_TOLERANCE_S = 15 * 60;

export interface DiscordInteractionsReceiverOptions {
  /** DISCORD_PUBLIC_KEY: the application's Ed25519 public key, 64 hex characters. */
  publicKey: string;
  /** Answers one verified interaction: the status and JSON body of the HTTP response. */
  answer(payload: unknown): Promise<HttpInteractionAnswer>;
  logger: Logger;
}

const json = (status: WebhookAnswer['status'], body: unknown): WebhookAnswer => ({ status, body: JSON.stringify(body), contentType: 'application/json' });

/**
 * `POST /discord/interactions`: a request is handed on only when its Ed25519 signature
 * (`X-Signature-Ed25519` over `X-Signature-Timestamp` + the raw body bytes) verifies with the
 * application's public key; anything else (missing headers, a bad signature, a body changed after
 * signing) is 401 and nothing is done. Discord itself sends such requests to check the endpoint.
 */
export function createDiscordInteractionsReceiver(options: DiscordInteractionsReceiverOptions): WebhookHandler {
  const { logger } = options;
  const key = ed25519PublicKey(options.publicKey);
  return async (request) => {
    const signature = request.header('X-Signature-Ed25519');
    const timestamp = request.header('X-Signature-Timestamp');
    const body = await request.bytes();
    if (!signature || !timestamp || !verifyEd25519(key, signature, timestamp, body)) {
      logger.info({ event: 'discord-interaction-unsigned', signed: Boolean(signature && timestamp) }, 'refused an interaction request with a missing or bad signature');
      return json(401, { error: 'invalid request signature' });
    }
    if (!(Math.abs(Date.now() / 1000 - Number(timestamp)) <= TIMESTAMP_TOLERANCE_S)) {
      logger.warn({ event: 'discord-interaction-stale', timestamp }, 'refused a signed interaction request with a stale timestamp (a replay, or this clock is off)');
      return json(401, { error: 'stale request timestamp' });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return json(400, { error: 'body is not JSON' });
    }
    try {
      const answer = await options.answer(payload);
      return json(answer.status, answer.body);
    } catch (error) {
      logger.error({ event: 'discord-interaction-failed', transport: 'http', err: error }, 'could not answer an interaction');
      return json(500, { error: 'failed' });
    }
  };
}

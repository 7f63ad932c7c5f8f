import type { Hono } from 'hono';
import type { Logger } from '../log.ts';
import { ed25519PublicKey, verifyEd25519 } from './ed25519-signature.ts';

/** Discord's HTTP interactions, as the route needs them; implemented in platforms/discord. */
export interface DiscordInteractionsEndpoint {
  /** DISCORD_PUBLIC_KEY: the application's Ed25519 public key, 64 hex characters. */
  publicKey: string;
  /** Answers one verified interaction: the status and JSON body of the HTTP response. */
  answer(payload: unknown): Promise<{ status: number; body: unknown }>;
}

/**
 * A signed request older (or further ahead) than this is refused: an interaction can be answered
 * for 15 minutes at most, so an older one can only be a replay. Also bounds what the platform's
 * memory of recent interaction ids must cover.
 */
const TIMESTAMP_TOLERANCE_S = 15 * 60;

/** Where Discord posts interactions; this path goes in the Developer Portal after PUBLIC_URL. */
export const DISCORD_INTERACTIONS_PATH = '/discord/interactions';

/**
 * `POST /discord/interactions`: a request is handed on only when its Ed25519 signature
 * (`X-Signature-Ed25519` over `X-Signature-Timestamp` + the raw body bytes) verifies with the
 * application's public key; anything else (missing headers, a bad signature, a body changed after
 * signing) is 401 and nothing is done. Discord itself sends such requests to check the endpoint.
 */
export function mountDiscordInteractions(app: Hono, endpoint: DiscordInteractionsEndpoint, logger: Logger): void {
  const key = ed25519PublicKey(endpoint.publicKey);
  app.post(DISCORD_INTERACTIONS_PATH, async (c) => {
    const signature = c.req.header('X-Signature-Ed25519');
    const timestamp = c.req.header('X-Signature-Timestamp');
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (!signature || !timestamp || !verifyEd25519(key, signature, timestamp, body)) {
      logger.info({ event: 'discord-interaction-unsigned', signed: Boolean(signature && timestamp) }, 'refused an interaction request with a missing or bad signature');
      return c.json({ error: 'invalid request signature' }, 401);
    }
    if (!(Math.abs(Date.now() / 1000 - Number(timestamp)) <= TIMESTAMP_TOLERANCE_S)) {
      logger.warn({ event: 'discord-interaction-stale', timestamp }, 'refused a signed interaction request with a stale timestamp (a replay, or this clock is off)');
      return c.json({ error: 'stale request timestamp' }, 401);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(body));
    } catch {
      return c.json({ error: 'body is not JSON' }, 400);
    }
    const answer = await endpoint.answer(payload);
    return c.json(answer.body as object, answer.status as 200);
  });
}

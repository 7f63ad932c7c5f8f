import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { TELEGRAM_WEBHOOK_PATH, type WebhookHandler } from '../platforms/webhook.ts';

/** The platforms' webhook endpoints; an absent one is not mounted (404). */
export interface WebhookRoutes {
  telegram?: WebhookHandler | null;
}

/**
 * Telegram updates are a few kilobytes; anything far bigger is not one, and is refused before it
 * is read into memory.
 */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Mounts `POST /telegram/webhook`: a thin adapter from the hono request to the platform's handler
 * (which checks the secret, dedupes and hands the update to the platform library).
 */
export function mountWebhooks(app: Hono, routes: WebhookRoutes): void {
  const telegram = routes.telegram;
  if (!telegram) return;
  app.post(TELEGRAM_WEBHOOK_PATH, bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.text('body too large\n', 413) }), async (c) => {
    const { status, body } = await telegram({ header: (name) => c.req.header(name), text: () => c.req.text() });
    c.header('Cache-Control', 'no-store');
    return c.text(body, status);
  });
}

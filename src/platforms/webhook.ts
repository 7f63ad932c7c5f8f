/**
 * The neutral contract between the HTTP server and a platform adapter that receives updates over
 * a webhook: the route turns a request into a WebhookRequest, the adapter answers. Neither side
 * knows the other's library (hono, grammY).
 */

/** Where Telegram posts updates, under PUBLIC_URL. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/** An incoming webhook request, as the HTTP layer hands it over. */
export interface WebhookRequest {
  /** A request header (case-insensitive), or undefined. */
  header(name: string): string | undefined;
  /** The raw body as text (read only once the request was authenticated). */
  text(): Promise<string>;
}

/** What to answer: the status is what the platform acts on (a non-2xx makes Telegram resend). */
export interface WebhookAnswer {
  status: 200 | 400 | 401 | 500 | 503;
  /** A short plain-text body for humans reading a proxy's log. */
  body: string;
}

/** A platform's webhook endpoint. Never rejects: every outcome is an answer. */
export type WebhookHandler = (request: WebhookRequest) => Promise<WebhookAnswer>;

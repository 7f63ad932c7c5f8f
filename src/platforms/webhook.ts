/**
 * The neutral contract between the HTTP server and a platform adapter that receives requests from
 * its platform over HTTP (Telegram's webhook, Discord's HTTP interactions): the route turns a
 * request into a WebhookRequest, the adapter answers. Neither side knows the other's library
 * (hono, grammY, discord.js); the HTTP server mounts whatever routes the platforms declare.
 */

/** Where Telegram posts updates, under PUBLIC_URL. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/** Where Discord posts interactions; this path goes in the Developer Portal after PUBLIC_URL. */
export const DISCORD_INTERACTIONS_PATH = '/discord/interactions';

/**
 * An incoming webhook request, as the HTTP layer hands it over. The body has already passed the
 * HTTP server's size limit for the route when the adapter reads it.
 */
export interface WebhookRequest {
  /** A request header (case-insensitive), or undefined. */
  header(name: string): string | undefined;
  /** The raw body as text (read only once the request was authenticated). */
  text(): Promise<string>;
  /** The raw body bytes (what a signature is computed over). */
  bytes(): Promise<Uint8Array>;
}

/** What to answer: the status is what the platform acts on (a non-2xx makes Telegram resend). */
export interface WebhookAnswer {
  status: 200 | 400 | 401 | 500 | 503;
  /** Plain text for humans reading a proxy's log, or the JSON the platform reads (`contentType`). */
  body: string;
  /** Default `text/plain; charset=UTF-8`. */
  contentType?: 'application/json';
}

/** A platform's webhook endpoint. Never rejects: every outcome is an answer. */
export type WebhookHandler = (request: WebhookRequest) => Promise<WebhookAnswer>;

/** One `POST` route a platform asks the HTTP server to mount. */
export interface WebhookRoute {
  /** The path under PUBLIC_URL, e.g. TELEGRAM_WEBHOOK_PATH. */
  path: string;
  handler: WebhookHandler;
}

import type { Hono } from 'hono';
import type { WebhookRoute } from '../platforms/webhook.ts';

/**
 * Mounts each platform's `POST` route from the table the platforms declare (Telegram's webhook,
 * Discord's HTTP interactions): a thin adapter from the hono request to the platform's handler,
 * which authenticates, dedupes and hands the request to the platform library. A platform that
 * receives otherwise declares none, and its path is 404. Body limits are applied before this
 * (body-limits.ts).
 */
export function mountWebhooks(app: Hono, routes: readonly WebhookRoute[]): void {
  for (const route of routes) {
    app.post(route.path, async (c) => {
      const answer = await route.handler({
        header: (name) => c.req.header(name),
        text: () => c.req.text(),
        bytes: async () => new Uint8Array(await c.req.arrayBuffer()),
      });
      c.header('Cache-Control', 'no-store');
      return c.body(answer.body, answer.status, { 'Content-Type': answer.contentType ?? 'text/plain; charset=UTF-8' });
    });
  }
}

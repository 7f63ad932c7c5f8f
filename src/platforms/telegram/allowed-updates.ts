/**
 * The update types the bot handles, asked for by name: Telegram sends only these (getUpdates'
 * and setWebhook's `allowed_updates`). Commands arrive as `message` / `channel_post`, button
 * presses as `callback_query`, `@bot …` typed in any chat as `inline_query`.
 */
export const ALLOWED_UPDATES = ['message', 'channel_post', 'callback_query', 'inline_query'] as const;

import type { Update } from 'grammy/types';

/** The webhook a bot registered with setWebhook, as getWebhookInfo describes it. */
export interface FakeWebhookSettings {
  url: string;
  /** `secret_token`: sent as `X-Telegram-Bot-Api-Secret-Token` with every update; null when none was set. */
  secretToken: string | null;
  /** `allowed_updates`, or null for Telegram's default (every type but a few). */
  allowedUpdates: string[] | null;
}

/** One POST of an update to a webhook. */
export interface WebhookDelivery {
  updateId: number;
  url: string;
  /** 1 for the first try, 2 for the first resend … */
  attempt: number;
  /** The HTTP status answered; 0 when no answer came (connection refused or reset, timeout). */
  status: number;
  time: number;
}

/** The header Telegram puts the webhook's secret token in. */
export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

/**
 * Posts one update to a webhook the way Telegram does: JSON body, the secret token in its header
 * (none when null). Resolves with the HTTP status, 0 when no answer came within `timeoutMs`.
 */
export async function postUpdate(url: string, update: Update, secretToken: string | null, timeoutMs: number): Promise<number> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secretToken === null ? {} : { [SECRET_HEADER]: secretToken }) },
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  } catch {
    return 0;
  }
}

/** The update's type: its one field besides `update_id`. */
export function updateType(update: Update): string {
  return Object.keys(update).find((k) => k !== 'update_id') ?? '';
}

/**
 * Telegram's side of a webhook: updates are posted one at a time, in order, to the registered URL;
 * an update not answered with a 2xx is posted again after a pause (growing with each attempt) and
 * holds back the ones behind it, until it gets a 2xx or `maxAttempts` is reached (then it is
 * dropped, as Telegram gives up "after a reasonable amount of attempts"). The real Telegram waits
 * longer between resends (seconds to minutes); the fake's pauses are short so tests run fast.
 */
export class FakeWebhookDelivery {
  settings: FakeWebhookSettings | null = null;
  readonly deliveries: WebhookDelivery[] = [];
  /** The last failed delivery, for getWebhookInfo's last_error_*. */
  lastError: { date: number; message: string } | null = null;
  retryDelayMs = 30;
  maxAttempts = 20;
  timeoutMs = 10_000;
  private readonly queue: Update[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  /** Updates waiting to be delivered (getWebhookInfo's pending_update_count). */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues an update of an allowed type; the delivery loop starts if idle. */
  enqueue(update: Update): void {
    const allowed = this.settings?.allowedUpdates;
    if (allowed && allowed.length > 0 && !allowed.includes(updateType(update))) return;
    this.queue.push(update);
    this.running ??= this.run().finally(() => (this.running = null));
  }

  /** Takes back every update not delivered yet (a deleteWebhook keeps them for getUpdates). */
  drain(): Update[] {
    return this.queue.splice(0, this.queue.length);
  }

  /** Resolves once nothing is queued or being delivered; rejects after `timeoutMs`. */
  async idle(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running !== null || this.queue.length > 0) {
      if (Date.now() > deadline) throw new Error(`fake telegram: webhook still has ${this.queue.length} update(s) to deliver`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private async run(): Promise<void> {
    let attempt = 1;
    while (!this.stopped && this.settings !== null && this.queue.length > 0) {
      const update = this.queue[0]!;
      const { url, secretToken } = this.settings;
      const status = await postUpdate(url, update, secretToken, this.timeoutMs);
      this.deliveries.push({ updateId: update.update_id, url, attempt, status, time: Date.now() });
      if ((status >= 200 && status < 300) || attempt >= this.maxAttempts) {
        if (this.queue[0] === update) this.queue.shift();
        if (status < 200 || status >= 300) this.lastError = { date: Math.floor(Date.now() / 1000), message: describe(status) };
        attempt = 1;
        continue;
      }
      this.lastError = { date: Math.floor(Date.now() / 1000), message: describe(status) };
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
      attempt += 1;
    }
  }
}

function describe(status: number): string {
  return status === 0 ? 'Connection refused' : `Wrong response from the webhook: ${status}`;
}

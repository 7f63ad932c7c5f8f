import { Bot, GrammyError, type Transformer } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { CommandRouter } from '../../commands/types.ts';
import type { Logger } from '../../log.ts';
import { renderTelegramText } from '../../render/telegram.ts';
import type { Digest } from '../../report/digest-types.ts';
import { inSendLane } from '../send-lane.ts';
import { PlatformStartError, type Destination, type DigestEditResult, type DigestPresentation, type Platform, type SendDigestOptions, type SendResult, type SentPart } from '../platform.ts';
import { editTelegramDigest } from './edit-digest.ts';
import { countAmbiguousSends } from './ambiguous-sends.ts';
import { classifyTelegramError, scrubToken } from './classify-error.ts';
import { ALLOWED_UPDATES } from './allowed-updates.ts';
import { receiveCallbacks } from './receive-callbacks.ts';
import { receiveCommands } from './receive-commands.ts';
import { receiveInlineQueries } from './receive-inline.ts';
import { registerTelegramCommands } from './register-commands.ts';
import { DEFAULT_RETRY, retryTransformer, type RetryOptions } from './retry.ts';
import { sendTelegramCalls } from './send-calls.ts';
import { PhotoFileIds, type PhotoFileIdOptions } from './photo-file-ids.ts';
import { DigestProgressMemory, sendTelegramDigest } from './send-digest.ts';
import { DEFAULT_PACING, SendPacer, type PacingLimits } from './send-pacer.ts';
import { throttleTransformer } from './throttle.ts';
import type { PlatformTelemetry } from '../../telemetry.ts';
import { TELEGRAM_WEBHOOK_PATH, type WebhookRoute } from '../webhook.ts';
import type { RateBudget } from '../rate-budget.ts';
import { createTelegramWebhookReceiver } from './receive-webhook.ts';
import { dropMalformedUpdates } from './update-shape.ts';

/** Receiving updates over a webhook instead of polling (TELEGRAM_UPDATES=webhook). */
export interface TelegramWebhookOptions {
  /** The URL Telegram posts to: `${PUBLIC_URL}/telegram/webhook`. */
  url: string;
  /** TELEGRAM_WEBHOOK_SECRET, given to setWebhook as `secret_token` and required on every update. */
  secret: string;
  /** Claims an update (`<bot id>:<update_id>`) in the shared store: true the first time, from any instance. */
  claimUpdate: (updateId: string) => Promise<boolean>;
  /** See TelegramWebhookReceiverOptions.answerWithinMs. */
  answerWithinMs?: number;
}

export interface TelegramPlatformOptions {
  token: string;
  /** A self-hosted Bot API server, or the fake in tests; Telegram's own when null/absent. */
  apiRoot?: string | null;
  router: CommandRouter;
  logger: Logger;
  /** Telegram user ids (as strings) from config `owners`. */
  owners: readonly string[];
  /** Skips getMe at start (tests, or a known bot). */
  botInfo?: UserFromGetMe;
  /** Flood-control figures to pace under; TELEGRAM_LIMITS by default. */
  pacing?: Partial<PacingLimits>;
  /**
   * The bot token's rate budget shared with the other instances (PostgresRateBudget with
   * DATABASE_URL); absent: this process alone sends with the token, the pacer's limits suffice.
   */
  rateBudget?: RateBudget;
  /** In-place retries of single calls (429, 5xx, network). */
  retry?: Partial<RetryOptions>;
  /** Per-request timeout; must exceed the 30 s long-polling wait. */
  requestTimeoutSeconds?: number;
  /** How long start() waits for Telegram to answer getMe before calling the attempt failed (default 15 s). */
  startTimeoutMs?: number;
  /** The memory of uploaded pictures' file_ids (DEFAULT_PHOTO_FILE_IDS). */
  photoFileIds?: Partial<PhotoFileIdOptions>;
  /** Told of each 429 and each retried call (the metrics). */
  telemetry?: PlatformTelemetry;
  /**
   * Digests sent through sendDigest (to subscribers) carry `allow_paid_broadcast: true`, paced
   * at the paid ceiling (config `telegram.paidBroadcast`). Command answers never do.
   */
  paidBroadcast?: boolean;
  /**
   * Each point's detail in an expandable blockquote unless a subscription says otherwise (config
   * `telegram.collapseDetails`, default true); command replies and button edits follow it too.
   */
  collapseDetails?: boolean;
  /** The digest's last message previews the full-report link (config `telegram.previewReportLink`). */
  previewReportLink?: boolean;
  /**
   * Receive updates over this webhook (start() calls setWebhook and does not poll; the HTTP
   * server routes `POST /telegram/webhook` to `webhookRoute`). Absent or null: long polling.
   */
  webhook?: TelegramWebhookOptions | null;
}

/**
 * The Telegram adapter: long polling or a webhook for commands (private chats, groups, forum topics, channels),
 * digests and notices sent through a pacer that keeps under Telegram's flood limits, retrying
 * single calls in place, and every failure reported as a SendError.
 */
export class TelegramPlatform implements Platform {
  readonly name = 'telegram' as const;
  private readonly bot: Bot;
  private readonly logger: Logger;
  private readonly token: string;
  private readonly router: CommandRouter;
  private readonly running: Set<Promise<void>>;
  private readonly startTimeoutMs: number;
  private readonly paidBroadcast: boolean;
  /** How digests are shown where nothing else decides (see TelegramPlatformOptions). */
  private readonly rendering: { collapseDetails: boolean; previewReportLink: boolean };
  private readonly progress = new DigestProgressMemory();
  /** Every send's turn under Telegram's flood limits (the api's throttle transformer). */
  private readonly pacer: SendPacer;
  /** Each word cloud is uploaded once; later sends, to any chat, pass Telegram's file_id. */
  private readonly photos: PhotoFileIds;
  private polling: Promise<void> | null = null;
  private readonly fatalListeners: Array<(error: PlatformStartError) => void> = [];
  private readonly webhook: TelegramWebhookOptions | null;
  /** Webhook mode: true between a successful start() and stop(). */
  private receiving = false;
  private lastUpdateId = 0;
  /**
   * Webhook mode: `POST /telegram/webhook` for the HTTP server to mount (answers 503 until start()
   * has set the webhook). Null in polling mode.
   */
  readonly webhookRoute: WebhookRoute | null;

  constructor(options: TelegramPlatformOptions) {
    this.token = options.token;
    this.router = options.router;
    this.startTimeoutMs = options.startTimeoutMs ?? 15_000;
    this.paidBroadcast = options.paidBroadcast ?? false;
    this.rendering = { collapseDetails: options.collapseDetails ?? true, previewReportLink: options.previewReportLink ?? false };
    this.photos = new PhotoFileIds(options.photoFileIds);
    this.logger = options.logger.child({ platform: 'telegram' });
    this.bot = new Bot(options.token, {
      ...(options.botInfo ? { botInfo: options.botInfo } : {}),
      client: {
        // grammY refuses a root with a trailing slash; an env value may well have one.
        ...(options.apiRoot ? { apiRoot: options.apiRoot.replace(/\/+$/, '') } : {}),
        timeoutSeconds: options.requestTimeoutSeconds ?? 75,
      },
    });
    const pacer = new SendPacer({ ...DEFAULT_PACING, ...options.pacing }, Date.now, options.rateBudget);
    this.pacer = pacer;
    const telemetry = options.telemetry;
    // Innermost, so it sees every answer Telegram gives, retried or not.
    if (telemetry) this.bot.api.config.use(count429s(() => telemetry.rateLimited('telegram')));
    // Order matters: the retry wraps the throttle, so every retry waits for its turn again.
    this.bot.api.config.use(throttleTransformer(pacer));
    this.bot.api.config.use(
      retryTransformer({ ...DEFAULT_RETRY, ...options.retry }, ({ ambiguous, ...event }) => {
        telemetry?.sendRetried('telegram');
        if (ambiguous) {
          telemetry?.ambiguousSend('telegram');
          this.logger.warn({ event: 'delivery.ambiguous', ...event }, 'answer lost; sending again may repeat the message');
        } else {
          this.logger.info({ event: 'telegram-retry', ...event }, 'telegram call retried');
        }
      }),
    );
    this.bot.catch((error) => {
      this.logger.error({ event: 'telegram-update-failed', reason: this.scrub(String(error.error)) }, 'update handling failed');
    });
    // The newest update polled, for confirming it again at a stop (see stop()).
    this.bot.use((ctx, next) => {
      this.lastUpdateId = Math.max(this.lastUpdateId, ctx.update.update_id);
      return next();
    });
    // First of all middleware that reads: an update the handlers cannot read never reaches them.
    this.bot.use(dropMalformedUpdates(this.logger));
    this.running = receiveCommands(this.bot, {
      router: options.router,
      owners: options.owners,
      logger: this.logger,
      token: options.token,
      photos: this.photos,
      rendering: this.rendering,
    });
    const interactive = { router: options.router, owners: options.owners, logger: this.logger, photos: this.photos, rendering: this.rendering };
    receiveCallbacks(this.bot, interactive, this.running);
    receiveInlineQueries(this.bot, interactive, this.running);
    this.webhook = options.webhook ?? null;
    this.webhookRoute = this.webhook
      ? {
          path: TELEGRAM_WEBHOOK_PATH,
          handler: createTelegramWebhookReceiver(this.bot, {
            secret: this.webhook.secret,
            claimUpdate: this.webhook.claimUpdate,
            isAccepting: () => this.receiving,
            logger: this.logger,
            ...(this.webhook.answerWithinMs === undefined ? {} : { answerWithinMs: this.webhook.answerWithinMs }),
          }),
        }
      : null;
  }

  /** Polling running, or the webhook set and not yet deleted by stop(). */
  connected(): boolean {
    return this.webhook ? this.receiving : this.polling !== null && this.bot.isRunning();
  }

  /** How updates arrive, for /readyz and the status page. */
  statusDetail(): string {
    return this.webhook ? `webhook ${this.webhook.url}` : 'polling';
  }

  /**
   * Checks the token (getMe), then polls for updates in the background and publishes the command
   * menu; resolves once polling runs. A token Telegram refuses (401, or 404 for one that is not a
   * token at all) rejects with a permanent PlatformStartError. Telegram unreachable, answering 5xx
   * or not answering within `startTimeoutMs` rejects with a transient one: the caller retries
   * start() later while the rest of the bot runs.
   */
  async start(): Promise<void> {
    if (this.polling || this.receiving) return;
    if (!this.bot.isInited()) {
      try {
        // Our retry transformer retries getMe a few times in place; the signal bounds the attempt.
        const signal = AbortSignal.timeout(this.startTimeoutMs) as unknown as Parameters<Bot['api']['getMe']>[0];
        this.bot.botInfo = await this.bot.api.getMe(signal);
      } catch (error) {
        throw this.startError(error);
      }
    }
    if (this.webhook) return this.startWebhook(this.webhook);
    // Polling: grammY's start() first calls deleteWebhook (getUpdates answers 409 while a webhook
    // is set), so switching an instance back from webhook mode needs nothing else.
    await new Promise<void>((resolve, reject) => {
      let started = false;
      this.polling = this.bot
        .start({
          allowed_updates: [...ALLOWED_UPDATES],
          onStart: async (me) => {
            await this.registerCommands();
            this.logger.info({ event: 'telegram-started', bot: me.username }, 'telegram polling');
            started = true;
            resolve();
          },
        })
        .catch((error: unknown) => {
          // grammY retries network errors and 5xx itself; it stops only on 401 (token revoked) or
          // 409 (another process polls with this token). Either needs the operator.
          const failure = this.startError(error, true);
          this.logger.error({ event: 'telegram-polling-stopped', reason: failure.message }, 'telegram polling failed');
          this.polling = null;
          if (!started) reject(failure);
          else for (const listener of this.fatalListeners) listener(failure);
        });
    });
  }

  /**
   * Webhook mode: tells Telegram where to post updates, with the secret and the update types the
   * bot handles, then accepts them. Every instance calls it at start with the same values, so the
   * last one changes nothing. The webhook is left in place at stop: the other instances go on
   * receiving (deleting it is what switching back to polling does).
   */
  private async startWebhook(webhook: TelegramWebhookOptions): Promise<void> {
    try {
      const signal = AbortSignal.timeout(this.startTimeoutMs) as unknown as Parameters<Bot['api']['setWebhook']>[2];
      await this.bot.api.setWebhook(webhook.url, { secret_token: webhook.secret, allowed_updates: [...ALLOWED_UPDATES] }, signal);
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 400) {
        scrubToken(error, this.token);
        throw new PlatformStartError('telegram', true, `Telegram refused the webhook ${webhook.url} (400 ${error.description}): check PUBLIC_URL`, { cause: error });
      }
      throw this.startError(error);
    }
    await this.registerCommands();
    this.receiving = true;
    this.logger.info({ event: 'telegram-started', bot: this.bot.botInfo.username, mode: 'webhook', url: webhook.url }, 'telegram receiving updates by webhook');
  }

  onFatalError(listener: (error: PlatformStartError) => void): void {
    this.fatalListeners.push(listener);
  }

  /** A start-up failure as permanent (the token or the setup is refused) or transient. */
  private startError(error: unknown, stoppedPolling = false): PlatformStartError {
    scrubToken(error, this.token);
    if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
      return new PlatformStartError('telegram', true, `Telegram refused the token (${error.error_code} ${error.description}): check TELEGRAM_BOT_TOKEN`, { cause: error });
    }
    if (error instanceof GrammyError && error.error_code === 409) {
      return new PlatformStartError('telegram', true, `another process is receiving updates with this token (409 ${error.description}): run one bot per token`, { cause: error });
    }
    return new PlatformStartError('telegram', stoppedPolling, `cannot reach Telegram: ${this.describe(error)}`, { cause: error });
  }

  /** Stops polling and waits for the commands being answered. */
  async stop(): Promise<void> {
    // Webhook mode: from now on updates get 503, so Telegram resends them (to another instance).
    this.receiving = false;
    if (this.bot.isRunning()) {
      try {
        await this.bot.stop();
      } catch {
        // grammY's stop aborts the long poll, then confirms the updates handled with one more
        // getUpdates, which can meet the kept-alive connection the abort just closed: once more.
        try {
          await this.bot.api.getUpdates({ offset: this.lastUpdateId + 1, limit: 1, timeout: 0 });
        } catch (error) {
          // Telegram unreachable: the last updates are fetched again next start (and claimed once).
          this.logger.warn({ event: 'telegram-stop', reason: this.describe(error) }, 'telegram stop incomplete');
        }
      }
    }
    await this.polling;
    await Promise.allSettled([...this.running]);
  }

  /** The menu is a convenience: commands still work without it, so a failure is only logged. */
  private async registerCommands(): Promise<void> {
    try {
      await registerTelegramCommands(this.bot.api, this.router.definitions);
    } catch (error) {
      this.logger.warn({ event: 'telegram-commands-not-registered', reason: this.describe(error) }, 'setMyCommands failed');
    }
  }

  async sendDigest(destination: Destination, digest: Digest, idempotencyKey: string, options: SendDigestOptions = {}): Promise<SendResult> {
    // Telegram has no idempotent send. Delivery passes the parts its ledger recorded, so a resend
    // after a crash or a part-way failure skips the messages that already went out; without them,
    // the key lets a resend in this process do the same from memory. A request whose answer was
    // lost and that was sent again is counted (it may show twice): that window cannot be closed.
    // A digest to a subscriber waits in the bulk lane, even when a reader's /repost started it.
    const sent = await countAmbiguousSends(() =>
      inSendLane('bulk', () => sendTelegramDigest(this.bot.api, destination, digest, this.logger, {
        ...options,
        resume: { memory: this.progress, key: idempotencyKey },
        photos: this.photos,
        paidBroadcast: this.paidBroadcast,
        ...this.rendering,
        untilChatReady: () => this.pacer.whenChatReady(destination.chatId, options.signal),
      })),
    );
    const ambiguous = sent.ambiguous > 0 ? { ambiguousSends: sent.ambiguous } : {};
    try {
      if ('error' in sent) throw sent.error;
      const result = { ...sent.value, ...ambiguous };
      this.logger.info(
        { event: 'telegram-digest', destination: destination.chatId, slug: digest.slug, key: idempotencyKey, outcome: 'ok', messages: result.messageIds.length, imageDropped: result.imageDropped },
        'digest sent',
      );
      return result;
    } catch (error) {
      const failure = classifyTelegramError(error, destination, this.token);
      if (sent.ambiguous > 0) failure.details.ambiguousSends = sent.ambiguous;
      this.logger.warn(
        { event: 'telegram-digest', destination: destination.chatId, slug: digest.slug, key: idempotencyKey, outcome: failure.kind, reason: failure.message },
        'digest not sent',
      );
      throw failure;
    }
  }

  async editDigest(destination: Destination, digest: Digest, delivered: readonly SentPart[], presentation?: DigestPresentation): Promise<DigestEditResult> {
    try {
      return await editTelegramDigest(this.bot.api, destination, digest, delivered, this.logger, presentation, this.rendering);
    } catch (error) {
      throw classifyTelegramError(error, destination, this.token);
    }
  }

  async sendNotice(destination: Destination, text: string): Promise<void> {
    try {
      await sendTelegramCalls(this.bot.api, destination, renderTelegramText(text), this.logger);
    } catch (error) {
      throw classifyTelegramError(error, destination, this.token);
    }
  }

  private describe(error: unknown): string {
    return this.scrub(error instanceof Error ? error.message : String(error));
  }

  private scrub(text: string): string {
    return text.split(this.token).join('[redacted]');
  }
}

/** A grammY transformer that reports each 429 answer (getUpdates included) and changes nothing. */
function count429s(on429: () => void): Transformer {
  return async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (!result.ok && result.error_code === 429) on429();
    return result;
  };
}

import { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { CommandRouter } from '../../commands/types.ts';
import { DigestError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { renderTelegramText } from '../../render/telegram.ts';
import type { Digest } from '../../report/digest-types.ts';
import type { Destination, Platform, SendResult } from '../platform.ts';
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
  /** In-place retries of single calls (429, 5xx, network). */
  retry?: Partial<RetryOptions>;
  /** Per-request timeout; must exceed the 30 s long-polling wait. */
  requestTimeoutSeconds?: number;
  /** How long start() waits for Telegram before carrying on in the background (default 15 s). */
  startTimeoutMs?: number;
  /** The memory of uploaded pictures' file_ids (DEFAULT_PHOTO_FILE_IDS). */
  photoFileIds?: Partial<PhotoFileIdOptions>;
}

/**
 * The Telegram adapter: long polling for commands (private chats, groups, forum topics, channels),
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
  private readonly progress = new DigestProgressMemory();
  /** Each word cloud is uploaded once; later sends, to any chat, pass Telegram's file_id. */
  private readonly photos: PhotoFileIds;
  private polling: Promise<void> | null = null;

  constructor(options: TelegramPlatformOptions) {
    this.token = options.token;
    this.router = options.router;
    this.startTimeoutMs = options.startTimeoutMs ?? 15_000;
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
    const pacer = new SendPacer({ ...DEFAULT_PACING, ...options.pacing });
    // Order matters: the retry wraps the throttle, so every retry waits for its turn again.
    this.bot.api.config.use(throttleTransformer(pacer));
    this.bot.api.config.use(
      retryTransformer({ ...DEFAULT_RETRY, ...options.retry }, (event) =>
        this.logger.info({ event: 'telegram-retry', ...event }, 'telegram call retried'),
      ),
    );
    this.bot.catch((error) => {
      this.logger.error({ event: 'telegram-update-failed', reason: this.scrub(String(error.error)) }, 'update handling failed');
    });
    this.running = receiveCommands(this.bot, {
      router: options.router,
      owners: options.owners,
      logger: this.logger,
      token: options.token,
      photos: this.photos,
    });
    const interactive = { router: options.router, owners: options.owners, logger: this.logger, photos: this.photos };
    receiveCallbacks(this.bot, interactive, this.running);
    receiveInlineQueries(this.bot, interactive, this.running);
  }

  /**
   * Checks the token (getMe), then polls for updates in the background and publishes the command
   * menu. A refused token rejects at once. When Telegram cannot be reached, grammY keeps trying;
   * after `startTimeoutMs` start() resolves with a warning so the rest of the bot (Discord, the
   * scheduler) is not held up, and polling begins whenever Telegram answers.
   */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.polling = this.bot
        .start({
          allowed_updates: [...ALLOWED_UPDATES],
          onStart: async (me) => {
            await this.registerCommands();
            this.logger.info({ event: 'telegram-started', bot: me.username }, 'telegram polling');
            resolve();
          },
        })
        .catch((error: unknown) => {
          scrubToken(error, this.token);
          this.logger.error({ event: 'telegram-polling-stopped', reason: this.describe(error) }, 'telegram polling failed');
          reject(new DigestError(`telegram: cannot start the bot: ${this.describe(error)}`, { cause: error }));
        });
    });
    ready.catch(() => undefined); // reported above; only awaited while start() is waiting
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), this.startTimeoutMs);
    });
    try {
      if ((await Promise.race([ready, slow])) === 'slow') {
        this.logger.warn(
          { event: 'telegram-start-pending', waitedMs: this.startTimeoutMs },
          'Telegram not reachable yet; still connecting in the background',
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops polling and waits for the commands being answered. */
  async stop(): Promise<void> {
    if (this.bot.isRunning()) {
      try {
        await this.bot.stop();
      } catch (error) {
        // Confirming the last update failed (Telegram unreachable): it is fetched again next start.
        this.logger.warn({ event: 'telegram-stop', reason: this.describe(error) }, 'telegram stop incomplete');
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

  async sendDigest(destination: Destination, digest: Digest, idempotencyKey: string): Promise<SendResult> {
    // Telegram has no idempotent send. The key lets a resend after a part-way failure skip the
    // messages that already went out; the ledger prevents whole duplicates.
    try {
      const result = await sendTelegramDigest(this.bot.api, destination, digest, this.logger, {
        resume: { memory: this.progress, key: idempotencyKey },
        photos: this.photos,
      });
      this.logger.info(
        { event: 'telegram-digest', destination: destination.chatId, slug: digest.slug, key: idempotencyKey, outcome: 'ok', messages: result.messageIds.length, imageDropped: result.imageDropped },
        'digest sent',
      );
      return result;
    } catch (error) {
      const failure = classifyTelegramError(error, destination, this.token);
      this.logger.warn(
        { event: 'telegram-digest', destination: destination.chatId, slug: digest.slug, key: idempotencyKey, outcome: failure.kind, reason: failure.message },
        'digest not sent',
      );
      throw failure;
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

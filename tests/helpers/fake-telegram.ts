import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotCommand, PhotoSize, Update, UserFromGetMe } from 'grammy/types';
import { TELEGRAM_LIMITS } from '../../src/render/limits.ts';
import { parseTelegramHtml } from '../../src/render/telegram-html.ts';
import { FakeTelegramFiles } from './fake-telegram-files.ts';
import { checkInlineKeyboard, checkInlineResults, checkLinkPreview, parseText, readLinkPreview, type LinkPreviewOptions } from './fake-telegram-markup.ts';
import { readParams, type UploadedFile } from './fake-telegram-params.ts';
import { FakeRateLimits } from './fake-telegram-rate-limits.ts';
import { buildTextUpdate } from './fake-telegram-updates.ts';
import { FakeWebhookDelivery, postUpdate, type FakeWebhookSettings, type WebhookDelivery } from './fake-telegram-webhook.ts';

export type { FakeWebhookSettings, WebhookDelivery } from './fake-telegram-webhook.ts';

/**
 * A fake Telegram Bot API server for tests: real grammY clients talk to it over HTTP on 127.0.0.1
 * (`client.apiRoot`). It validates like Telegram (HTML entities, lengths in UTF-16 units after
 * parsing, chats, forum topics, flood control) and records what was sent.
 */

export type FakeChatType = 'private' | 'group' | 'supergroup' | 'channel';

export interface FakeChat {
  id: number;
  type: FakeChatType;
  title?: string;
  isForum?: boolean;
  topics?: number[];
  admins?: number[];
  creator?: number;
  blocked?: boolean;
  kicked?: boolean;
  migratedTo?: number;
}

/** One accepted sendMessage / sendPhoto. */
export interface SentMessage {
  method: 'sendMessage' | 'sendPhoto';
  chatId: number;
  threadId: number | null;
  /** `text` of a message or `caption` of a photo, as sent (before entity parsing). */
  text: string | null;
  /** The text as a user sees it (entities parsed), or null. */
  plainText: string | null;
  parseMode: string | null;
  photo: SentPhoto | null;
  messageId: number;
  /** `Date.now()` when accepted. */
  time: number;
  /** The inline keyboard sent with it, or null. */
  replyMarkup: { inline_keyboard: Record<string, unknown>[][] } | null;
  /** Sent with `allow_paid_broadcast: true` (paced at 1,000 a second overall, paid in Stars). */
  paidBroadcast: boolean;
  /** Sent with `disable_notification: true`: members get it without a sound. */
  silent: boolean;
  /** The `link_preview_options` a sendMessage carried (as Telegram read them), or null. */
  linkPreview: LinkPreviewOptions | null;
  /**
   * Which client sent it: `<tag>` when the bot's API root was `${apiRoot}/client/<tag>` (several
   * processes sharing one token tell themselves apart this way; Telegram itself cannot), else null.
   */
  client: string | null;
}

/** A message as it stands now in its chat (after any edits). */
export interface StoredMessage {
  chatId: number;
  messageId: number;
  /** Text of a text message, caption of a photo (raw HTML as sent). */
  text: string | null;
  plainText: string | null;
  photo: SentPhoto | null;
  replyMarkup: { inline_keyboard: Record<string, unknown>[][] } | null;
  edits: number;
}

/** One accepted editMessageText / editMessageCaption / editMessageMedia. */
export interface EditRecord {
  method: 'editMessageText' | 'editMessageCaption' | 'editMessageMedia';
  chatId: number;
  messageId: number;
  time: number;
}

/** One answerCallbackQuery. */
export interface CallbackAnswer {
  callbackQueryId: string;
  text: string | null;
  showAlert: boolean;
  time: number;
}

/** One answerInlineQuery. */
export interface InlineAnswer {
  inlineQueryId: string;
  results: Record<string, unknown>[];
  time: number;
}

/**
 * The picture of an accepted sendPhoto. A photo referenced by `file_id` carries the name and size
 * of the upload that file_id came from.
 */
export interface SentPhoto {
  name: string;
  bytes: number;
  /** Whether the picture was uploaded with the request or referenced by a `file_id` issued before. */
  via: 'upload' | 'file_id';
  /** The `file_id` referenced, or for an upload the one issued for its largest size. */
  fileId: string;
}

/** Every request the server answered. */
export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  status: number;
  time: number;
}

export interface FaultSpec {
  /** Only calls for this chat fail; any chat when absent. */
  chatId?: number | string;
  /** How many calls fail (default 1). */
  times?: number;
  status: 400 | 401 | 403 | 404 | 413 | 429 | 500 | 502 | 503;
  description?: string;
  /** For 429: `parameters.retry_after` in seconds (default 1). */
  retryAfter?: number;
  /** For 400: `parameters.migrate_to_chat_id`. */
  migrateTo?: number;
  /** Answer with this non-JSON body instead (a proxy's HTML error page). */
  rawBody?: string;
}

export interface SendTextOptions {
  chatId: number;
  from?: { id: number; language_code?: string };
  threadId?: number;
  /** Post as the channel itself (`channel_post`), the way commands arrive in channels. */
  asChannelPost?: boolean;
  /** Post as an anonymous group admin (GroupAnonymousBot with `sender_chat` = the group). */
  anonymousAdmin?: boolean;
}

export interface FakeTelegram {
  readonly apiRoot: string;
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  /** Whether flood control answers 429 (default true). */
  enforceRateLimits: boolean;
  readonly sent: SentMessage[];
  readonly calls: ApiCall[];
  readonly counters: { requests: number; rateLimited: number; faultsInjected: number; hung: number };
  /**
   * Called synchronously the moment a sendMessage / sendPhoto is accepted (recorded in `sent`),
   * before its answer is written: a test can kill the bot exactly "after N messages accepted",
   * with that last message truly in flight (Telegram has it, the bot never hears back).
   */
  afterAccept: ((message: SentMessage) => void) | null;
  /** setMyCommands, keyed `<scope type>[:chat_id]|<language_code>` (e.g. `default|`, `default|en`). */
  readonly commands: Map<string, BotCommand[]>;
  addChat(chat: FakeChat): void;
  /** Changes a registered chat (block the bot, migrate a group …). */
  updateChat(id: number, change: Partial<FakeChat>): void;
  failNext(method: string, fault: FaultSpec): void;
  /**
   * The next matching call is carried out (the message is posted and recorded in `sent`), then the
   * connection is reset before the answer: the client cannot tell whether it went through.
   */
  loseAnswerNext(method: string, options?: { chatId?: number | string; times?: number }): void;
  /** Drops faults not yet used up. */
  clearFaults(): void;
  /** Between tests: drops pending faults and forgets what was sent and called (chats stay). */
  resetRecordings(): void;
  /** Every photo `file_id` issued so far stops working, as if Telegram no longer knew the files. */
  forgetFiles(): void;
  /** Accepted edits, in order. */
  readonly edits: EditRecord[];
  readonly callbackAnswers: CallbackAnswer[];
  readonly inlineAnswers: InlineAnswer[];
  /** A message as it stands now (after edits), or undefined. */
  message(chatId: number, messageId: number): StoredMessage | undefined;
  /** Someone in the chat deletes a message: editing it is refused from now on ("message to edit not found"). */
  deleteMessage(chatId: number, messageId: number): void;
  /**
   * A user presses an inline keyboard button of a message the bot sent: pushes a `callback_query`
   * update and returns its id. Throws when that message carries no button with this data (a
   * client only offers the buttons it shows).
   */
  pressButton(input: { chatId: number; messageId: number; data: string; from?: { id: number; language_code?: string } }): string;
  /** A user types `@bot <query>` in some chat: pushes an `inline_query` update; returns its id. */
  sendInlineQuery(input: { query: string; from?: { id: number; language_code?: string }; chatType?: string }): string;
  pushUpdate(update: Omit<Update, 'update_id'> & { update_id?: number }): Update;
  /** Pushes a text message (a command when it starts with `/`) as a user, admin or channel would send it. */
  sendText(text: string, options: SendTextOptions): Update;
  /**
   * Stops answering (an outage where connections open but no answer comes): every request from
   * now on is held, unanswered, until `resume()`. Only `methods` when given (e.g. the sends, so
   * polling stays up). `held` counts the requests waiting.
   */
  hang(methods?: readonly string[]): void;
  /** Ends `hang()`: the held requests are answered as if they had just arrived. */
  resume(): void;
  /**
   * Ends `hang()` the other way: the held connections are reset unanswered and unprocessed (the
   * client sees a network error), and later requests are answered normally.
   */
  unhang(): void;
  /** Requests held by `hang()` right now (`counters.hung` counts every one ever held). */
  readonly held: number;
  /**
   * The webhook set with setWebhook, or null (deleteWebhook, or never set). While one is set,
   * every update (sendText, pressButton …) is posted to it instead of waiting for getUpdates, and
   * getUpdates answers 409 Conflict, as Telegram does.
   */
  readonly webhook: FakeWebhookSettings | null;
  /** Every POST to a webhook, resends included, in order. */
  readonly webhookDeliveries: WebhookDelivery[];
  /** How the webhook is driven: the pause before resend n is `retryDelayMs * n`; giving up after `maxAttempts`. */
  readonly webhookOptions: { retryDelayMs: number; maxAttempts: number; timeoutMs: number };
  /**
   * Posts `update` once to `url` (default: the registered webhook) with the secret header
   * `secretToken` (default: the registered one; null: no header) and resolves with the HTTP status
   * (0: no answer). Not resent: a test's way to play an attacker, a replay or a second instance.
   */
  postToWebhook(update: Update, options?: { url?: string; secretToken?: string | null }): Promise<number>;
  /** Resolves once every update queued for the webhook was answered with a 2xx (or given up). */
  webhookIdle(timeoutMs?: number): Promise<void>;
  /** Resolves with `sent` once `predicate(sent)` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (sent: readonly SentMessage[]) => boolean, timeoutMs?: number): Promise<SentMessage[]>;
  close(): Promise<void>;
}

export { GROUP_ANONYMOUS_BOT_ID } from './fake-telegram-updates.ts';

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: Record<string, number>,
  ) {
    super(description);
  }
}

/** Starts the fake on an ephemeral port of 127.0.0.1. */
export async function startFakeTelegram(options: { token?: string; enforceRateLimits?: boolean } = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456:TEST-fake-token-abcdefghijklmnop';
  const botInfo: UserFromGetMe = {
    id: Number(token.split(':')[0]) || 123456,
    is_bot: true,
    first_name: 'AI Digest',
    username: 'ai_digest_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: true,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
  const chats = new Map<number, FakeChat>();
  const updates: Update[] = [];
  const pollers = new Set<() => void>();
  const faults: { method: string; fault: FaultSpec; left: number }[] = [];
  const lostAnswers: { method: string; chatId: string | undefined; left: number }[] = [];
  const limits = new FakeRateLimits();
  const storage = new FakeTelegramFiles();
  let nextUpdateId = 1;
  let nextMessageId = 1;
  let closed = false;
  /** While hanging: which methods are held (null = all), and the requests waiting for resume() / unhang(). */
  let hanging: { methods: readonly string[] | null } | null = null;
  const heldRequests = new Set<{ release: () => void; reset: () => void }>();
  const stored = new Map<string, StoredMessage>();
  const storedKey = (chatId: number, messageId: number): string => `${chatId}:${messageId}`;
  /** Callback queries pushed and not yet answered (Telegram accepts one answer each). */
  const openCallbacks = new Set<string>();
  const openInlineQueries = new Set<string>();
  let nextQueryId = 1;
  const webhook = new FakeWebhookDelivery();

  const fake: FakeTelegram = {
    apiRoot: '',
    token,
    botInfo,
    enforceRateLimits: options.enforceRateLimits ?? true,
    sent: [],
    calls: [],
    counters: { requests: 0, rateLimited: 0, faultsInjected: 0, hung: 0 },
    commands: new Map(),
    afterAccept: null,
    edits: [],
    callbackAnswers: [],
    inlineAnswers: [],
    get webhook() {
      return webhook.settings;
    },
    webhookDeliveries: webhook.deliveries,
    webhookOptions: {
      get retryDelayMs() {
        return webhook.retryDelayMs;
      },
      set retryDelayMs(ms: number) {
        webhook.retryDelayMs = ms;
      },
      get maxAttempts() {
        return webhook.maxAttempts;
      },
      set maxAttempts(n: number) {
        webhook.maxAttempts = n;
      },
      get timeoutMs() {
        return webhook.timeoutMs;
      },
      set timeoutMs(ms: number) {
        webhook.timeoutMs = ms;
      },
    },
    async postToWebhook(update, options = {}) {
      const url = options.url ?? webhook.settings?.url;
      if (!url) throw new Error('fake telegram: no webhook set and no url given');
      const secret = options.secretToken === undefined ? (webhook.settings?.secretToken ?? null) : options.secretToken;
      const status = await postUpdate(url, update, secret, webhook.timeoutMs);
      webhook.deliveries.push({ updateId: update.update_id, url, attempt: 1, status, time: Date.now() });
      return status;
    },
    webhookIdle(timeoutMs) {
      return webhook.idle(timeoutMs);
    },
    message(chatId, messageId) {
      return stored.get(storedKey(chatId, messageId));
    },
    deleteMessage(chatId, messageId) {
      stored.delete(storedKey(chatId, messageId));
    },
    pressButton(input) {
      const message = stored.get(storedKey(input.chatId, input.messageId));
      const offered = message?.replyMarkup?.inline_keyboard.flat().some((b) => b['callback_data'] === input.data);
      if (!message || !offered) throw new Error(`fake telegram: message ${input.chatId}:${input.messageId} has no button ${input.data}`);
      const chat = chats.get(input.chatId)!;
      const from = input.from ?? { id: 777 };
      const id = `cbq${nextQueryId++}`;
      openCallbacks.add(id);
      const chatObject = chat.type === 'private' ? { id: chat.id, type: 'private', first_name: chat.title ?? 'User' } : { id: chat.id, type: chat.type, title: chat.title ?? `Chat ${chat.id}` };
      fake.pushUpdate({
        callback_query: {
          id,
          from: { id: from.id, is_bot: false, first_name: `User ${from.id}`, ...(from.language_code ? { language_code: from.language_code } : {}) },
          chat_instance: `ci${chat.id}`,
          data: input.data,
          message: {
            message_id: message.messageId,
            date: Math.floor(Date.now() / 1000),
            chat: chatObject,
            from: { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username },
            ...(message.photo ? { photo: [{ file_id: message.photo.fileId, file_unique_id: 'u', width: 1, height: 1 }], caption: message.plainText ?? '' } : { text: message.plainText ?? '' }),
            ...(message.replyMarkup ? { reply_markup: message.replyMarkup } : {}),
          },
        },
      } as unknown as Omit<Update, 'update_id'>);
      return id;
    },
    sendInlineQuery(input) {
      const from = input.from ?? { id: 778 };
      const id = `inq${nextQueryId++}`;
      openInlineQueries.add(id);
      fake.pushUpdate({
        inline_query: {
          id,
          from: { id: from.id, is_bot: false, first_name: `User ${from.id}`, ...(from.language_code ? { language_code: from.language_code } : {}) },
          query: input.query.slice(0, TELEGRAM_LIMITS.inlineQueryChars),
          offset: '',
          chat_type: input.chatType ?? 'supergroup',
        },
      } as unknown as Omit<Update, 'update_id'>);
      return id;
    },
    addChat(chat) {
      chats.set(chat.id, { ...chat });
    },
    updateChat(id, change) {
      const chat = chats.get(id);
      if (!chat) throw new Error(`fake telegram: no chat ${id}`);
      Object.assign(chat, change);
    },
    loseAnswerNext(method, options = {}) {
      lostAnswers.push({ method, chatId: options.chatId === undefined ? undefined : String(options.chatId), left: options.times ?? 1 });
    },
    failNext(method, fault) {
      faults.push({ method, fault, left: fault.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
      lostAnswers.length = 0;
    },
    resetRecordings() {
      faults.length = 0;
      lostAnswers.length = 0;
      fake.sent.length = 0;
      fake.calls.length = 0;
      fake.edits.length = 0;
      fake.callbackAnswers.length = 0;
      fake.inlineAnswers.length = 0;
      webhook.deliveries.length = 0;
    },
    forgetFiles() {
      storage.forgetAll();
    },
    pushUpdate(partial) {
      const update = { ...partial, update_id: partial.update_id ?? nextUpdateId } as Update;
      nextUpdateId = Math.max(nextUpdateId, update.update_id) + 1;
      if (webhook.settings !== null) {
        webhook.enqueue(update);
        return update;
      }
      updates.push(update);
      for (const wake of [...pollers]) wake();
      return update;
    },
    sendText(text, opts) {
      const chat = chats.get(opts.chatId);
      if (!chat) throw new Error(`fake telegram: add chat ${opts.chatId} before sending to it`);
      return fake.pushUpdate(buildTextUpdate(chat, text, opts, nextMessageId++));
    },
    hang(methods) {
      hanging = { methods: methods ?? null };
    },
    resume() {
      hanging = null;
      for (const held of [...heldRequests]) held.release();
    },
    unhang() {
      hanging = null;
      for (const held of [...heldRequests]) held.reset();
    },
    get held() {
      return heldRequests.size;
    },
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(fake.sent)) {
        if (Date.now() > deadline) {
          throw new Error(`fake telegram: condition not met within ${timeoutMs} ms; sent: ${JSON.stringify(fake.sent.map(summary))}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return fake.sent;
    },
    async close() {
      closed = true;
      webhook.stop();
      hanging = null;
      for (const held of [...heldRequests]) held.release();
      for (const wake of [...pollers]) wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  function summary(m: SentMessage): string {
    return `${m.method} ${m.chatId}${m.threadId ? `/${m.threadId}` : ''}: ${(m.text ?? '').slice(0, 40)}`;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      reply(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^(?:\/client\/([\w-]+))?\/bot([^/]+)\/([A-Za-z]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const method = match?.[3] ?? '';
    const client = match?.[1] ?? null;
    const { params, files } = await readParams(req);
    if (hanging && (hanging.methods === null || hanging.methods.includes(method))) {
      fake.counters.hung += 1;
      const answered = await new Promise<boolean>((resolve) => {
        const held = {
          release: (): void => {
            heldRequests.delete(held);
            resolve(true);
          },
          reset: (): void => {
            heldRequests.delete(held);
            res.destroy();
            resolve(false);
          },
        };
        heldRequests.add(held);
        res.on('close', () => {
          if (heldRequests.delete(held)) resolve(false);
        });
      });
      if (!answered || res.destroyed || closed) return;
    }
    const record = (status: number): void => {
      fake.calls.push({ method, params, status, time: Date.now() });
    };
    fake.counters.requests += 1;
    try {
      if (!match || match[2] !== token) throw new ApiFailure(401, 'Unauthorized');
      injectFault(method, params, res);
      if (res.headersSent) return record(res.statusCode);
      const result = await run(method, params, files, res, client);
      if (res.destroyed) return;
      const lost = lostAnswers.findIndex((l) => l.method === method && (l.chatId === undefined || l.chatId === String(params.chat_id)));
      if (lost >= 0) {
        const entry = lostAnswers[lost]!;
        entry.left -= 1;
        if (entry.left <= 0) lostAnswers.splice(lost, 1);
        fake.counters.faultsInjected += 1;
        record(0);
        // Done on our side, but the answer never reaches the client: a connection reset.
        req.socket.destroy();
        return;
      }
      record(200);
      reply(res, 200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      if (error.status === 429) fake.counters.rateLimited += 1;
      record(error.status);
      reply(res, error.status, {
        ok: false,
        error_code: error.status,
        description: error.description,
        ...(error.parameters ? { parameters: error.parameters } : {}),
      });
    }
  }

  function injectFault(method: string, params: Record<string, unknown>, res: ServerResponse): void {
    const index = faults.findIndex(
      (f) => f.method === method && (f.fault.chatId === undefined || String(f.fault.chatId) === String(params.chat_id)),
    );
    const entry = faults[index];
    if (!entry) return;
    entry.left -= 1;
    if (entry.left <= 0) faults.splice(index, 1);
    fake.counters.faultsInjected += 1;
    const { fault } = entry;
    if (fault.rawBody !== undefined) {
      res.writeHead(fault.status, { 'content-type': 'text/html' }).end(fault.rawBody);
      return;
    }
    const parameters: Record<string, number> = {};
    if (fault.status === 429) parameters.retry_after = fault.retryAfter ?? 1;
    if (fault.migrateTo !== undefined) parameters.migrate_to_chat_id = fault.migrateTo;
    throw new ApiFailure(fault.status, fault.description ?? defaultDescription(fault.status, parameters), parameters);
  }

  async function run(
    method: string,
    params: Record<string, unknown>,
    files: Map<string, UploadedFile>,
    res: ServerResponse,
    client: string | null,
  ): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return botInfo;
      case 'setWebhook':
        return setWebhook(params);
      case 'deleteWebhook': {
        // Updates not delivered yet stay for getUpdates, unless dropped.
        const left = webhook.drain();
        webhook.settings = null;
        if (params.drop_pending_updates !== true && params.drop_pending_updates !== 'true') updates.push(...left);
        else updates.length = 0;
        return true;
      }
      case 'getWebhookInfo':
        return {
          url: webhook.settings?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: webhook.settings ? webhook.pending : updates.length,
          max_connections: 40,
          ...(webhook.settings?.allowedUpdates ? { allowed_updates: webhook.settings.allowedUpdates } : {}),
          ...(webhook.settings && webhook.lastError ? { last_error_date: webhook.lastError.date, last_error_message: webhook.lastError.message } : {}),
        };
      case 'answerCallbackQuery': {
        const id = String(params.callback_query_id ?? '');
        if (!openCallbacks.delete(id)) throw new ApiFailure(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        const text = params.text === undefined ? null : String(params.text);
        if (text !== null && text.length > TELEGRAM_LIMITS.callbackAnswerChars) throw new ApiFailure(400, 'Bad Request: MESSAGE_TOO_LONG');
        fake.callbackAnswers.push({ callbackQueryId: id, text, showAlert: params.show_alert === true || params.show_alert === 'true', time: Date.now() });
        return true;
      }
      case 'answerInlineQuery': {
        const id = String(params.inline_query_id ?? '');
        if (!openInlineQueries.delete(id)) throw new ApiFailure(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        const results = params.results;
        const refusal = checkInlineResults(results, (fileId) => storage.lookup(fileId) !== undefined);
        if (refusal) throw new ApiFailure(400, refusal);
        fake.inlineAnswers.push({ inlineQueryId: id, results: results as Record<string, unknown>[], time: Date.now() });
        return true;
      }
      case 'editMessageText':
      case 'editMessageCaption':
      case 'editMessageMedia':
        return edit(method, params, files);
      case 'getUpdates':
        return getUpdates(params, res);
      case 'setMyCommands': {
        const commands = (params.commands ?? []) as BotCommand[];
        for (const c of commands) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw new ApiFailure(400, 'Bad Request: BOT_COMMAND_INVALID');
          if (!c.description || c.description.length > 256) {
            throw new ApiFailure(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
          }
        }
        fake.commands.set(commandsKey(params), commands);
        return true;
      }
      case 'getMyCommands':
        return fake.commands.get(commandsKey(params)) ?? [];
      case 'getChat': {
        const chat = resolveChat(params, false);
        return { id: chat.id, type: chat.type, title: chat.title, ...(chat.isForum ? { is_forum: true } : {}) };
      }
      case 'getChatMember': {
        const chat = resolveChat(params, false);
        const userId = Number(params.user_id);
        if (!Number.isFinite(userId)) throw new ApiFailure(400, 'Bad Request: user_id is empty');
        const user = { id: userId, is_bot: false, first_name: `User ${userId}` };
        if (chat.creator === userId) return { status: 'creator', user, is_anonymous: false };
        if (chat.admins?.includes(userId)) return { status: 'administrator', user, can_be_edited: false };
        return { status: 'member', user };
      }
      case 'sendMessage':
      case 'sendPhoto':
        return send(method, params, files, client);
      default:
        throw new ApiFailure(404, 'Not Found: method not found');
    }
  }

  function commandsKey(params: Record<string, unknown>): string {
    const scope = (params.scope ?? { type: 'default' }) as { type: string; chat_id?: number | string };
    const lang = typeof params.language_code === 'string' ? params.language_code : '';
    return `${scope.type}${scope.chat_id !== undefined ? `:${scope.chat_id}` : ''}|${lang}`;
  }

  /**
   * setWebhook as Telegram does it: an empty url removes the webhook; a secret_token must be
   * 1-256 of A-Za-z0-9_-. Updates waiting for getUpdates go to the webhook (unless dropped), and
   * a getUpdates waiting right now ends with 409. Unlike Telegram, http:// URLs on any port are
   * accepted (tests listen on 127.0.0.1).
   */
  function setWebhook(params: Record<string, unknown>): true {
    const url = typeof params.url === 'string' ? params.url : '';
    if (url === '') {
      webhook.settings = null;
      return true;
    }
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new ApiFailure(400, 'Bad Request: bad webhook: Failed to resolve host: Name or service not known');
    const secret = params.secret_token === undefined ? null : String(params.secret_token);
    if (secret !== null && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw new ApiFailure(400, 'Bad Request: secret token contains unallowed characters');
    const allowed = typeof params.allowed_updates === 'string' ? (JSON.parse(params.allowed_updates) as unknown) : params.allowed_updates;
    webhook.settings = { url, secretToken: secret, allowedUpdates: Array.isArray(allowed) ? allowed.map(String) : null };
    const waiting = updates.splice(0, updates.length);
    if (params.drop_pending_updates !== true && params.drop_pending_updates !== 'true') for (const update of waiting) webhook.enqueue(update);
    for (const wake of [...pollers]) wake();
    return true;
  }

  async function getUpdates(params: Record<string, unknown>, res: ServerResponse): Promise<Update[]> {
    if (webhook.settings !== null) {
      throw new ApiFailure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(Math.max(Number(params.limit ?? 100), 1), 100);
    const timeoutMs = Math.max(0, Number(params.timeout ?? 0)) * 1000;
    if (offset > 0) {
      // Confirms every update below `offset`, as Telegram does.
      while (updates.length > 0 && updates[0]!.update_id < offset) updates.shift();
    }
    const pending = (): Update[] => updates.filter((u) => u.update_id >= offset).slice(0, limit);
    if (pending().length > 0 || timeoutMs === 0 || closed) return pending();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        pollers.delete(done);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      pollers.add(done);
      res.on('close', done); // the client aborted (bot.stop())
    });
    if (webhook.settings !== null) throw new ApiFailure(409, 'Conflict: terminated by setWebhook request');
    return pending();
  }

  function resolveChat(params: Record<string, unknown>, sending: boolean): FakeChat {
    if (params.chat_id === undefined || params.chat_id === '') throw new ApiFailure(400, 'Bad Request: chat_id is empty');
    const chat = chats.get(Number(params.chat_id));
    if (!chat) throw new ApiFailure(400, 'Bad Request: chat not found');
    if (chat.migratedTo !== undefined) {
      throw new ApiFailure(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: chat.migratedTo,
      });
    }
    if (sending && chat.blocked) throw new ApiFailure(403, 'Forbidden: bot was blocked by the user');
    if (chat.kicked) {
      throw new ApiFailure(
        403,
        chat.type === 'channel' ? 'Forbidden: bot is not a member of the channel chat' : 'Forbidden: bot was kicked from the group chat',
      );
    }
    return chat;
  }

  function send(
    method: 'sendMessage' | 'sendPhoto',
    params: Record<string, unknown>,
    files: Map<string, UploadedFile>,
    client: string | null,
  ): { message_id: number; date: number; chat: { id: number; type: string }; photo?: PhotoSize[] } {
    const chat = resolveChat(params, true);
    const threadId = params.message_thread_id === undefined ? null : Number(params.message_thread_id);
    if (threadId !== null && !(chat.type === 'supergroup' && chat.isForum && chat.topics?.includes(threadId))) {
      throw new ApiFailure(400, 'Bad Request: message thread not found');
    }
    const markupRefusal = checkInlineKeyboard(params.reply_markup);
    if (markupRefusal) throw new ApiFailure(400, markupRefusal);
    const previewRefusal = checkLinkPreview(params.link_preview_options);
    if (previewRefusal) throw new ApiFailure(400, previewRefusal);
    const replyMarkup = (params.reply_markup ?? null) as SentMessage['replyMarkup'];
    const parseMode = typeof params.parse_mode === 'string' ? params.parse_mode : null;
    const raw = method === 'sendMessage' ? params.text : params.caption;
    const text = raw === undefined ? null : String(raw);
    let plainText = text;
    if (text !== null && parseMode !== null) {
      if (parseMode !== 'HTML') throw new ApiFailure(400, `Bad Request: unsupported parse_mode ${parseMode}`);
      const parsed = parseTelegramHtml(text);
      if (!parsed.ok) throw new ApiFailure(400, `Bad Request: can't parse entities: ${parsed.error}`);
      plainText = parsed.text;
    }
    let photo: SentPhoto | null = null;
    let upload: UploadedFile | undefined;
    if (method === 'sendMessage') {
      if (!plainText || plainText.trim() === '') throw new ApiFailure(400, 'Bad Request: message text is empty');
      if (plainText.length > TELEGRAM_LIMITS.messageChars) throw new ApiFailure(400, 'Bad Request: message is too long');
    } else {
      if ((plainText ?? '').length > TELEGRAM_LIMITS.captionChars) {
        throw new ApiFailure(400, 'Bad Request: message caption is too long');
      }
      const ref = typeof params.photo === 'string' ? params.photo : '';
      if (ref === '') throw new ApiFailure(400, 'Bad Request: there is no photo in the request');
      if (ref.startsWith('attach://')) {
        upload = files.get(ref.slice('attach://'.length));
        if (!upload) throw new ApiFailure(400, 'Bad Request: there is no photo in the request');
        if (upload.bytes > TELEGRAM_LIMITS.photoBytes) throw new ApiFailure(400, 'Bad Request: PHOTO_INVALID_DIMENSIONS: file is too big');
      } else {
        // A file_id issued before (the fake does not fetch HTTP URLs).
        const stored = storage.lookup(ref);
        if (!stored) throw new ApiFailure(400, 'Bad Request: wrong file identifier/HTTP URL specified');
        photo = { name: stored.name, bytes: stored.bytes, via: 'file_id', fileId: ref };
      }
    }
    // JSON bodies carry a boolean, multipart ones (photo uploads) the string "true".
    const paidBroadcast = params.allow_paid_broadcast === true || params.allow_paid_broadcast === 'true';
    const now = Date.now();
    if (fake.enforceRateLimits) {
      const wait = limits.retryAfter(chat.id, now, paidBroadcast);
      if (wait > 0) throw new ApiFailure(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait });
    }
    limits.record(chat.id, now, paidBroadcast);
    const messageId = nextMessageId++;
    // Telegram stores an upload only once it accepted the message.
    const sizes = upload ? storage.storeUpload(upload) : photo ? storage.lookup(photo.fileId)?.sizes : undefined;
    if (upload && sizes) photo = { name: upload.name, bytes: upload.bytes, via: 'upload', fileId: sizes.at(-1)!.file_id };
    const silent = params.disable_notification === true || params.disable_notification === 'true';
    const linkPreview = method === 'sendMessage' ? readLinkPreview(params.link_preview_options) : null;
    const message: SentMessage = { method, chatId: chat.id, threadId, text, plainText, parseMode, photo, messageId, time: now, replyMarkup, paidBroadcast, silent, linkPreview, client };
    fake.sent.push(message);
    stored.set(storedKey(chat.id, messageId), { chatId: chat.id, messageId, text, plainText, photo, replyMarkup, edits: 0 });
    fake.afterAccept?.(message);
    return {
      message_id: messageId,
      date: Math.floor(now / 1000),
      chat: { id: chat.id, type: chat.type },
      ...(sizes ? { photo: sizes } : {}),
    };
  }

  /**
   * editMessageText / editMessageCaption / editMessageMedia of a message the bot sent: the message
   * must exist and be of the right kind (text for editMessageText, photo for the others); an edit
   * that changes nothing is refused with "message is not modified", as Telegram does.
   */
  function edit(method: EditRecord['method'], params: Record<string, unknown>, files: Map<string, UploadedFile>): unknown {
    const chat = resolveChat(params, true);
    const message = stored.get(storedKey(chat.id, Number(params.message_id)));
    if (!message) throw new ApiFailure(400, 'Bad Request: message to edit not found');
    const markupRefusal = checkInlineKeyboard(params.reply_markup);
    if (markupRefusal) throw new ApiFailure(400, markupRefusal);
    const replyMarkup = (params.reply_markup ?? null) as StoredMessage['replyMarkup'];
    let text: string | null;
    let plainText: string | null;
    let photo = message.photo;
    if (method === 'editMessageText') {
      if (message.photo) throw new ApiFailure(400, 'Bad Request: there is no text in the message to edit');
      const parsed = parseText(params.text, params.parse_mode, TELEGRAM_LIMITS.messageChars, 'message');
      if ('refusal' in parsed) throw new ApiFailure(400, parsed.refusal);
      text = String(params.text);
      plainText = parsed.plain;
    } else {
      if (!message.photo) throw new ApiFailure(400, 'Bad Request: there is no media in the message to edit');
      const source = method === 'editMessageMedia' ? ((params.media ?? {}) as Record<string, unknown>) : params;
      if (method === 'editMessageMedia') {
        if (source['type'] !== 'photo') throw new ApiFailure(400, 'Bad Request: wrong type of the web page content');
        const ref = typeof source['media'] === 'string' ? source['media'] : '';
        if (ref.startsWith('attach://')) {
          const upload = files.get(ref.slice('attach://'.length));
          if (!upload) throw new ApiFailure(400, 'Bad Request: there is no photo in the request');
          const sizes = storage.storeUpload(upload);
          photo = { name: upload.name, bytes: upload.bytes, via: 'upload', fileId: sizes.at(-1)!.file_id };
        } else {
          const known = storage.lookup(ref);
          if (!known) throw new ApiFailure(400, 'Bad Request: wrong file identifier/HTTP URL specified');
          photo = { name: known.name, bytes: known.bytes, via: 'file_id', fileId: ref };
        }
      }
      const parsed = parseText(source['caption'] ?? '', source['parse_mode'], TELEGRAM_LIMITS.captionChars, 'caption');
      if ('refusal' in parsed) throw new ApiFailure(400, parsed.refusal);
      text = source['caption'] === undefined ? null : String(source['caption']);
      plainText = parsed.plain;
    }
    const sameMedia = photo?.fileId === message.photo?.fileId;
    if (text === message.text && sameMedia && JSON.stringify(replyMarkup) === JSON.stringify(message.replyMarkup)) {
      throw new ApiFailure(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    Object.assign(message, { text, plainText, photo, replyMarkup, edits: message.edits + 1 });
    fake.edits.push({ method, chatId: chat.id, messageId: message.messageId, time: Date.now() });
    const sizes = photo ? storage.lookup(photo.fileId)?.sizes : undefined;
    return {
      message_id: message.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat.id, type: chat.type },
      ...(photo ? { photo: sizes ?? [], caption: plainText ?? '' } : { text: plainText ?? '' }),
      ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (fake as { apiRoot: string }).apiRoot = `http://127.0.0.1:${port}`;
  return fake;
}

function defaultDescription(status: number, parameters: Record<string, number>): string {
  switch (status) {
    case 429:
      return `Too Many Requests: retry after ${parameters.retry_after}`;
    case 401:
      return 'Unauthorized';
    case 404:
      return 'Not Found';
    case 403:
      return 'Forbidden: bot was blocked by the user';
    case 413:
      return 'Request Entity Too Large';
    case 400:
      return parameters.migrate_to_chat_id !== undefined
        ? 'Bad Request: group chat was upgraded to a supergroup chat'
        : 'Bad Request: injected failure';
    case 502:
      return 'Bad Gateway';
    case 503:
      return 'Service Unavailable';
    default:
      return 'Internal Server Error';
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

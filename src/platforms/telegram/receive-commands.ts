import { describeDestination } from '../../words.ts';
import { GrammyError, type Bot } from 'grammy';
import type { Message } from 'grammy/types';
import type { CommandReply, CommandRouter, Locale } from '../../commands/types.ts';
import type { Logger } from '../../log.ts';
import { renderTelegramSearch } from '../../render/search-results.ts';
import { renderTelegramText } from '../../render/telegram.ts';
import { messages } from '../../i18n/index.ts';
import type { Destination } from '../platform.ts';
import { classifyTelegramError } from './classify-error.ts';
import { sendAsCommandAnswer } from './command-answer-scope.ts';
import { buildCommandContext } from './command-context.ts';
import { parseCommandText } from './parse-command.ts';
import type { PhotoFileIds } from './photo-file-ids.ts';
import { sendTelegramCalls } from './send-calls.ts';
import { sendTelegramDigest } from './send-digest.ts';
import { runDetached } from './detached-tasks.ts';

export interface CommandReceiverOptions {
  router: CommandRouter;
  owners: readonly string[];
  logger: Logger;
  token: string;
  /** File_ids of pictures already uploaded, so a `/report` reply reuses them. */
  photos?: PhotoFileIds;
  /** How a digest reply is shown (folded details, the report link's preview); defaults: neither. */
  rendering?: { collapseDetails: boolean; previewReportLink: boolean };
}

/**
 * Listens for commands in private chats, groups, forum topics (`message`) and channels
 * (`channel_post`), hands them to the neutral router and answers in the same chat and topic.
 *
 * grammY runs middleware one update at a time; a digest reply waits for pacing, so each command
 * runs detached and the returned set tracks the ones still running (stop() waits for them).
 */
export function receiveCommands(bot: Bot, options: CommandReceiverOptions): Set<Promise<void>> {
  const running = new Set<Promise<void>>();
  bot.on(['message:text', 'channel_post:text'], (ctx) => {
    const message = ctx.msg;
    const parsed = parseCommandText(message.text, ctx.me.username, options.router.definitions);
    if (!parsed) return;
    const known = options.router.definitions.some((d) => d.name === parsed.name);
    // In groups several bots share the `/` namespace: only answer our commands or ones addressed to us.
    if (!known && message.chat.type !== 'private' && !message.text.includes(`@${ctx.me.username}`)) return;
    runDetached(running, () => handleCommand(bot, message, parsed.name, parsed.args, options), options.logger, ctx.update.update_id);
  });
  return running;
}

async function handleCommand(
  bot: Bot,
  message: Message & { text: string },
  name: string,
  args: Parameters<CommandRouter['handle']>[1],
  options: CommandReceiverOptions,
): Promise<void> {
  const started = Date.now();
  const context = buildCommandContext(message, { api: bot.api, owners: options.owners, logger: options.logger });
  // `/subscribe <this chat's id>` typed in a forum topic means this topic, not the whole group:
  // naming the current chat is the same as naming nothing.
  if (args.channel === context.destination.chatId) {
    const { channel: _same, ...rest } = args;
    args = rest;
  }
  const line = {
    event: 'telegram-command',
    command: name,
    destination: describeDestination(context.destination),
    user: context.userId,
  };
  let reply: CommandReply;
  try {
    reply = await options.router.handle(name, args, context);
  } catch (error) {
    // The router turns command errors into replies; reaching here is a bug in it.
    options.logger.error({ ...line, outcome: 'router-failed', err: error }, 'telegram command failed');
    return;
  }
  try {
    await sendAsCommandAnswer(() => sendReply(bot, context.destination, reply, options, context.locale));
    options.logger.info({ ...line, reply: reply.kind, outcome: 'replied', ms: Date.now() - started }, 'telegram command');
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 429) {
      // Still refused after the retries' bound (DEFAULT_RETRY.commandAnswerWithinMs): given up.
      options.logger.warn(
        { ...line, chat: context.destination.chatId, reply: reply.kind, outcome: 'reply-lost', ms: Date.now() - started },
        'telegram command answer lost: still rate limited',
      );
      return;
    }
    const failure = classifyTelegramError(error, context.destination, options.token);
    options.logger.warn(
      { ...line, reply: reply.kind, outcome: 'reply-failed', kind: failure.kind, reason: failure.message },
      'telegram command reply failed',
    );
  }
}

async function sendReply(bot: Bot, destination: Destination, reply: CommandReply, options: CommandReceiverOptions, locale: Locale): Promise<void> {
  const { logger, photos, rendering } = options;
  if (reply.kind === 'digest') await sendTelegramDigest(bot.api, destination, reply.digest, logger, { ...(photos ? { photos } : {}), ...rendering });
  else if (reply.kind === 'search') await sendTelegramCalls(bot.api, destination, [renderTelegramSearch(reply.result, messages(locale).search)], logger);
  else await sendTelegramCalls(bot.api, destination, renderTelegramText(reply.text), logger);
}

import type { FakeTelegram } from './fake-telegram.ts';

/** What a burst of commands came to (issue 19 §2). */
export interface BurstOutcome {
  commands: number;
  /** How long sending the commands took (the updates pushed to the fake, which posts them to the webhook). */
  sentOverMs: number;
  /** Chats answered exactly once, more than once, never. */
  answeredOnce: number;
  answeredTwice: number;
  unanswered: number[];
  /** 429s the fake answered during the burst (any method). */
  rateLimited: number;
  /** From the first command to the last answer. */
  lastAnswerAfterMs: number;
  /** Answers per instance tag (the fake records each sender's `/client/<tag>`). */
  answersBy: Record<string, number>;
}

/**
 * `/subscribe` typed in `chats.length` private chats (one each), spread evenly over `overMs`,
 * against a fake Telegram that several instances answer through a load balancer. Resolves once
 * every chat was answered or `timeoutMs` passed.
 */
export async function commandBurst(
  telegram: FakeTelegram,
  chats: readonly number[],
  options: { overMs: number; timeoutMs: number },
): Promise<BurstOutcome> {
  for (const id of chats) telegram.addChat({ id, type: 'private' });
  const ours = new Set(chats);
  const callsBefore = telegram.calls.length;
  const started = Date.now();
  for (const [i, chatId] of chats.entries()) {
    const due = started + (i * options.overMs) / chats.length;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    telegram.sendText('/subscribe', { chatId, from: { id: chatId } });
  }
  const sentOverMs = Date.now() - started;
  const answers = () => telegram.sent.filter((m) => ours.has(m.chatId));
  await telegram.waitFor(() => new Set(answers().map((m) => m.chatId)).size === chats.length, options.timeoutMs).catch(() => undefined);
  // Anything sent twice would show within a moment of the last answer.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const perChat = new Map<number, number>();
  const answersBy: Record<string, number> = {};
  for (const m of answers()) {
    perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    answersBy[m.client ?? '-'] = (answersBy[m.client ?? '-'] ?? 0) + 1;
  }
  const times = answers().map((m) => m.time);
  return {
    commands: chats.length,
    sentOverMs,
    answeredOnce: [...perChat.values()].filter((n) => n === 1).length,
    answeredTwice: [...perChat.values()].filter((n) => n > 1).length,
    unanswered: chats.filter((id) => !perChat.has(id)),
    rateLimited: telegram.calls.slice(callsBefore).filter((c) => c.status === 429).length,
    lastAnswerAfterMs: times.length > 0 ? Math.max(...times) - started : Number.NaN,
    answersBy,
  };
}

import type { Transformer } from 'grammy';
import { currentSendLane } from '../send-lane.ts';
import type { SendPacer } from './send-pacer.ts';

/** Bot API methods that post a message and so count against flood control. */
const SEND_METHODS: ReadonlySet<string> = new Set([
  'sendMessage', 'sendPhoto', 'sendMediaGroup', 'sendDocument', 'sendAnimation', 'sendVideo', 'sendAudio',
  'sendVoice', 'sendVideoNote', 'sendSticker', 'sendPoll', 'sendLocation', 'sendVenue', 'sendContact',
  'sendDice', 'copyMessage', 'copyMessages', 'forwardMessage', 'forwardMessages',
]);

/**
 * A grammY API transformer that paces every send through `pacer` (other methods pass straight
 * through; a send carrying `allow_paid_broadcast` at the paid ceiling), tells it when Telegram
 * answered (the pacer times its windows from the answers), and
 * when Telegram answered 429 anyway, so that chat rests for the `retry_after` Telegram asked for.
 * A send made while answering a reader (see inSendLane) waits in the pacer's reply lane.
 *
 * A call's abort signal only withdraws it while it waits for its turn: once let through, the
 * request runs to Telegram's answer (aborting it half-way would leave unknown whether the message
 * went out, and Telegram has no idempotency key). A stopping bot thus sends nothing new and still
 * hears back about, and records, what is already on its way.
 */
export function throttleTransformer(pacer: SendPacer): Transformer {
  return async (prev, method, payload, signal) => {
    if (!SEND_METHODS.has(method)) return prev(method, payload, signal);
    const chat = String((payload as { chat_id?: unknown }).chat_id);
    // grammY's signal comes from the abort-controller package; it has the same event interface.
    const paid = (payload as { allow_paid_broadcast?: unknown }).allow_paid_broadcast === true;
    const done = await pacer.acquire(chat, signal as AbortSignal | undefined, paid, currentSendLane());
    try {
      const result = await prev(method, payload);
      if (!result.ok && result.error_code === 429) {
        pacer.penalize(chat, (result.parameters?.retry_after ?? 1) * 1000);
      }
      return result;
    } finally {
      done();
    }
  };
}

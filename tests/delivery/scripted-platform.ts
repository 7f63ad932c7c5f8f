import { SendError, type Destination, type Platform, type PlatformName, type SendResult } from '../../src/platforms/platform.ts';
import type { Digest } from '../../src/report/digest-types.ts';

/** What one scripted send does: succeed, fail with a SendError kind, or hang until released. */
export type Step =
  | { ok: true; imageDropped?: boolean }
  | { fail: 'rate-limited'; retryAfterMs: number }
  | { fail: 'transient' | 'gone' | 'rejected'; code?: number }
  | { fail: 'migrated'; to: string }
  | { hang: Promise<void> };

export interface SentRecord {
  destination: Destination;
  digest: Digest;
  idempotencyKey: string;
}

/**
 * An in-memory Platform driven by a per-destination script (steps consumed in order; an empty
 * script succeeds). Records every send attempt and every notice.
 */
export class ScriptedPlatform implements Platform {
  readonly attempts: SentRecord[] = [];
  readonly delivered: SentRecord[] = [];
  readonly notices: Array<{ destination: Destination; text: string }> = [];
  private readonly scripts = new Map<string, Step[]>();
  private nextId = 1;
  failNotices = false;

  constructor(readonly name: PlatformName) {}

  script(chatId: string, ...steps: Step[]): this {
    this.scripts.set(chatId, [...(this.scripts.get(chatId) ?? []), ...steps]);
    return this;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async sendDigest(destination: Destination, digest: Digest, idempotencyKey: string): Promise<SendResult> {
    const record = { destination, digest, idempotencyKey };
    this.attempts.push(record);
    const step = this.scripts.get(destination.chatId)?.shift() ?? { ok: true };
    if ('hang' in step) await step.hang;
    else if ('fail' in step) {
      switch (step.fail) {
        case 'rate-limited':
          throw new SendError('rate-limited', destination, 'Too Many Requests', { platformCode: 429, retryAfterMs: step.retryAfterMs });
        case 'migrated':
          throw new SendError('migrated', destination, 'group chat was upgraded to a supergroup chat', {
            platformCode: 400,
            migrateToChatId: step.to,
          });
        case 'gone':
          throw new SendError('gone', destination, 'Forbidden: bot was kicked from the group chat', { platformCode: step.code ?? 403 });
        case 'transient':
          throw new SendError('transient', destination, 'Internal Server Error', { platformCode: step.code ?? 500 });
        case 'rejected':
          throw new SendError('rejected', destination, "Bad Request: can't parse entities", { platformCode: step.code ?? 400 });
      }
    }
    this.delivered.push(record);
    return { messageIds: [String(this.nextId++)], imageDropped: 'ok' in step && step.imageDropped === true };
  }

  async sendNotice(destination: Destination, text: string): Promise<void> {
    if (this.failNotices) throw new SendError('transient', destination, 'notice refused');
    this.notices.push({ destination, text });
  }

  deliveredTo(chatId: string): number {
    return this.delivered.filter((r) => r.destination.chatId === chatId).length;
  }
}

/** A small digest for delivery tests (delivery never looks inside it). */
export function testDigest(slug = 'twitter_ai_20260103_20260103', note: string | null = null): Digest {
  return {
    slug,
    dateStart: '2026-01-03',
    dateEnd: '2026-01-03',
    title: 'Twitter AI 报告 · 2026-01-03',
    headline: 'AI 日报',
    points: [{ title: '要点', detail: '细节' }],
    url: null,
    publishedAt: '2026-01-03T14:34:15+08:00',
    image: null,
    note,
  };
}

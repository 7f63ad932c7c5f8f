import type { Logger } from '../log.ts';
import { PLATFORM_NAMES, type Destination, type Platform, type PlatformName } from '../platforms/platform.ts';
import { DISCORD_LIMITS, TELEGRAM_LIMITS } from '../render/limits.ts';
import { describeOwnerEvent, type OwnerEvent } from './notices.ts';

/** Lines one notice lists before it only counts the rest: a notice stays short. */
const MAX_LINES = 15;

const NOTICE_CHARS: Record<PlatformName, number> = {
  discord: DISCORD_LIMITS.contentChars,
  telegram: TELEGRAM_LIMITS.messageChars,
};

/** Tells the bot owners, in their chat, about destinations that were deactivated or keep failing. */
export interface OwnerNotifier {
  /** Sends one short notice per owner chat for these events. Never throws (failures are logged). */
  notify(events: readonly OwnerEvent[], context?: string): Promise<void>;
  /** Sends one plain notice to every owner chat (the bot's own faults). Never throws. */
  alert?(text: string): Promise<void>;
}

/**
 * Sends owner notices through the platforms to `config.ownerChat`. An event goes to the owner chat
 * of its own platform when one is configured, otherwise to whichever owner chat there is, so a
 * bot with one owner chat still hears about both platforms.
 */
export class ChatOwnerNotifier implements OwnerNotifier {
  constructor(
    private readonly deps: {
      ownerChat: { discord: string | null; telegram: string | null };
      platforms: Partial<Record<PlatformName, Platform>>;
      logger: Logger;
    },
  ) {}

  private ownerDestination(platform: PlatformName): Destination | null {
    const chatId = this.deps.ownerChat[platform];
    return chatId && this.deps.platforms[platform] ? { platform, chatId, threadId: null } : null;
  }

  async alert(text: string): Promise<void> {
    const targets = PLATFORM_NAMES.filter((p) => this.ownerDestination(p) !== null);
    if (targets.length === 0) {
      this.deps.logger.warn({ notice: text }, 'owner notice not sent: no ownerChat configured');
      return;
    }
    await Promise.all(
      targets.map(async (platformName) => {
        const destination = this.ownerDestination(platformName);
        const platform = this.deps.platforms[platformName];
        if (!destination || !platform) return;
        try {
          await platform.sendNotice(destination, text.slice(0, NOTICE_CHARS[platformName]));
        } catch (error) {
          this.deps.logger.error({ err: error, platform: platformName }, 'owner notice failed');
        }
      }),
    );
  }

  async notify(events: readonly OwnerEvent[], context?: string): Promise<void> {
    if (events.length === 0) return;
    const byTarget = new Map<PlatformName, OwnerEvent[]>();
    for (const event of events) {
      const own = event.destination.platform;
      const other: PlatformName = own === 'discord' ? 'telegram' : 'discord';
      const target = this.ownerDestination(own) ? own : this.ownerDestination(other) ? other : null;
      if (target === null) {
        this.deps.logger.warn({ event: describeOwnerEvent(event) }, 'owner notice not sent: no ownerChat configured');
        continue;
      }
      byTarget.set(target, [...(byTarget.get(target) ?? []), event]);
    }
    await Promise.all(
      [...byTarget].map(async ([platformName, list]) => {
        const destination = this.ownerDestination(platformName);
        const platform = this.deps.platforms[platformName];
        if (!destination || !platform) return;
        const text = formatNotice(list, context, NOTICE_CHARS[platformName]);
        try {
          await platform.sendNotice(destination, text);
        } catch (error) {
          this.deps.logger.error({ err: error, platform: platformName, events: list.length }, 'owner notice failed');
        }
      }),
    );
  }
}

/** The notice text: a heading, one line per event (at most MAX_LINES), fitted into `maxChars`. */
export function formatNotice(events: readonly OwnerEvent[], context: string | undefined, maxChars: number): string {
  const heading = `digest bot${context ? ` (${context})` : ''}: ${events.length} destination${events.length === 1 ? '' : 's'} need attention`;
  const lines = events.slice(0, MAX_LINES).map((e) => `- ${describeOwnerEvent(e)}`);
  const rest = events.length - lines.length;
  let text = [heading, ...lines, ...(rest > 0 ? [`… and ${rest} more (see the logs or \`digest subs list\`)`] : [])].join('\n');
  if (text.length > maxChars) text = `${text.slice(0, maxChars - 1)}…`;
  return text;
}

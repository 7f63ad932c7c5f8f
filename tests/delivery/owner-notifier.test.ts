import { describe, expect, it } from 'vitest';
import type { OwnerEvent } from '../../src/delivery/notices.ts';
import { ChatOwnerNotifier, formatNotice } from '../../src/delivery/owner-notifier.ts';
import { silentLogger } from '../../src/log.ts';
import { ScriptedPlatform } from './scripted-platform.ts';

const gone = (chatId: string): OwnerEvent => ({
  kind: 'deactivated',
  destination: { platform: 'telegram', chatId, threadId: null },
  reason: 'gone: 403 Forbidden: bot was blocked by the user',
});

describe('ChatOwnerNotifier', () => {
  it('sends one notice per owner chat with the reason', async () => {
    const telegram = new ScriptedPlatform('telegram');
    const discord = new ScriptedPlatform('discord');
    const notifier = new ChatOwnerNotifier({
      ownerChat: { telegram: '-999', discord: '123' },
      platforms: { telegram, discord },
      logger: silentLogger(),
    });
    await notifier.notify(
      [
        gone('-1'),
        { kind: 'failed', destination: { platform: 'discord', chatId: '5', threadId: null }, slug: 's', reason: 'transient: 500', repeated: true },
      ],
      's',
    );
    expect(telegram.notices).toHaveLength(1);
    expect(telegram.notices[0]?.destination.chatId).toBe('-999');
    expect(telegram.notices[0]?.text).toContain('telegram:-1: deactivated (gone: 403 Forbidden: bot was blocked by the user)');
    expect(discord.notices[0]?.text).toContain('discord:5: s failed again (transient: 500)');
  });

  it('routes to the other platform’s owner chat when its own has none, and never throws', async () => {
    const telegram = new ScriptedPlatform('telegram');
    const discord = new ScriptedPlatform('discord');
    discord.failNotices = true;
    const notifier = new ChatOwnerNotifier({ ownerChat: { telegram: null, discord: '123' }, platforms: { telegram, discord }, logger: silentLogger() });
    await expect(notifier.notify([gone('-1')])).resolves.toBeUndefined();
    expect(telegram.notices).toHaveLength(0);
  });

  it('keeps a notice short: at most 15 lines, then a count, within the platform limit', () => {
    const events = Array.from({ length: 40 }, (_, i) => gone(String(-i)));
    const text = formatNotice(events, 'slug', 2000);
    expect(text.split('\n')).toHaveLength(1 + 15 + 1);
    expect(text).toContain('… and 25 more');
    expect(formatNotice(events, 'slug', 300).length).toBeLessThanOrEqual(300);
  });
});

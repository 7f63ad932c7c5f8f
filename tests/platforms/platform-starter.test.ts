import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { PlatformStartError, type Platform, type PlatformName } from '../../src/platforms/platform.ts';
import { PlatformStarter } from '../../src/platforms/platform-starter.ts';
import { ServiceHealth } from '../../src/service-health.ts';

/** A platform whose start() outcomes are scripted, one per attempt (the last repeats). */
class StubPlatform implements Platform {
  starts = 0;
  stops = 0;
  private fatal: ((error: PlatformStartError) => void) | null = null;
  constructor(
    readonly name: PlatformName,
    private readonly outcomes: Array<'ok' | 'transient' | 'permanent' | 'never'>,
  ) {}
  async start(): Promise<void> {
    const outcome = this.outcomes[Math.min(this.starts, this.outcomes.length - 1)];
    this.starts++;
    if (outcome === 'transient') throw new PlatformStartError(this.name, false, 'cannot reach it: ECONNREFUSED');
    if (outcome === 'permanent') throw new PlatformStartError(this.name, true, 'token refused (401)');
    if (outcome === 'never') await new Promise(() => undefined);
  }
  async stop(): Promise<void> {
    this.stops++;
  }
  onFatalError(listener: (error: PlatformStartError) => void): void {
    this.fatal = listener;
  }
  failForGood(): void {
    this.fatal?.(new PlatformStartError(this.name, true, 'token revoked (401)'));
  }
  sendDigest(): never {
    throw new Error('not used');
  }
  sendNotice(): never {
    throw new Error('not used');
  }
}

const until = async (probe: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

let starter: PlatformStarter | null = null;
afterEach(async () => {
  await starter?.stop();
  starter = null;
});

function makeStarter(platforms: Platform[], health: ServiceHealth, started: PlatformName[] = []): PlatformStarter {
  starter = new PlatformStarter({ platforms, health, logger: silentLogger(), retry: { baseMs: 10, capMs: 40 }, onStarted: (name) => started.push(name) });
  return starter;
}

describe('PlatformStarter', () => {
  it('starts each platform on its own: one failing transiently does not hold up the other, and is retried until it starts', async () => {
    const health = new ServiceHealth();
    const discord = new StubPlatform('discord', ['transient', 'transient', 'transient', 'ok']);
    const telegram = new StubPlatform('telegram', ['ok']);
    const started: PlatformName[] = [];
    makeStarter([discord, telegram], health, started).start();
    expect(health.get('discord')).toMatchObject({ ready: false, detail: 'starting' });

    await until(() => started.includes('telegram'), 'telegram');
    expect(health.get('telegram')).toMatchObject({ ready: true, detail: null });
    await until(() => health.get('discord')?.detail?.startsWith('retrying') ?? false, 'a retry detail');
    expect(health.get('discord')!.detail).toMatch(/^retrying in \d+ s \(attempt \d failed: discord: cannot reach it: ECONNREFUSED\)$/);
    expect(health.snapshot().ready).toBe(false);

    await until(() => started.includes('discord'), 'discord');
    expect(discord.starts).toBe(4);
    expect(health.snapshot().ready).toBe(true);
    expect(started).toEqual(['telegram', 'discord']);
  });

  it('a permanent failure settles `fatal` with the platform\'s message, whatever the other platform is doing', async () => {
    const health = new ServiceHealth();
    const s = makeStarter([new StubPlatform('discord', ['never']), new StubPlatform('telegram', ['permanent'])], health);
    s.start();
    await expect(s.fatal).rejects.toThrow('telegram: token refused (401)');
    expect(health.get('telegram')).toMatchObject({ ready: false, detail: 'telegram: token refused (401)' });
  });

  it('a platform that fails for good after it started settles `fatal` too (never half-alive)', async () => {
    const health = new ServiceHealth();
    const telegram = new StubPlatform('telegram', ['ok']);
    const s = makeStarter([telegram], health);
    s.start();
    await until(() => health.get('telegram')?.ready === true, 'telegram');
    telegram.failForGood();
    await expect(s.fatal).rejects.toThrow('telegram: token revoked (401)');
    expect(health.get('telegram')?.ready).toBe(false);
  });

  it('stop() ends the retries and stops every platform', async () => {
    const health = new ServiceHealth();
    const discord = new StubPlatform('discord', ['transient']);
    const s = makeStarter([discord], health);
    s.start();
    await until(() => discord.starts >= 2, 'a retry');
    await s.stop();
    const attempts = discord.starts;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(discord.starts).toBe(attempts);
    expect(discord.stops).toBe(1);
  });

  it('waits grow with each retry up to the cap, with jitter in the upper half', () => {
    const s = new PlatformStarter({ platforms: [], health: new ServiceHealth(), logger: silentLogger(), retry: { baseMs: 1000, capMs: 60_000 }, random: () => 0 });
    expect([1, 2, 3, 7, 20].map((n) => s.delayMs(n))).toEqual([500, 1000, 2000, 30_000, 30_000]);
    const top = new PlatformStarter({ platforms: [], health: new ServiceHealth(), logger: silentLogger(), retry: { baseMs: 1000, capMs: 60_000 }, random: () => 1 });
    expect(top.delayMs(20)).toBe(60_000);
  });
});

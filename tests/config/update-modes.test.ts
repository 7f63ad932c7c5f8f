import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { logUpdateModes } from '../../src/update-modes.ts';

type ModesConfig = Pick<Config, 'env' | 'telegramUpdates' | 'databaseUrl'>;

const WEBHOOK = { mode: 'webhook', publicUrl: 'https://bot.example.com', secret: 'secret-1' } as const;
const base = (over: Partial<ModesConfig['env']>, telegramUpdates: ModesConfig['telegramUpdates'], databaseUrl: string | null): ModesConfig =>
  ({ env: { discordToken: 'd-token', telegramToken: 't-token', ...over }, telegramUpdates, databaseUrl }) as ModesConfig;

/** The start-up log lines `logUpdateModes` writes for `config`, parsed. */
function linesFor(config: ModesConfig): Array<Record<string, unknown>> {
  const lines: string[] = [];
  logUpdateModes(config, createLogger({ destination: { write: (line) => lines.push(line) } }));
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('start-up update modes (issue 18 §16)', () => {
  const cases: Array<{ name: string; config: ModesConfig; modes: Record<string, string>; warned: string[] | null }> = [
    { name: 'SQLite, polling and gateway: one instance anyway, no warning', config: base({}, { mode: 'polling' }, null), modes: { discord: 'gateway', telegram: 'polling' }, warned: null },
    {
      name: 'DATABASE_URL with polling and gateway: warned, naming both fixes',
      config: base({}, { mode: 'polling' }, 'postgres://x@h/db'),
      modes: { discord: 'gateway', telegram: 'polling' },
      warned: ['discord', 'telegram'],
    },
    {
      name: 'DATABASE_URL with webhook and HTTP interactions: no warning',
      config: base({ discordInteractions: 'http' }, WEBHOOK, 'postgres://x@h/db'),
      modes: { discord: 'http interactions (POST /discord/interactions)', telegram: 'webhook https://bot.example.com/telegram/webhook' },
      warned: null,
    },
    { name: 'DATABASE_URL, Telegram only, polling', config: base({ discordToken: null }, { mode: 'polling' }, 'postgres://x@h/db'), modes: { telegram: 'polling' }, warned: ['telegram'] },
  ];
  for (const { name, config, modes, warned } of cases) {
    it(name, () => {
      const lines = linesFor(config);
      const info = lines.find((l) => l.event === 'updates.modes')!;
      expect(Object.fromEntries(Object.keys(modes).map((k) => [k, info[k]]))).toEqual(modes);
      for (const [platform, mode] of Object.entries(modes)) expect(info.msg).toContain(`${platform}: ${mode}`);
      const warning = lines.find((l) => l.event === 'updates.single-receiver');
      if (warned === null) expect(warning).toBeUndefined();
      else {
        expect(warning?.platforms).toEqual(warned);
        if (warned.includes('telegram')) expect(warning?.msg).toContain('TELEGRAM_UPDATES=webhook');
        if (warned.includes('discord')) expect(warning?.msg).toContain('DISCORD_INTERACTIONS=http');
      }
    });
  }
});

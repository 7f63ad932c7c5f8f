import { describe, expect, expectTypeOf, it } from 'vitest';
import { createCommandRouter } from '../../src/commands/router.ts';
import { en } from '../../src/i18n/en.ts';
import { localeFrom, messages, type Messages } from '../../src/i18n/index.ts';
import { zh } from '../../src/i18n/zh.ts';
import { DISCORD_LIMITS } from '../../src/render/limits.ts';
import { contextFor, createHarness, run, textOf } from './command-harness.ts';

/** Every key path of a catalogue, with the kind of value (string / function) at each. */
function shape(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string' || typeof value === 'function') return [`${prefix}:${typeof value}`];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => shape(v, prefix ? `${prefix}.${k}` : k));
}

describe('message catalogues', () => {
  it('en has exactly the keys zh has, of the same kinds', () => {
    expectTypeOf(en).toEqualTypeOf<Messages>();
    expect(shape(en).sort()).toEqual(shape(zh).sort());
    expect(shape(zh).length).toBeGreaterThan(40);
  });

  it('no English string is left in Chinese, and no Chinese string is left empty', () => {
    const strings = (m: Messages) =>
      shape(m)
        .filter((s) => s.endsWith(':string'))
        .map((s) => s.slice(0, -':string'.length).split('.').reduce<any>((o, k) => o[k], m) as string);
    for (const s of strings(zh)) expect(s.trim()).not.toBe('');
    // The report's title (Twitter AI 报告) is a name, the only Chinese allowed in English strings.
    for (const s of strings(en)) expect(s.replace('Twitter AI 报告', '')).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it.each([
    ['en', 'en'],
    ['en-US', 'en'],
    ['en-GB', 'en'],
    ['EN_us', 'en'],
    ['zh-CN', 'zh'],
    ['zh-TW', 'zh'],
    ['de', 'zh'],
    ['', 'zh'],
    [null, 'zh'],
    [undefined, 'zh'],
  ] as const)('localeFrom(%j) → %s', (code, locale) => {
    expect(localeFrom(code)).toBe(locale);
  });

  it('messages() picks the catalogue', () => {
    expect(messages('zh')).toBe(zh);
    expect(messages('en')).toBe(en);
  });
});

describe('command definitions', () => {
  it('every command and option carries both languages within Discord limits', async () => {
    const { deps } = await createHarness();
    const router = createCommandRouter(deps);
    expect(router.definitions.map((d) => d.name).sort()).toEqual(
      ['dates', 'help', 'latest', 'report', 'repost', 'search', 'settings', 'start', 'status', 'subscribe', 'unsubscribe'].sort(),
    );
    for (const d of router.definitions) {
      expect(d.name).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(d.options.length).toBeLessThanOrEqual(DISCORD_LIMITS.commandOptions);
      for (const text of [d.description, ...d.options.map((o) => o.description)]) {
        for (const locale of ['zh', 'en'] as const) {
          expect(text[locale].length).toBeGreaterThan(0);
          expect(text[locale].length).toBeLessThanOrEqual(DISCORD_LIMITS.commandDescriptionChars);
        }
        expect(text.zh).not.toBe(text.en);
      }
    }
  });

  it('only subscribe, unsubscribe, settings and repost need the manage right', async () => {
    const { router } = await createHarness();
    const manage = router.definitions.filter((d) => d.permission === 'manage').map((d) => d.name);
    expect(manage.sort()).toEqual(['repost', 'settings', 'subscribe', 'unsubscribe']);
  });
});

describe('replies follow the user language', () => {
  it.each([
    ['report', { date: 'nope' }, 'not a date', '无法识别'],
    ['report', { date: '2026-01-10' }, 'no report for 2026-01-10', '2026-01-10 没有报告'],
    ['dates', {}, '5 reports', '共有 5 份报告'],
    ['subscribe', {}, 'Only an administrator', '只有这个群组或频道的管理员'],
    ['nope', {}, 'There is no /nope command', '没有 /nope 这个命令'],
  ] as const)('/%s %j', async (name, args, english, chinese) => {
    const h = await createHarness();
    const enText = textOf(await run(h, name, args, contextFor({ locale: 'en' })));
    const zhText = textOf(await run(h, name, args, contextFor()));
    expect(enText).toContain(english);
    expect(zhText).toContain(chinese);
  });
});

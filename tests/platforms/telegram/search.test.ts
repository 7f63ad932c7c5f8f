import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSearch } from '../../../src/search/report-search.ts';
import { contentLibrary, createHarness, type Harness } from '../../commands/command-harness.ts';
import { startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';

const GROUP = -1007200;
const USER = 7201;

describe('Telegram /search', () => {
  let h: TelegramHarness;
  let harness: Harness;
  let search: ReportSearch;

  beforeAll(async () => {
    search = new ReportSearch(await contentLibrary());
    await search.start();
    harness = await createHarness({ search });
    h = await startTelegramHarness({ router: harness.router });
    h.fake.addChat({ id: GROUP, type: 'supergroup', title: 'AI 讨论组' });
    await h.platform.start();
  });
  afterAll(async () => {
    await search.stop();
    await h.close();
    await harness.store.close();
  });

  async function ask(text: string) {
    const before = h.fake.sent.length;
    h.fake.sendText(text, { chatId: GROUP, from: { id: USER } });
    const sent = await h.fake.waitFor((all) => all.length > before);
    return sent[before]!;
  }

  it('lists the one report with the word, highlighted, with a command link that opens that day', async () => {
    const reply = await ask('/search 具身智能');
    expect(reply.text).toContain('<b>具身智能</b>');
    expect(reply.plainText).toContain('1. 2026-01-02 /report_20260102');
    expect(reply.plainText).not.toContain('2026-01-03');

    const before = h.fake.sent.length;
    h.fake.sendText('/report_20260102@ai_digest_test_bot', { chatId: GROUP, from: { id: USER } });
    const sent = await h.fake.waitFor((all) => all.slice(before).some((m) => m.replyMarkup !== null));
    expect(sent.slice(before).map((m) => m.plainText).join('\n')).toContain('2026-01-02');
  });

  it('words of several kinds: the whole rest of the line is the query, ranked', async () => {
    const reply = await ask('/search RLM');
    expect(reply.plainText!.indexOf('2026-01-03')).toBeLessThan(reply.plainText!.indexOf('2026-01-02'));
    const multi = await ask('/search Claude Code');
    expect(multi.plainText).toContain('/report_');
  });

  it('no match says so and suggests the closest terms', async () => {
    const reply = await ask('/search Cluade');
    expect(reply.plainText).toContain('Cluade');
    expect(reply.plainText).toContain('claude');
  });

  it('<script> is escaped and a 2,000-character query is answered within Telegram limits', async () => {
    const script = await ask('/search <script>alert(1)</script>');
    expect(script.text).toContain('&lt;script&gt;');
    expect(script.plainText).toContain('<script>');
    const long = await ask(`/search ${'模型'.repeat(1000)}`);
    expect(long.plainText!.length).toBeLessThanOrEqual(4096);
    expect(long.plainText).toContain('…');
  });

  it('/search alone asks for words', async () => {
    const reply = await ask('/search');
    expect(reply.plainText).toContain('/search');
  });
});

import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EmbedBuilder, embedLength, enableValidators } from '@discordjs/builders';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDiscordMessages } from '../../src/render/discord.ts';
import { renderDiscordComponents } from '../../src/render/discord-components.ts';
import { DISCORD_LIMITS, TELEGRAM_LIMITS } from '../../src/render/limits.ts';
import type { DiscordEmbed, TelegramCall } from '../../src/render/payload-types.ts';
import { buildPreviewJson, type PreviewJson } from '../../src/render/preview-json.ts';
import { renderTelegramCalls } from '../../src/render/telegram.ts';
import { parseTelegramHtml } from '../../src/render/telegram-html.ts';
import { condenseReport } from '../../src/report/condense.ts';
import type { DigestImage } from '../../src/report/digest-types.ts';
import { parseReport } from '../../src/report/parse-report.ts';
import { readReport } from '../../src/report/read-report.ts';
import type { Report } from '../../src/report/types.ts';
import { fixture } from '../report/fixture-path.ts';
import { componentsText, componentsV2Problems, squash, unescapeDiscord } from './payload-checks.ts';

/**
 * Every payload `digest preview --json` would print, run through the platforms' own code: Telegram
 * message texts and captions through TDLib's `parseTextEntities` (the HTML parser behind the Bot
 * API server), Discord embeds through `@discordjs/builders`' validators. Over the seed reports,
 * the fixtures and generated edge cases.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
/** shared/ sits beside the repository, both in a worktree and in CI's fresh clone. */
const SEED_DIRS = [path.resolve(ROOT, '../shared/reports'), '/work/shared/reports'];
const URL_TEMPLATE = 'https://example.com/{yyyy}/{mm}/{dd}/{slug}.html';

interface Case {
  name: string;
  report: Report;
  image: DigestImage | null;
  detailMaxChars: number;
}

const image = (name: string): DigestImage => ({ path: `/nonexistent/${name}`, name, bytes: 54_321, generated: false });

async function reportsIn(dir: string): Promise<Report[]> {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
  const reports: Report[] = [];
  for (const file of files) {
    try {
      reports.push(await readReport(path.join(dir, file)));
    } catch {
      // Files the parser refuses (tests/fixtures/reports/errors) never become payloads.
    }
  }
  return reports;
}

/** A report file with the given points (markdown list lines), parsed like any other. */
function reportOf(slug: string, items: string[], headline = '人工智能行业Twitter推文分析报告'): Report {
  const text = [
    '---',
    `title: "${slug}"`,
    'date: "2026-03-13 14:34:15 +0800"',
    '---',
    '',
    `# ${headline}`,
    '',
    '### 核心信息（10个信息点概述）',
    '',
    ...items.map((item, i) => `${i + 1}. ${item}`),
    '',
    '## 详细分析部分',
    '',
    '正文。',
    '',
  ].join('\n');
  return parseReport(text, `/virtual/${slug}.md`);
}

const long = (seed: string, size: number): string => {
  let out = '';
  while (out.length < size) out += seed;
  return Array.from(out).slice(0, size).join('');
};

/** Edge cases as report authors could write them; each point list goes through the real parser. */
function edgeCases(): Case[] {
  const cases: [string, string[]][] = [
    ['html-like', ['**<b>粗体</b> & <script>alert(1)</script>**：a < b > c && d </i> <a href="x">链接</a>', '**&lt;已转义&gt; &amp;amp;**：&nbsp;&copy;&#128512;&#x27; "引号" \'单引号\'', '**<tg-spoiler>剧透</tg-spoiler>**：<pre>代码</pre> <blockquote>引用</blockquote>']],
    ['markdown-specials', ['**\\*\\*粗\\*\\* _斜_ ~~删~~**：`code` ||剧透|| > 引用 # 标题 [l](u) \\\\ 反斜杠', '**- 列表**：1. 编号 + 加号', '**`反引号标题`**：___下划线___ ***三星***']],
    ['emoji-zwj', ['**👨‍👩‍👧‍👦 家庭 🏳️‍🌈**：👍🏽 1️⃣ 🇨🇳 🧑🏿‍💻 ❤️‍🔥 e\u0301 组合字符', '**😀**：' + long('🤖模型😀', 200)]],
    ['long-points', Array.from({ length: 12 }, (_, i) => `**要点 ${i + 1} <&>**：${long('模型在基准测试中表现出色，GPT-5.2 与 Claude 相比更快😀。见 https://x.test/a_b?q=1&r=2。', 3000)}`)],
    ['long-title', [`**${long('非常长的标题<>&_*', 600)}**：细节。`, `**${long('标题', 3000)}**`]],
    ['links', ['**见 https://github.com/foo_bar/a*b_c**：代码 https://x.test/a_b?q=1&r=~2#frag_x。另见 foo_bar', '**[文本链接](https://x.test/a_b)**：<https://x.test/angle> 和 [相对链接](/reports/x.html)', '**http://例子.测试/路径**：https://x.test/(括号)_结尾).']],
    ['mentions', ['**@everyone @here**：<@123> <@!456> <@&789> <#101112> @用户 </command:1>', '**@everyone**：@here']],
    ['control-characters', ['**控制\u0007字符\u001b[31m红\u001b[0m**：退格\u0008 删除\u007f 零宽\u200b 行分隔\u2028 段分隔\u2029 BOM\ufeff 软连字符\u00ad', '**制表\t符**：回车\r换行 结束']],
    ['rtl', ['**مرحبا بالعالم**：שלום עולם \u202eمعكوس\u202c \u200fRLM\u200e LRM', '**混合 عربي English 中文**：نص عربي طويل مع أرقام 123 و https://x.test/ar']],
    ['whitespace-titles', ['** **：空格标题的细节', '**\u3000**：全角空格标题的细节', '**\u00a0**：不换行空格标题的细节', '**正常**：正常细节']],
    ['many-points', Array.from({ length: 40 }, (_, i) => `**第 ${i + 1} 点**：${long('短细节。', 120)}`)],
  ];
  const out: Case[] = [];
  for (const [name, items] of cases) {
    const report = reportOf(`twitter_ai_20260313_20260313`, items);
    out.push({ name, report, image: image('wordcloud_twitter_ai_20260313_20260313.jpg'), detailMaxChars: 90 });
    out.push({ name: `${name} (details uncut)`, report, image: null, detailMaxChars: 1000 });
  }
  // Non-ASCII names: the slug, and the report's own image file.
  const special = reportOf('报告 特别版_20260313', ['**特别版**：细节。']);
  out.push({ name: 'non-ASCII slug and image', report: special, image: image('wordcloud_报告 特别版_20260313.png'), detailMaxChars: 90 });
  out.push({ name: 'non-ASCII image file', report: special, image: image('词云 图 (1).png'), detailMaxChars: 90 });
  out.push({ name: 'image name with quotes and slashes', report: special, image: image('a"b\\c<d>.jpeg'), detailMaxChars: 90 });
  out.push({ name: 'headline with specials', report: reportOf('twitter_ai_20260313_20260313', ['**x**：y'], `${long('<b>标题</b> & *粗* @everyone ', 1200)}`), image: image('x.png'), detailMaxChars: 90 });
  return out;
}

let cases: Case[] = [];
let previews: { name: string; preview: PreviewJson }[] = [];
/** The same digests as Telegram's compact rendering sends them: details folded, the report link previewed. */
let compact: { name: string; calls: TelegramCall[]; plain: TelegramCall[] }[] = [];

beforeAll(async () => {
  const seedDir = SEED_DIRS.find((dir) => existsSync(dir));
  const sources: [string, Report[]][] = [
    ['seed', seedDir ? await reportsIn(seedDir) : []],
    ['fixture seed', await reportsIn(fixture('seeds'))],
    ['fixture variant', await reportsIn(fixture('variants'))],
    ['fixture error', await reportsIn(fixture('errors'))],
    ['content', await reportsIn(path.join(ROOT, 'content'))],
  ];
  for (const [kind, reports] of sources) {
    for (const report of reports) {
      cases.push({ name: `${kind} ${report.slug}`, report, image: image(`wordcloud_${report.slug}.jpg`), detailMaxChars: 90 });
    }
  }
  cases.push(...edgeCases());
  previews = cases.map((c) => {
    const digest = condenseReport(
      c.report,
      { detailMaxChars: c.detailMaxChars, reportUrlTemplate: URL_TEMPLATE, titlePrefix: 'Twitter AI 报告' },
      c.image,
      c.name.startsWith('long') ? '补发：另有 2026-01-01、2026-01-02 未送达 <b>&' : null,
    );
    compact.push({ name: `${c.name} (compact)`, calls: renderTelegramCalls(digest, { collapseDetails: true, previewReportLink: true }), plain: renderTelegramCalls(digest) });
    const components = { messages: renderDiscordComponents(digest, { color: 0x1d9bf0 }), layout: 'components' as const };
    return { name: c.name, preview: buildPreviewJson(c.report, digest, renderDiscordMessages(digest, { color: 0x1d9bf0 }), renderTelegramCalls(digest), components) };
  });
});

describe('the cases', () => {
  it('cover the seeds, the fixtures and the generated edge cases', () => {
    expect(cases.filter((c) => c.name.startsWith('fixture seed')).length).toBe(5);
    expect(cases.filter((c) => c.name.startsWith('fixture variant')).length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => !/^(seed|fixture|content) /.test(c.name)).length).toBeGreaterThanOrEqual(25);
    const discordBodies = previews.flatMap((p) => p.preview.discord).length;
    const telegramCalls = previews.flatMap((p) => p.preview.telegram);
    expect(discordBodies).toBeGreaterThanOrEqual(50);
    // Some texts carry links (the report link at least), so the link check below has something to check.
    expect(telegramCalls.filter((c) => String(c.params['text'] ?? c.params['caption']).includes('<a href=')).length).toBeGreaterThan(0);
    console.info(`[platform-validators] ${cases.length} cases: ${discordBodies} Discord bodies, ${telegramCalls.length} Telegram calls`);
  });
});

describe('Components V2 bodies through @discordjs/builders\' V2 builders (validation on)', () => {
  beforeAll(() => {
    enableValidators();
  });

  it('every V2 body rebuilds unchanged through ContainerBuilder and keeps the message-wide limits', () => {
    const problems: string[] = [];
    let bodies = 0;
    for (const { name, preview } of previews) {
      preview.discordComponents.forEach((body, index) => {
        bodies += 1;
        for (const problem of componentsV2Problems(body as unknown as Record<string, unknown>, body.files)) problems.push(`${name}, message ${index + 1}: ${problem}`);
      });
    }
    expect(bodies).toBeGreaterThanOrEqual(cases.length);
    expect(problems).toEqual([]);
  });

  it('one message wherever the titles fit one; every point title is in the V2 text, in order', () => {
    const extra: string[] = [];
    for (const { name, preview } of previews) {
      if (preview.discordComponents.length > 1) extra.push(name);
      const markdown = preview.discordComponents.map((b) => componentsText(b as unknown as Record<string, unknown>)).join('\n');
      // Masked links show their text: compare that.
      const text = squash(unescapeDiscord(markdown.replace(/(?<!\\)\[([^\]]*)\]\((https?:[^)\s]*)\)/g, '$1')));
      let from = 0;
      for (const [i, point] of preview.report.points.entries()) {
        // Titles over 256 characters are cut; their start is what must show.
        const start = squash(`${i + 1}. ${Array.from(point.title).slice(0, 40).join('')}`);
        const at = text.indexOf(start, from);
        if (at < 0) throw new Error(`${name}: point ${i + 1} missing or out of order`);
        from = at;
      }
    }
    // Only the generated cases built to overflow (forty points, 3,000-character titles) need a second message.
    expect(extra.every((name) => /many-points|long-title|long-points/.test(name))).toBe(true);
  });
});

/** Rebuilds an embed with EmbedBuilder's validating setters; throws on anything Discord would refuse. */
function rebuildEmbed(embed: DiscordEmbed): EmbedBuilder {
  const built = new EmbedBuilder();
  if (embed.title !== undefined) built.setTitle(embed.title);
  if (embed.url !== undefined) built.setURL(embed.url);
  if (embed.description !== undefined) built.setDescription(embed.description);
  if (embed.image !== undefined) built.setImage(embed.image.url);
  if (embed.footer !== undefined) built.setFooter({ text: embed.footer.text });
  if (embed.timestamp !== undefined) built.setTimestamp(new Date(embed.timestamp));
  if (embed.color !== undefined) built.setColor(embed.color);
  return built;
}

/** Discord's documented attachment file name alphabet. */
const ATTACHMENT_NAME = /^[A-Za-z0-9_.-]+$/;

describe('Discord bodies through @discordjs/builders (validation on)', () => {
  beforeAll(() => {
    enableValidators();
  });

  it('every embed passes EmbedBuilder validation unchanged; every message fits and names its uploads from Discord\'s alphabet', () => {
    const problems: string[] = [];
    for (const { name, preview } of previews) {
      preview.discord.forEach((body, index) => {
        const where = `${name}, message ${index + 1}`;
        if (body.content !== undefined && body.content.length > DISCORD_LIMITS.contentChars) problems.push(`${where}: content over ${DISCORD_LIMITS.contentChars}`);
        if (body.embeds.length > DISCORD_LIMITS.embedsPerMessage) problems.push(`${where}: ${body.embeds.length} embeds`);
        if (JSON.stringify(body.allowed_mentions) !== JSON.stringify({ parse: [] })) problems.push(`${where}: mentions not silenced`);
        let total = 0;
        body.embeds.forEach((embed, e) => {
          try {
            const built = rebuildEmbed(embed).toJSON();
            total += embedLength(built);
            expect(built).toEqual(embed);
          } catch (error) {
            problems.push(`${where}, embed ${e + 1}: ${error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error)}`);
          }
          // Discord links a bare URL as written: a markdown escape inside it becomes part of the address.
          const broken = /https?:\/\/[^\s<>]*\\/.exec(`${embed.title ?? ''}\n${embed.description ?? ''}`);
          if (broken) problems.push(`${where}, embed ${e + 1}: escaped URL ${broken[0]}`);
          const ref = embed.image?.url.startsWith('attachment://') ? embed.image.url.slice('attachment://'.length) : null;
          if (ref !== null && !body.files.some((f) => f.name === ref)) problems.push(`${where}: attachment://${ref} names no uploaded file`);
        });
        if (total > DISCORD_LIMITS.embedTotalChars) problems.push(`${where}: embeds total ${total}`);
        for (const file of body.files) {
          if (!ATTACHMENT_NAME.test(file.name)) problems.push(`${where}: upload name "${file.name}" outside Discord's alphabet`);
        }
        const filenames = (body.attachments ?? []).map((a) => a.filename);
        if (JSON.stringify(filenames) !== JSON.stringify(body.files.map((f) => f.name))) problems.push(`${where}: attachments ${JSON.stringify(filenames)} ≠ files`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('the validators are on: a relative link and an attachment name with spaces are refused', () => {
    expect(() => new EmbedBuilder().setURL('/reports/x.html')).toThrow();
    expect(() => new EmbedBuilder().setImage('attachment://wordcloud_报告 特别版_20260313.png')).toThrow();
    expect(() => new EmbedBuilder().setDescription('x'.repeat(4097))).toThrow();
  });
});

// --- Telegram: TDLib's own HTML parser, offline (no login, no network: a static `execute`). ---

interface FormattedText {
  _: 'formattedText';
  text: string;
  entities: { _: 'textEntity'; offset: number; length: number; type: { _: string; url?: string } }[];
}
type TdParse = (html: string) => FormattedText | { _: 'error'; code: number; message: string };

/**
 * Where TDLib's `libtdjson` comes from: prebuilt-tdlib's Linux x86-64 (glibc) package, the one
 * build the npm registry serves here. The `prebuilt-tdlib` wrapper itself is not a dependency: it
 * lists every platform's build as optional dependencies, which the registry does not have, so the
 * lock file could not list them and `npm ci` would refuse it. Instead the development dependency
 * `tdlib-for-tests` (tests/tdlib/) lists this one build as optional: `npm ci --omit=dev` leaves it
 * out, and a machine it does not fit skips it.
 */
const TDJSON_PACKAGE = '@prebuilt-tdlib/linux-x64-glibc';

/** Loads TDLib through tdl; the reason it could not, otherwise. */
async function loadTdlib(): Promise<{ parse: TdParse } | { why: string }> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { why: `TDLib is installed for linux-x64 (glibc) only (${TDJSON_PACKAGE}); this machine is ${process.platform}-${process.arch}` };
  }
  try {
    const tdl = (await import('tdl')).default;
    const tdjson = path.join(path.dirname(createRequire(import.meta.url).resolve(`${TDJSON_PACKAGE}/package.json`)), 'libtdjson.so');
    tdl.configure({ tdjson, verbosityLevel: 0 });
    const parse: TdParse = (html) =>
      tdl.execute({ _: 'parseTextEntities', text: html, parse_mode: { _: 'textParseModeHTML' } }) as unknown as ReturnType<TdParse>;
    const probe = parse('<b>x</b>');
    if (probe._ !== 'formattedText') throw new Error(`probe answered ${JSON.stringify(probe)}`);
    return { parse };
  } catch (error) {
    return { why: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

const tdlib = await loadTdlib();
if ('why' in tdlib) console.warn(`[platform-validators] Telegram payloads not run through TDLib: ${tdlib.why}`);

/** The `href`s of `<a>` tags, unescaped as Telegram reads them. */
function hrefsOf(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]!.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
}

describe.skipIf('why' in tdlib)(`Telegram payloads through TDLib's parseTextEntities${'why' in tdlib ? ` (skipped: ${tdlib.why})` : ''}`, () => {
  const parse = 'parse' in tdlib ? tdlib.parse : null;

  it('every message text and caption parses, fits, keeps every link, and reads as our own parser reads it', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { name, preview } of previews) {
      preview.telegram.forEach((call, index) => {
        const where = `${name}, call ${index + 1} (${call.method})`;
        const html = String(call.method === 'sendPhoto' ? call.params['caption'] : call.params['text']);
        const limit = call.method === 'sendPhoto' ? TELEGRAM_LIMITS.captionChars : TELEGRAM_LIMITS.messageChars;
        const parsed = parse!(html);
        checked++;
        if (parsed._ !== 'formattedText') {
          problems.push(`${where}: ${parsed.message} in ${JSON.stringify(html.slice(0, 200))}`);
          return;
        }
        if (parsed.text.length > limit) problems.push(`${where}: ${parsed.text.length} characters after parsing, over ${limit}`);
        if (call.method === 'sendMessage' && parsed.text.trim() === '') problems.push(`${where}: empty text`);
        const links = parsed.entities.filter((e) => e.type._ === 'textEntityTypeTextUrl').map((e) => e.type.url);
        const hrefs = hrefsOf(html);
        // TDLib drops an <a> whose href is not a usable URL: the link would silently vanish.
        if (JSON.stringify(links) !== JSON.stringify(hrefs.map((h) => new URL(h).href))) problems.push(`${where}: links ${JSON.stringify(hrefs)} became ${JSON.stringify(links)}`);
        const ours = parseTelegramHtml(html);
        if (!ours.ok) problems.push(`${where}: our parser refuses what TDLib accepts: ${ours.error}`);
        else if (ours.text !== parsed.text) problems.push(`${where}: TDLib reads ${JSON.stringify(parsed.text.slice(0, 80))}…, we read ${JSON.stringify(ours.text.slice(0, 80))}…`);
      });
    }
    expect(checked).toBeGreaterThanOrEqual(60);
    expect(problems).toEqual([]);
  });

  it('compact digests: every detail folded in an expandable quote TDLib reads as one, no quote inside a quote, the same text as unfolded', () => {
    const problems: string[] = [];
    let quotes = 0;
    for (const { name, calls, plain } of compact) {
      calls.forEach((call, index) => {
        if (call.method !== 'sendMessage') return;
        const where = `${name}, call ${index + 1}`;
        const parsed = parse!(call.params.text);
        const unfolded = plain[index];
        const before = unfolded?.method === 'sendMessage' ? parse!(unfolded.params.text) : null;
        if (parsed._ !== 'formattedText' || before?._ !== 'formattedText') {
          problems.push(`${where}: ${parsed._ === 'error' ? parsed.message : 'the unfolded rendering differs in shape'}`);
          return;
        }
        if (parsed.text !== before.text) problems.push(`${where}: folding changed the text`);
        if (parsed.text.length > TELEGRAM_LIMITS.messageChars) problems.push(`${where}: ${parsed.text.length} characters`);
        const blocks = parsed.entities.filter((e) => e.type._ === 'textEntityTypeExpandableBlockQuote' || e.type._ === 'textEntityTypeBlockQuote');
        quotes += blocks.length;
        if (blocks.some((e) => e.type._ !== 'textEntityTypeExpandableBlockQuote')) problems.push(`${where}: a quote that is not expandable`);
        for (const a of blocks) {
          for (const b of blocks) {
            if (a !== b && b.offset >= a.offset && b.offset + b.length <= a.offset + a.length) problems.push(`${where}: a quote inside a quote at ${b.offset}`);
          }
        }
        const ours = parseTelegramHtml(call.params.text);
        if (!ours.ok || ours.text !== parsed.text) problems.push(`${where}: our parser reads it otherwise`);
        const preview = call.params.link_preview_options;
        if ('url' in preview && !parsed.entities.some((e) => e.type.url === new URL(preview.url).href)) problems.push(`${where}: previews ${preview.url}, a link it does not hold`);
      });
    }
    console.info(`[platform-validators] compact: ${compact.reduce((n, c) => n + c.calls.length, 0)} Telegram calls, ${quotes} expandable quotes through TDLib`);
    expect(quotes).toBeGreaterThanOrEqual(200);
    expect(problems).toEqual([]);
  });

  it('the parser is the real one: it refuses what Telegram refuses and drops a relative link', () => {
    expect(parse!('<b>x</i>')).toMatchObject({ _: 'error', code: 400 });
    expect(parse!('a < b')).toMatchObject({ _: 'error', code: 400 });
    expect(parse!('<a href="/reports/x.html">x</a>')).toEqual({ _: 'formattedText', text: 'x', entities: [] });
  });
});

import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import type { PreviewJson } from '../../src/render/preview-json.ts';
import { parseTelegramHtml } from '../../src/render/telegram-html.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SLUG = 'twitter_ai_20260103_20260103';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    // Only what the command needs; no CONTENT_DIR etc. leaking in from the developer's shell.
    env: { TIMEZONE: 'Asia/Shanghai', ...env },
    cwd: ROOT,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

let temp: string;
let ownImage: Buffer;
beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'digest-preview-'));
  await copyFile(path.join(ROOT, 'content', `${SLUG}.md`), path.join(temp, `${SLUG}.md`));
  // The report's own word cloud (a real, small JPEG), beside the report as it references it.
  ownImage = await createCanvas(320, 180).encode('jpeg');
  await writeFile(path.join(temp, `wordcloud_${SLUG}.jpg`), ownImage);
  await writeFile(path.join(temp, 'broken.md'), '\u0000\u0001 binary');
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe('digest preview --json', () => {
  it('prints exactly one JSON object with the report\'s ten points and both platforms\' payloads', async () => {
    const { code, stdout, stderr } = await run(['preview', '2026-01-03', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const preview = JSON.parse(stdout) as PreviewJson;
    expect(Object.keys(preview)).toEqual(['report', 'discord', 'telegram', 'discordComponents', 'discordLayout']);
    expect(preview.report).toMatchObject({ slug: SLUG, dateStart: '2026-01-03', dateEnd: '2026-01-03' });
    expect(preview.report.points.map((p) => p.title)).toEqual([
      '编程工作流程根本性变革',
      '递归语言模型（RLM）引领下一代AI架构',
      '多模态AI视频生成技术重大进展',
      '中国AI模型技术差距缩小',
      '硬件基础设施军备竞赛白热化',
      '企业级AI代理定价策略成型',
      '中美芯片供应链关系复杂化',
      '"AI Slop"现象引发行业反思',
      '资本市场对AI投资逻辑转变',
      '教育领域AI冲击开始显现',
    ]);
    expect(preview.discord.length).toBeGreaterThan(0);
    for (const body of preview.discord) {
      expect(body.allowed_mentions).toEqual({ parse: [] });
      expect(Array.isArray(body.files)).toBe(true);
    }
    const description = preview.discord[0]!.embeds[0]!.description!;
    expect(description).toContain('**10. 教育领域AI冲击开始显现**');
    for (const call of preview.telegram) {
      expect(call.params).not.toHaveProperty('chat_id');
      if (call.method === 'sendMessage') {
        expect(parseTelegramHtml(String(call.params['text'])).ok).toBe(true);
      }
    }
    // telegram.collapseDetails is on by default: the ten details folded, as a chat gets them.
    const telegramText = preview.telegram.map((c) => String(c.params['text'] ?? '')).join('');
    expect(telegramText.split('<blockquote expandable>')).toHaveLength(11);
  });

  it('previews a FILE, carrying the word cloud beside it as an attachment and a photo', async () => {
    const { code, stdout } = await run(['preview', path.join(temp, `${SLUG}.md`), '--json']);
    expect(code).toBe(0);
    const preview = JSON.parse(stdout) as PreviewJson;
    const name = `wordcloud_${SLUG}.jpg`;
    expect(preview.report.image).toBe(name);
    expect(preview.report.imageGenerated).toBe(false);
    // Discord gets it under a name from its attachment alphabet, made from the report's date.
    const uploaded = 'wordcloud-2026-01-03.jpg';
    expect(preview.discord[0]!.files).toEqual([{ name: uploaded, bytes: ownImage.length }]);
    expect(preview.discord[0]!.attachments).toEqual([{ id: 0, filename: uploaded }]);
    expect(preview.discord[0]!.embeds[0]!.image).toEqual({ url: `attachment://${uploaded}` });
    expect(preview.telegram[0]).toMatchObject({ method: 'sendPhoto', params: { photo: { file: name, bytes: ownImage.length }, parse_mode: 'HTML' } });
    expect(preview.telegram.slice(1).every((c) => c.method === 'sendMessage')).toBe(true);
  });

  it('without DATE previews the newest report', async () => {
    const older = 'twitter_ai_20260102_20260102.md';
    await copyFile(path.join(ROOT, 'content', older), path.join(temp, older));
    const { code, stdout } = await run(['preview', '--json'], { CONTENT_DIR: temp });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as PreviewJson).report.slug).toBe(SLUG);
  });
});

describe('digest preview errors', () => {
  it('a date without a report: exit 1 and one line naming the nearest dates', async () => {
    const { code, stdout, stderr } = await run(['preview', '2026-01-10', '--json']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('2026-01-03');
    expect(stderr).toContain('2026-01-22');
  });

  it('an unparseable file: exit 1 and one line with the reason', async () => {
    const { code, stdout, stderr } = await run(['preview', path.join(temp, 'broken.md')]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/broken\.md.*binary/);
  });

  it('a missing .md file and a malformed date are one-line errors too', async () => {
    for (const arg of ['nope/missing.md', '2026-02-30']) {
      const { code, stderr } = await run(['preview', arg]);
      expect(code).toBe(1);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});

describe('digest preview (readable)', () => {
  it('shows both platforms\' messages', async () => {
    const { code, stdout } = await run(['preview', '20260103']);
    expect(code).toBe(0);
    expect(stdout).toContain('── Discord: 1 message(s)');
    // No image beside content/'s reports: a word cloud is drawn, so a photo comes first.
    expect(stdout).toContain('image: wordcloud_twitter_ai_20260103_20260103.png (generated)');
    expect(stdout).toContain('── Telegram: 2 call(s)');
    expect(stdout).toContain('**10. 教育领域AI冲击开始显现**');
    expect(stdout).toContain('<b>10. 教育领域AI冲击开始显现</b>');
    expect(stdout).not.toContain('INVALID');
  });
});

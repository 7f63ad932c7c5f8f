import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/read-report.ts';
import { fixture } from './fixture-path.ts';

const seeds = fixture('seeds');

/** Every seed's ten titles, written out: the parser must get them exactly. */
const SEED_TITLES: Record<string, string[]> = {
  twitter_ai_20251227_20251227: [
    'NVIDIA与Groq的200亿美元交易',
    'Claude Code + Opus 4.5组合',
    '美国国家科学基金会启动Tech Labs项目',
    'MiniMax M2.1开源',
    'GLM-4.7发布',
    'Yann LeCun的VL-JEPA架构',
    '联邦AI资金模式转变',
    '机器人技术突破',
    'AI代理从概念转向生产',
    'AI检测指标失效',
  ],
  twitter_ai_20260101_20260101: [
    '自动驾驶突破',
    'GPU 与存储资源极度稀缺',
    '韩国主权 AI 快速崛起',
    'AI 已在关键行业深度扎根',
    'AI 安全治理迫在眉睫',
    '代码能力高度商品化',
    '视觉与多模态应用就绪',
    '中美欧在开源与人才投入上竞争激烈',
    '算法创新呈现多路径格局',
    '人机交互进入智能体时代',
  ],
  twitter_ai_20260102_20260102: [
    '多模态交互',
    '模型性能超越',
    '开放源生态',
    '智能代理商业化',
    '代码生成革新',
    '新兴技术架构',
    '模型推理效率',
    '企业认知革命',
    '全球产业竞争',
    '应用场景拓展',
  ],
  twitter_ai_20260103_20260103: [
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
  ],
  twitter_ai_20260122_20260122: [
    'Claude Code等智能体工具重塑生产力',
    'AI智能体技术框架（如LangChain Deep Agents）趋于成熟',
    'AI推理效率与成本优化成为技术焦点',
    '开源模型挑战闭源模型主导地位',
    'AI正深度集成至教育与企业服务领域',
    'AI在专业领域（如代码、法律、视频生成）取得突破性进展',
    'AI初创公司融资活跃，市场估值高企',
    'AI内容创作工具普及，降低专业创作门槛',
    '对AI社会影响的讨论日益深化',
    'AI监管与地缘政治因素影响行业发展',
  ],
};

const SEED_META: Record<string, { date: string; publishedAt: string; headline: string }> = {
  twitter_ai_20251227_20251227: { date: '2025-12-27', publishedAt: '2025-12-27T14:33:24+08:00', headline: 'Twitter AI主题推文总结报告' },
  twitter_ai_20260101_20260101: { date: '2026-01-01', publishedAt: '2026-01-01T10:04:29+08:00', headline: 'Twitter AI动态综合报告（截至2025年末）' },
  twitter_ai_20260102_20260102: { date: '2026-01-02', publishedAt: '2026-01-02T10:05:34+08:00', headline: '人工智能领域Twitter平台推文总结报告' },
  twitter_ai_20260103_20260103: { date: '2026-01-03', publishedAt: '2026-01-03T14:34:15+08:00', headline: '人工智能行业Twitter推文分析报告' },
  twitter_ai_20260122_20260122: { date: '2026-01-22', publishedAt: '2026-01-22T16:01:36+08:00', headline: '人工智能主题推文报告' },
};

describe('parseReport on the seed reports', () => {
  for (const [slug, titles] of Object.entries(SEED_TITLES)) {
    const meta = SEED_META[slug]!;
    it(`${slug}: ten exact titles, dates, headline, publish time, image`, async () => {
      const file = join(seeds, `${slug}.md`);
      const report = await readReport(file);
      expect(report.points.map((p) => p.title)).toEqual(titles);
      expect(report.slug).toBe(slug);
      expect(report.file).toBe(file);
      expect(report.dateStart).toBe(meta.date);
      expect(report.dateEnd).toBe(meta.date);
      expect(report.publishedAt).toBe(meta.publishedAt);
      expect(report.headline).toBe(meta.headline);
      expect(report.image).toBe(join(seeds, `wordcloud_${slug}.jpg`));
      // The seeds ship without their images: noted (a word cloud is drawn instead), not a warning.
      expect(report.warnings).toEqual([]);
      expect(report.missingImage).toBe(`wordcloud_${slug}.jpg`);
      // Each announces its ten points and holds them: none is held back as incomplete.
      expect(report.expectedPoints).toBe(10);
      expect(report.contentHash).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
      for (const point of report.points) {
        expect(point.title).not.toMatch(/\*|：$/);
        expect(point.detail).not.toMatch(/^[：:，\s]|\*\*/);
      }
    });
  }

  it('splits "**title**detail" with no colon (20251227) and drops a leading comma', async () => {
    const report = await readReport(join(seeds, 'twitter_ai_20251227_20251227.md'));
    expect(report.points[0]).toEqual({
      title: 'NVIDIA与Groq的200亿美元交易',
      detail: '标志着AI推理市场正式成为战略要地，预示着专用推理硬件将重塑技术栈格局。',
    });
    expect(report.points[2]?.detail).toBe('计划投资10亿美元建立面向21世纪的新型科研机构，联邦资金正转向机构性支持而非项目制。');
    expect(report.points[7]).toEqual({
      title: '机器人技术突破',
      detail: '视觉sim-to-real技术在解决现实环境交互问题时取得重大进展，物理AI发展进入新阶段。',
    });
  });

  it('reads bulleted points with a full-width colon (20260101)', async () => {
    const report = await readReport(join(seeds, 'twitter_ai_20260101_20260101.md'));
    expect(report.points[9]?.detail).toBe(
      'Agent 架构形成独立赛道，具备在 CLI、移动端（如 Zai 机构 9B 手机模型）与工作流中执行任务并提供记忆与关联能力。',
    );
  });

  it('reads a loose list of title-only points with empty details (20260102)', async () => {
    const report = await readReport(join(seeds, 'twitter_ai_20260102_20260102.md'));
    expect(report.points.every((p) => p.detail === '')).toBe(true);
    expect(report.overview.split('\n\n')).toHaveLength(2);
    expect(report.overview.startsWith('2025年末至2026年初，人工智能领域呈现高速发展态势。')).toBe(true);
  });

  it('reads loose numbered points and strips bold inside the overview (20260103)', async () => {
    const report = await readReport(join(seeds, 'twitter_ai_20260103_20260103.md'));
    expect(report.points[5]).toEqual({ title: '企业级AI代理定价策略成型', detail: '预计将出现月费1000美元的高端AI代理服务。' });
    expect(report.overview).toContain('三大核心趋势展开：AI编程代理工具的普及化、多模态AI技术的突破性进展');
    expect(report.overview).not.toContain('**');
  });

  it('reads "1.  **title**：detail" with two spaces and an overview with a list (20260122)', async () => {
    const report = await readReport(join(seeds, 'twitter_ai_20260122_20260122.md'));
    expect(report.points[0]?.detail).toBe(
      'Claude Code及其衍生工具（如Cowork、OpenWork）正被用于自动化从代码开发到日常办公的全流程，大幅提升效率，成为2026年AI应用的核心趋势。',
    );
    const lines = report.overview.split('\n');
    expect(lines[0]).toBe('近期AI领域呈现多维度发展态势，核心讨论围绕以下趋势展开：');
    expect(lines.filter((l) => l.startsWith('• '))).toHaveLength(5);
    expect(report.overview.endsWith('创新层出不穷。')).toBe(true);
    expect(report.overview).toContain('整体市场情绪：整体情绪偏向乐观');
  });
});

import type { Digest, DigestImage } from '../../src/report/digest-types.ts';
import type { CorePoint } from '../../src/report/types.ts';

/** Builds digests for renderer tests; any field can be overridden. */
export function makeDigest(overrides: Partial<Digest> = {}): Digest {
  return {
    slug: 'twitter_ai_20260103_20260103',
    dateStart: '2026-01-03',
    dateEnd: '2026-01-03',
    title: 'Twitter AI 报告 · 2026-01-03',
    headline: '人工智能行业Twitter推文分析报告',
    points: [
      { title: '编程工作流程根本性变革', detail: '开发者工作模式正从手写代码转向AI监管和微调。' },
      { title: '递归语言模型', detail: '该技术允许模型与自身提示进行交互。' },
    ],
    url: null,
    publishedAt: '2026-01-03T14:34:15+08:00',
    image: null,
    note: null,
    ...overrides,
  };
}

export const TEST_IMAGE: DigestImage = {
  path: '/tmp/wordcloud_twitter_ai_20260103_20260103.jpg',
  name: 'wordcloud_twitter_ai_20260103_20260103.jpg',
  bytes: 12345,
  generated: false,
};

/** `count` points whose details are `size` characters of mixed Chinese, ASCII and emoji text. */
export function oversizedPoints(count: number, size: number): CorePoint[] {
  const sentence = '模型在基准测试中表现出色，GPT-5.2 与 Claude 相比更快😀。';
  return Array.from({ length: count }, (_, i) => {
    let detail = `第${i + 1}点：`;
    while (detail.length < size) detail += sentence;
    return { title: `要点 ${i + 1} <b>&"*_`, detail: `${Array.from(detail).slice(0, size - 1).join('')}。` };
  });
}

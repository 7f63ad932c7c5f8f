/**
 * Curated AI vocabulary the general-purpose jieba dictionary splits wrongly (`智能/体`, `多/模态`,
 * `大/语言/模型`). Added to the segmenter (`chinese-words.ts`) as user words, so each stays one
 * term in the word cloud and in the search index. Keep it short and factual: a word belongs here when the default dictionary cuts it apart.
 */
export const AI_CHINESE_TERMS: readonly string[] = [
  '智能体', '多智能体', '多模态', '大语言模型', '语言模型', '大模型', '开源', '闭源', '开源模型',
  '闭源模型', '推理模型', '世界模型', '基础模型', '视频生成', '图像生成', '语音生成', '代码生成',
  '生成式', '算力', '数据中心', '具身智能', '人形机器人', '自动驾驶', '强化学习', '微调', '提示词',
  '上下文', '上下文窗口', '幻觉', '对齐', '模型对齐', '智能体工作流', '编程助手', '编程代理',
  'AI代理', '代理', '基准测试', '推理效率', '推理速度', '显存', '显存带宽', '晶圆厂', '出口管制',
  '芯片', '量化', '蒸馏', '检索增强生成', '向量数据库', '多模态模型', '智谱', '阿里', '字节跳动',
  '深度求索', '月之暗面', '英伟达', '微软', '谷歌', '三星', '台积电', '全民开发者', '递归语言模型', '地缘政治',
  '供应链', '军备竞赛', '金融市场', '资本市场', '商业化', '基础设施',
];

/**
 * Multi-word English names kept whole even when they occur only once in a report. Any run of
 * capitalised words that occurs at least twice is kept whole too, so this list only needs the
 * names a report may mention once.
 */
export const AI_ENGLISH_PHRASES: readonly string[] = [
  'Claude Code', 'Claude Opus', 'Claude Sonnet', 'Gemini Pro', 'Gemini Flash', 'Deep Agents',
  'Agent Builder', 'Google DeepMind', 'Khan Academy', 'Grok Code', 'Grok Imagine', 'Sam Altman',
  'Elon Musk', 'Dario Amodei', 'Demis Hassabis', 'Jensen Huang', 'Andrej Karpathy', 'Yann LeCun',
  'Meta AI', 'Hugging Face', 'Stable Diffusion', 'Mistral AI', 'Nano Banana', 'Codex CLI',
];

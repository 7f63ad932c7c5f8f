import matter from 'gray-matter';
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: false });
type Token = ReturnType<typeof md.parse>[number];

/**
 * The prose of a report's markdown as plain text, one block per line: front matter, markup, link
 * targets, images and code blocks removed. Headings below the H1 are dropped too: they are the
 * report template's section names (`详细分析部分`, `核心信息（10个信息点概述）`), the same every
 * day, so they say nothing about this report's content.
 */
export function reportPlainText(markdown: string): string {
  const body = stripFrontMatter(markdown);
  const tokens = md.parse(body, {});
  const blocks: string[] = [];
  let skipHeading = false;
  for (const token of tokens) {
    if (token.type === 'heading_open') skipHeading = token.tag !== 'h1';
    else if (token.type === 'heading_close') skipHeading = false;
    else if (token.type === 'inline' && !skipHeading) {
      const text = inlineText(token.children ?? []).trim();
      if (text) blocks.push(text);
    }
  }
  return blocks.join('\n');
}

function stripFrontMatter(markdown: string): string {
  try {
    return matter(markdown).content;
  } catch {
    // Broken front matter: the text after it is still worth a cloud.
    return markdown.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
  }
}

function inlineText(children: Token[]): string {
  let out = '';
  for (const child of children) {
    if (child.type === 'text' || child.type === 'code_inline') out += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') out += '\n';
    // image: its alt text (`词云图`) is not report content; link_open/close: the URL is dropped.
  }
  return out;
}

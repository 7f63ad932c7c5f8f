import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';

/**
 * One shared parser. HTML is off on purpose: reports talk about things like `<think>` tags, and
 * those must stay literal text, not vanish as markup. `parse` keeps no state between calls.
 */
export const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

export type { Token };

/** Collapses runs of spaces (not the ideographic kind inside words) and trims. */
export function tidyText(text: string): string {
  return text.replace(/[ \t\u00a0\r\n]+/g, ' ').trim();
}

/**
 * Plain text of inline child tokens: emphasis, links and code lose their markup, entities are
 * already decoded by markdown-it, images become their alt text.
 */
export function inlineChildrenText(children: readonly Token[]): string {
  let out = '';
  for (const child of children) {
    switch (child.type) {
      case 'text':
      case 'code_inline':
      case 'html_inline':
        out += child.content;
        break;
      case 'image':
        out += child.children ? inlineChildrenText(child.children) : child.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        out += ' ';
        break;
      default:
        // *_open / *_close markup tokens carry no text.
        break;
    }
  }
  return out;
}

/**
 * The links among inline child tokens (`[text](url)`), in order, with their plain, tidied text.
 * Autolinks (`<https://…>`) count too; links without text are skipped.
 */
export function inlineLinks(children: readonly Token[]): { text: string; url: string }[] {
  const links: { text: string; url: string }[] = [];
  for (let i = 0; i < children.length; i++) {
    const open = children[i];
    if (open?.type !== 'link_open') continue;
    const url = String(open.attrGet('href') ?? '');
    let close = i + 1;
    while (close < children.length && children[close]?.type !== 'link_close') close++;
    const text = tidyText(inlineChildrenText(children.slice(i + 1, close)));
    if (text !== '' && url !== '') links.push({ text, url });
    i = close;
  }
  return links;
}

/** Plain, tidied text of one `inline` block token. */
export function inlineText(token: Token | undefined): string {
  if (!token) return '';
  return tidyText(token.children ? inlineChildrenText(token.children) : token.content);
}

/** Index of the token closing the block opened at `openIndex` (same nesting level), or the last index. */
export function findClose(tokens: readonly Token[], openIndex: number): number {
  const open = tokens[openIndex];
  if (!open || open.nesting !== 1) return openIndex;
  const closeType = open.type.replace(/_open$/, '_close');
  for (let i = openIndex + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t && t.type === closeType && t.level === open.level) return i;
  }
  return tokens.length - 1;
}

/**
 * Plain text of the blocks in `tokens[from, to)`: paragraphs separated by blank lines, list items
 * one per line as `• item` (nested items indented), code kept verbatim.
 */
export function blocksText(tokens: readonly Token[], from: number, to: number): string {
  const blocks: string[] = [];
  let listDepth = 0;
  let itemLines: string[] | null = null;
  let itemStartsFresh = false;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (t.type === 'bullet_list_open' || t.type === 'ordered_list_open') {
      if (listDepth === 0) itemLines = [];
      listDepth++;
    } else if (t.type === 'bullet_list_close' || t.type === 'ordered_list_close') {
      listDepth--;
      if (listDepth === 0 && itemLines) {
        if (itemLines.length > 0) blocks.push(itemLines.join('\n'));
        itemLines = null;
      }
    } else if (t.type === 'list_item_open') {
      itemStartsFresh = true;
    } else if (t.type === 'inline') {
      const text = inlineText(t);
      if (text === '') continue;
      if (itemLines) {
        if (itemStartsFresh || itemLines.length === 0) {
          itemLines.push(`${'  '.repeat(Math.max(0, listDepth - 1))}• ${text}`);
          itemStartsFresh = false;
        } else {
          itemLines[itemLines.length - 1] += ` ${text}`;
        }
      } else {
        blocks.push(text);
      }
    } else if ((t.type === 'fence' || t.type === 'code_block') && t.content.trim() !== '') {
      (itemLines ?? blocks).push(t.content.replace(/\n+$/, ''));
    }
  }
  return blocks.join('\n\n');
}

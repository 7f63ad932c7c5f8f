import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { linkSegments } from '../render/link-segments.ts';
import type { CorePoint } from '../report/types.ts';
import type { SearchHit, SearchOutcome } from '../search/types.ts';
import type { ArchivedReport, ArchivePage } from './archive-source.ts';
import { reportPagePath } from './report-links.ts';

/**
 * The public archive's HTML, server-rendered with hono's `html` template: every interpolated
 * value is escaped unless wrapped in `raw()`, and `raw()` only ever wraps fixed markup from this
 * file. No JavaScript: links and GET forms only.
 */

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Head facts of a page: what a shared link unfurls into. */
export interface PageMeta {
  title: string;
  description: string;
  /** Absolute URL of this page (og:url). */
  url: string;
  /** Absolute URL of the picture (og:image), or null. */
  image: string | null;
}

/** The site's name in titles and the header. */
export const SITE_NAME = 'Twitter AI 报告 · 存档';

export function layout(meta: PageMeta, body: Html): Html {
  return html`<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${meta.title}</title>
<meta name="description" content="${meta.description}">
<link rel="canonical" href="${meta.url}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="${SITE_NAME}">
<meta property="og:title" content="${meta.title}">
<meta property="og:description" content="${meta.description}">
<meta property="og:url" content="${meta.url}">
${meta.image ? html`<meta property="og:image" content="${meta.image}">
<meta name="twitter:card" content="summary_large_image">` : ''}
<link rel="alternate" type="application/atom+xml" title="${SITE_NAME} (Atom)" href="/feed.xml">
<link rel="alternate" type="application/feed+json" title="${SITE_NAME} (JSON Feed)" href="/feed.json">
<link rel="stylesheet" href="/assets/font.css">
<link rel="stylesheet" href="/assets/archive.css">
</head>
<body>
<header><a class="site" href="/">${SITE_NAME}</a>
<form class="search" method="get" action="/search" role="search"><input type="search" name="q" placeholder="搜索报告" aria-label="搜索报告" maxlength="200"><button type="submit">搜索</button></form>
</header>
<main>
${body}
</main>
<footer><a href="/feed.xml">Atom</a> · <a href="/feed.json">JSON Feed</a></footer>
</body>
</html>`;
}

const dateLabel = (start: string, end: string): string => (start === end ? start : `${start} – ${end}`);

/** The first sentences of a report's points, as one line for descriptions. */
export function describePoints(points: readonly CorePoint[], maxChars = 200): string {
  const text = points.map((p) => p.title).join('；');
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/** Text with its links (http/https only) as anchors; everything escaped. */
function linked(text: string, point: CorePoint): Html[] {
  return linkSegments(text, point.links).map((s) =>
    s.url ? html`<a href="${s.url}" rel="nofollow noopener">${s.text}</a>` : html`${s.text}`,
  );
}

/** `/`: the reports newest first, paged. */
export function indexPage(meta: PageMeta, page: ArchivePage): Html {
  const rows = page.entries.map(
    (e) => html`<li><a href="${reportPagePath(e.dateStart)}">${dateLabel(e.dateStart, e.dateEnd)}</a></li>`,
  );
  const nav = html`<nav class="pager">${page.page > 1 ? html`<a rel="prev" href="/?page=${page.page - 1}">← 较新</a>` : ''}
<span>第 ${page.page} / ${page.pages} 页 · 共 ${page.total} 份报告</span>
${page.page < page.pages ? html`<a rel="next" href="/?page=${page.page + 1}">较早 →</a>` : ''}</nav>`;
  return layout(
    meta,
    html`<h1>报告存档</h1>
${page.entries.length === 0 ? html`<p>这一页没有报告。</p>` : html`<ul class="dates" id="report-list">${rows}</ul>`}
${nav}`,
  );
}

/** `/reports/<date>`: the report's title, date, points with details and links, cloud and neighbours. */
export function reportPage(meta: PageMeta, view: ArchivedReport, imagePath: string | null): Html {
  const { report, navigation } = view;
  const points = report.points.map(
    (p) => html`<li><strong>${linked(p.title, p)}</strong>${p.detail ? html`<p>${linked(p.detail, p)}</p>` : ''}</li>`,
  );
  return layout(
    meta,
    html`<article>
<h1 id="report-title">${view.title}</h1>
<p class="meta"><time datetime="${report.dateStart}">${dateLabel(report.dateStart, report.dateEnd)}</time>${report.publishedAt ? html` · 发布于 <time datetime="${report.publishedAt}">${report.publishedAt}</time>` : ''}</p>
<h2>${report.headline}</h2>
<ol class="points" id="points">${points}</ol>
${imagePath ? html`<figure><img class="wordcloud" src="${imagePath}" alt="${report.dateStart} 词云" loading="lazy"></figure>` : ''}
${view.sourceUrl ? html`<p><a class="source" href="${view.sourceUrl}" rel="noopener">阅读原文 →</a></p>` : ''}
</article>
<nav class="pager">${navigation.previous ? html`<a rel="prev" href="${reportPagePath(navigation.previous)}">← ${navigation.previous}</a>` : html`<span></span>`}
<a href="/">全部报告</a>
${navigation.next ? html`<a rel="next" href="${reportPagePath(navigation.next)}">${navigation.next} →</a>` : html`<span></span>`}</nav>`,
  );
}

/** The snippet with the query's words in `<mark>`, every piece escaped. */
function highlighted(hit: SearchHit): Html[] {
  const out: Html[] = [];
  let cursor = 0;
  for (const [start, end] of hit.highlights) {
    out.push(html`${hit.snippet.slice(cursor, start)}<mark>${hit.snippet.slice(start, end)}</mark>`);
    cursor = end;
  }
  out.push(html`${hit.snippet.slice(cursor)}`);
  return out;
}

/** `/search?q=`: the bot's own search results, or why there are none. */
export function searchPage(meta: PageMeta, query: string, outcome: SearchOutcome | null): Html {
  let body: Html;
  if (query === '') body = html`<p>输入要搜索的词。</p>`;
  else if (outcome === null) body = html`<p>搜索索引尚未就绪，请稍后再试。</p>`;
  else if (outcome.hits.length === 0) {
    body = html`<p>没有找到“${query}”。</p>${outcome.suggestions.length > 0 ? html`<p>试试：${outcome.suggestions.map((s, i) => html`${i > 0 ? '、' : ''}<a href="/search?q=${encodeURIComponent(s)}">${s}</a>`)}</p>` : ''}`;
  } else {
    body = html`<p>“${query}”：显示 ${outcome.hits.length} / ${outcome.total} 份报告</p>
<ol class="hits" id="search-results">${outcome.hits.map(
      (hit) => html`<li><a href="${reportPagePath(hit.dateStart)}">${dateLabel(hit.dateStart, hit.dateEnd)}</a><p>${highlighted(hit)}</p></li>`,
    )}</ol>`;
  }
  return layout(meta, html`<h1>搜索</h1>
<form class="search wide" method="get" action="/search"><input type="search" name="q" value="${query}" aria-label="搜索报告" maxlength="200"><button type="submit">搜索</button></form>
${body}`);
}

/** An error page: what went wrong and, for a missing date, links to the nearest reports. */
export function messagePage(meta: PageMeta, heading: string, message: string, nearest: readonly string[] = []): Html {
  return layout(
    meta,
    html`<h1>${heading}</h1>
<p id="message">${message}</p>
${nearest.length > 0 ? html`<p>最近的报告：${nearest.map((d, i) => html`${i > 0 ? '、' : ''}<a class="nearest" href="${reportPagePath(d)}">${d}</a>`)}</p>` : ''}
<p><a href="/">全部报告</a></p>`,
  );
}

/** The archive's stylesheet: one column, readable on a 390 px phone with no sideways scrolling. */
export const ARCHIVE_CSS = `
:root { color-scheme: light; --muted: #5c6770; --line: #d8dee4; --accent: #0969da; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font-family: 'Noto Sans SC', system-ui, sans-serif; line-height: 1.7; color: #1f2328; background: #fff; overflow-wrap: anywhere; }
a { color: var(--accent); }
header { background: #24292f; padding: .6rem 1rem; display: flex; gap: .5rem 1rem; flex-wrap: wrap; align-items: center; justify-content: space-between; }
header a.site { color: #fff; font-weight: 700; text-decoration: none; }
form.search { display: flex; gap: .3rem; min-width: 0; flex: 1 1 12rem; max-width: 24rem; }
form.search input { flex: 1; min-width: 0; }
input, button { font: inherit; padding: .2rem .45rem; }
main { padding: 1rem; max-width: 48rem; margin: 0 auto; }
h1 { font-size: 1.4rem; line-height: 1.35; } h2 { font-size: 1.1rem; }
.meta { color: var(--muted); margin-top: -.5rem; }
ol.points li { margin-bottom: .8rem; } ol.points p { margin: .2rem 0 0; }
figure { margin: 1.5rem 0; } img.wordcloud { max-width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
ul.dates { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .3rem 1rem; }
.pager { display: flex; justify-content: space-between; gap: .5rem; flex-wrap: wrap; margin: 1.5rem 0; }
mark { background: #fff8c5; }
footer { border-top: 1px solid var(--line); color: var(--muted); padding: 1rem; text-align: center; font-size: .9rem; }
`;

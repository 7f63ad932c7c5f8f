import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Hono } from 'hono';

const FONT_PACKAGE = '@fontsource/noto-sans-sc';
const FONT_FILE = /^noto-sans-sc-[a-z0-9-]+-(400|700)-normal\.woff2$/;

function fontDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve(`${FONT_PACKAGE}/package.json`));
}

/**
 * The font CSS for a page: the package's own @font-face rules (one per unicode-range subset,
 * so a browser fetches only the subsets a page uses) for regular and bold, pointed at `fontsPath`
 * (where {@link readFontFile} is served; the archive pages share it).
 */
export function fontCss(fontsPath = '/admin/assets/fonts'): string {
  const dir = fontDir();
  return ['400.css', '700.css']
    .map((file) => readFileSync(path.join(dir, file), 'utf8'))
    .join('\n')
    // Only woff2 (every current browser); the woff fallbacks are dropped.
    .replace(/url\(\.\/files\/([^)]+?)\.woff2\) format\('woff2'\),\s*url\(\.\/files\/[^)]+?\.woff\) format\('woff'\)/g, "url(" + fontsPath + "/$1.woff2) format('woff2')");
}

/** A Noto Sans SC woff2 file by its name, or null for any other name (nothing else is ever read). */
export async function readFontFile(file: string): Promise<Uint8Array<ArrayBuffer> | null> {
  const full = path.join(fontDir(), 'files', file);
  if (!FONT_FILE.test(file) || !existsSync(full)) return null;
  return new Uint8Array(await readFile(full));
}

export const ADMIN_CSS = `
:root { color-scheme: light; --muted: #5c6770; --line: #d8dee4; --bg: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font-family: 'Noto Sans SC', system-ui, sans-serif; line-height: 1.5; color: #1f2328; background: #fff; }
header { background: #24292f; color: #fff; padding: .6rem 1rem; display: flex; gap: 1rem; flex-wrap: wrap; align-items: baseline; }
header a { color: #fff; } header h1 { font-size: 1.1rem; margin: 0; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
h2 { font-size: 1.15rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); }
.ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); } .muted { color: var(--muted); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
form.inline { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin: .5rem 0; }
label { font-size: .85rem; display: flex; flex-direction: column; }
input, select, button { font: inherit; padding: .25rem .4rem; }
.dates a { display: inline-block; margin: 0 .5rem .3rem 0; }
.platforms { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1.5rem; }
.discord { background: #313338; color: #dbdee1; padding: 1rem; border-radius: 8px; }
.embed { display: flex; background: #2b2d31; border-radius: 4px; margin: .5rem 0; overflow: hidden; }
.embed .bar { width: 4px; flex: none; }
.embed .body { padding: .6rem .8rem; min-width: 0; }
.embed .title { font-weight: 700; color: #fff; margin-bottom: .3rem; } .embed .title a { color: #00a8fc; }
.embed .desc { font-size: .92rem; overflow-wrap: anywhere; } .embed .desc a, .discord a { color: #00a8fc; }
.embed img, .telegram img { max-width: 100%; height: auto; display: block; border-radius: 4px; margin-top: .5rem; }
.embed .footer { font-size: .75rem; color: #b5bac1; margin-top: .5rem; }
.v2-container { display: flex; background: #2b2d31; border-radius: 8px; margin: .5rem 0; overflow: hidden; border: 1px solid #3f4147; }
.v2-container .bar { width: 4px; flex: none; } .v2-container .body { padding: .8rem; min-width: 0; flex: 1; }
.v2-text { font-size: .92rem; overflow-wrap: anywhere; margin: .35rem 0; } .v2-text .h2 { font-size: 1.25rem; font-weight: 700; color: #fff; }
.v2-text .subtext { font-size: .75rem; color: #949ba4; } .v2-text .time { background: #3f4147; border-radius: 3px; padding: 0 .2rem; }
.v2-text .mention { background: #3c4270; color: #c9cdfb; border-radius: 3px; padding: 0 .2rem; }
.v2-section { display: flex; gap: .8rem; align-items: flex-start; } .v2-section .texts { flex: 1; min-width: 0; } .v2-section .accessory { flex: none; margin-top: .35rem; }
.v2-gallery img { max-width: 100%; height: auto; display: block; border-radius: 8px; margin: .5rem 0; }
.v2-separator { border: 0; border-top: 1px solid #3f4147; margin: .6rem 0; }
.v2-row { display: flex; gap: .5rem; flex-wrap: wrap; }
.discord .button { display: inline-block; background: #4e5058; color: #fff; border-radius: 4px; padding: .2rem .8rem; font-size: .85rem; text-decoration: none; white-space: nowrap; }
.discord .button.disabled { opacity: .5; }
.telegram { background: #a8c7a0; padding: 1rem; border-radius: 8px; }
.bubble { background: #fff; border-radius: 10px; padding: .5rem .7rem; margin: .5rem 0; max-width: 34rem; overflow-wrap: anywhere; font-size: .92rem; }
.bubble .caption { margin-top: .4rem; } .bubble a { color: #2481cc; }
.spoiler { background: #999; color: #999; } .spoiler:hover { color: inherit; background: none; }
pre.raw { white-space: pre-wrap; font-size: .8rem; }
p, li { overflow-wrap: anywhere; }
.warnings { background: #fff8c5; border: 1px solid #d4a72c; padding: .5rem .8rem; border-radius: 6px; }
.notes { background: #ddf4ff; border: 1px solid #54aeff; padding: .5rem .8rem; border-radius: 6px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; overflow-wrap: anywhere; }
button.small { font-size: .8rem; padding: .1rem .4rem; margin-top: .2rem; }
form.inline-button { display: inline; }
.pager { display: flex; gap: 1rem; flex-wrap: wrap; margin: .5rem 0; }
input[type="search"], input[type="text"] { min-width: 0; max-width: 100%; }
@media (max-width: 40rem) {
  main { padding: .5rem; } th, td { padding: .25rem .3rem; }
  /* On a phone a wide table becomes one card per row, each value labelled: nothing is cut off. */
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards tr:has(th) { display: none; }
  table.cards tr { border-bottom: 1px solid var(--line); padding: .3rem 0; }
  table.cards td { border: none; padding: .05rem .3rem; overflow-wrap: anywhere; }
  table.cards td:empty { display: none; }
  table.cards td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  table.cards td form { display: inline; margin-left: .5rem; }
  /* The ledger's counts: side by side, each platform's run starting on its own line. */
  table.cards td.num { display: inline-block; width: auto; text-align: left; margin-right: .6rem; }
  table.cards td.num[data-label$=" delivered"] { display: block; width: fit-content; float: none; }
}
`;

/** The tab icon: a speech bubble with a dot, in the header's colours (SVG, every current browser). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="4" width="28" height="20" rx="5" fill="#24292f"/><path d="M9 24l-3 6 9-6z" fill="#24292f"/><circle cx="16" cy="14" r="5" fill="#1d9bf0"/></svg>`;

/** Mounts `/admin/assets/*`: the stylesheet, the favicon, the font CSS and the font files. */
export function mountAdminAssets(app: Hono): void {
  let css: string | null = null;
  app.get('/admin/assets/admin.css', (c) => c.body(ADMIN_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/admin/assets/favicon.svg', (c) => c.body(FAVICON_SVG, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'private, max-age=86400' }));
  app.get('/admin/assets/font.css', (c) => {
    css ??= fontCss();
    return c.body(css, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'private, max-age=86400' });
  });
  app.get('/admin/assets/fonts/:file', async (c) => {
    const bytes = await readFontFile(c.req.param('file'));
    if (bytes === null) return c.text('not found\n', 404);
    return c.body(bytes, 200, { 'Content-Type': 'font/woff2', 'Cache-Control': 'private, max-age=86400' });
  });
}

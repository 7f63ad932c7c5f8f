import { discordMarkdownToSafeHtml } from './payload-html.ts';

/** A Components V2 component as the preview reads it (the shapes of src/render/payload-types.ts, loosely). */
interface PreviewComponent {
  type: number;
  content?: string;
  accent_color?: number | null;
  components?: PreviewComponent[];
  accessory?: PreviewComponent;
  items?: { media: { url: string } }[];
  label?: string;
  url?: string;
  style?: number;
  disabled?: boolean;
}

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `<t:unix:style>` as a UTC time, `<@&id>` as a role pill: what Discord's client shows in their place. */
function discordTokens(htmlText: string): string {
  return htmlText
    .replace(/&lt;t:(\d{1,12})(?::[tTdDfFR])?&gt;/g, (_, unix: string) => `<span class="time">${new Date(Number(unix) * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC</span>`)
    .replace(/&lt;@&amp;(\d{1,25})&gt;/g, (_, id: string) => `<span class="mention">@role ${id}</span>`);
}

/** A text display's markdown as HTML: `## ` headings and `-# ` subtext by line, the rest as in embeds. */
function textDisplayHtml(content: string): string {
  return content
    .split('\n')
    .map((line) => {
      const heading = /^(#{1,3}) (.*)$/.exec(line);
      if (heading) return `<div class="h${heading[1]!.length}">${discordTokens(discordMarkdownToSafeHtml(heading[2]!))}</div>`;
      const subtext = /^-# (.*)$/.exec(line);
      if (subtext) return `<div class="subtext">${discordTokens(discordMarkdownToSafeHtml(subtext[1]!))}</div>`;
      return `<div>${line === '' ? '&nbsp;' : discordTokens(discordMarkdownToSafeHtml(line))}</div>`;
    })
    .join('');
}

function buttonHtml(button: PreviewComponent): string {
  const label = escapeHtml(button.label ?? '');
  if (button.style === 5 && button.url && /^https?:/i.test(button.url)) {
    return `<a class="button link" href="${escapeHtml(button.url)}" rel="noopener noreferrer">${label} ↗</a>`;
  }
  return `<span class="button${button.disabled ? ' disabled' : ''}">${label}</span>`;
}

/**
 * A Components V2 message as the status page draws it, in the shapes Discord's client gives them:
 * the container with its accent bar, text displays, sections with their link button on the right,
 * the word cloud (from `imageUrl`) in place of an `attachment://` gallery item, separators and
 * button rows. Everything from the payload is escaped; only http(s) links become links.
 */
export function componentsToSafeHtml(components: readonly PreviewComponent[], imageUrl: string | null): string {
  const draw = (component: PreviewComponent): string => {
    switch (component.type) {
      case 17: {
        const accent = `#${(component.accent_color ?? 0x4e5058).toString(16).padStart(6, '0')}`;
        return `<div class="v2-container"><div class="bar" style="background:${accent}"></div><div class="body">${(component.components ?? []).map(draw).join('')}</div></div>`;
      }
      case 10:
        return `<div class="v2-text">${textDisplayHtml(component.content ?? '')}</div>`;
      case 9:
        return `<div class="v2-section"><div class="texts">${(component.components ?? []).map(draw).join('')}</div>${component.accessory ? `<div class="accessory">${buttonHtml(component.accessory)}</div>` : ''}</div>`;
      case 12:
        return `<div class="v2-gallery">${(component.items ?? [])
          .map((item) =>
            item.media.url.startsWith('attachment://') && imageUrl
              ? `<img class="wordcloud" src="${escapeHtml(imageUrl)}" alt="${escapeHtml(item.media.url)}">`
              : `<span class="muted">[${escapeHtml(item.media.url)}]</span>`,
          )
          .join('')}</div>`;
      case 14:
        return '<hr class="v2-separator">';
      case 1:
        return `<div class="v2-row">${(component.components ?? []).map(buttonHtml).join('')}</div>`;
      default:
        return '';
    }
  };
  return components.map(draw).join('');
}

import type { CommandReply } from '../commands/types.ts';
import type { Messages } from '../i18n/index.ts';
import { echoQuery } from '../render/search-results.ts';

/**
 * A command's reply as plain text for a terminal: what /report and /search answer in a chat,
 * without the platform's markup (the platforms render the same reply with theirs).
 */
export function replyText(reply: CommandReply, m: Messages): string {
  switch (reply.kind) {
    case 'text':
      return `${reply.text}\n`;
    case 'digest': {
      const { digest } = reply;
      const lines = [digest.title, digest.headline, ...(digest.note ? [digest.note] : []), ''];
      digest.points.forEach((point, i) => {
        lines.push(`${i + 1}. ${point.title}`);
        if (point.detail) lines.push(`   ${point.detail}`);
      });
      if (digest.url) lines.push('', digest.url);
      if (digest.image) lines.push('', `[image ${digest.image.name}]`);
      return `${lines.join('\n')}\n`;
    }
    case 'search': {
      const { result } = reply;
      const query = echoQuery(result.query);
      if (result.hits.length === 0) {
        const lines = [m.search.none(query)];
        if (result.suggestions.length > 0) lines.push(m.search.suggestions(result.suggestions.join(', ')));
        return `${lines.join('\n')}\n`;
      }
      const lines = [m.search.heading(query, result.hits.length, result.total)];
      for (const hit of result.hits) {
        const dates = hit.dateStart === hit.dateEnd ? hit.dateStart : `${hit.dateStart} 至 ${hit.dateEnd}`;
        lines.push(`${dates}  ${hit.snippet}`);
      }
      return `${lines.join('\n')}\n`;
    }
  }
}

import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { DigestError, InvalidDateError, ReportNotFoundError } from '../errors.ts';
import { isCalendarDate } from '../report/user-date.ts';
import type { ArchivedReport, ArchiveSource } from './archive-source.ts';
import { reportMarkdown, reportStructure } from './report-markdown.ts';

/** What the MCP tools read, and how they link to a report (the public page, or null). */
export interface ArchiveMcpDeps {
  archive: ArchiveSource;
  /** Absolute link of a report by its first day, or null when there is no public address. */
  linkFor: (dateStart: string) => string | null;
  version?: string;
}

/** At most this many dates from one `list_dates` call. */
const LIST_DATES_MAX = 1000;
/** Reports listed as resources (newest first); any other date is still readable as `report://<date>`. */
const RESOURCES_LISTED = 100;

const ok = (text: string, structured: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text }],
  structuredContent: structured,
});

/** A refusal the agent can act on (a missing date names the nearest ones); never a crash. */
function toolError(error: unknown): CallToolResult {
  const message = error instanceof DigestError ? error.message : `lookup failed: ${(error as Error).message}`;
  const nearest = error instanceof ReportNotFoundError ? [error.nearest.before, error.nearest.after].filter((d) => d !== null) : [];
  return { content: [{ type: 'text', text: message }], structuredContent: { error: message, nearest }, isError: true };
}

/**
 * The archive as a Model Context Protocol server: tools `latest_report`, `get_report`,
 * `search_reports`, `list_dates` and resources `report://<date>`, all read-only. One server per
 * connection (stdio) or per request (stateless Streamable HTTP); the lookups are the archive's.
 */
export function createArchiveMcpServer(deps: ArchiveMcpDeps): McpServer {
  const { archive, linkFor } = deps;
  const server = new McpServer({ name: 'ai-digest-archive', version: deps.version ?? '0.1.0' });
  const answer = (view: ArchivedReport): CallToolResult => {
    const link = linkFor(view.report.dateStart);
    return ok(reportMarkdown(view, link), reportStructure(view, link));
  };
  const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    'latest_report',
    { title: 'Latest report', description: 'The newest daily Twitter AI report (中文): title, date, link and its ten points.', annotations: readOnly },
    async () => {
      try {
        const view = await archive.latest();
        return view ? answer(view) : toolError(new DigestError('the archive has no reports yet'));
      } catch (error) {
        return toolError(error);
      }
    },
  );

  server.registerTool(
    'get_report',
    {
      title: 'Report for a date',
      description: 'The report covering a date: 2026-01-03, 20260103, 2026/1/3, today, yesterday, 今天, 昨天. A missing date answers with the nearest dates.',
      inputSchema: { date: z.string().min(1).max(40).describe('the day, e.g. 2026-01-03') },
      annotations: readOnly,
    },
    async ({ date }) => {
      try {
        return answer(await archive.reportTyped(date));
      } catch (error) {
        return toolError(error);
      }
    },
  );

  server.registerTool(
    'search_reports',
    {
      title: 'Search reports',
      description: 'Full-text search over every report (Chinese and English words), best matches first, each with the sentence that matched.',
      inputSchema: {
        query: z.string().min(1).max(200).describe('words to look for'),
        limit: z.number().int().min(1).max(50).optional().describe('at most this many results (default 10)'),
      },
      annotations: readOnly,
    },
    async ({ query, limit }) => {
      const outcome = await archive.search(query, limit);
      if (outcome === null) return toolError(new DigestError('search is not available on this server'));
      const hits = outcome.hits.map((h) => ({ date: h.dateStart, dateEnd: h.dateEnd, snippet: h.snippet, url: linkFor(h.dateStart) }));
      const text =
        hits.length === 0
          ? `No report matches "${query}".${outcome.suggestions.length > 0 ? ` Closest terms: ${outcome.suggestions.join(', ')}` : ''}\n`
          : `${hits.length} of ${outcome.total} reports match "${query}":\n\n${hits.map((h, i) => `${i + 1}. ${h.date}${h.url ? ` (${h.url})` : ''}: ${h.snippet}`).join('\n')}\n`;
      return ok(text, { query, total: outcome.total, hits, suggestions: outcome.suggestions });
    },
  );

  server.registerTool(
    'list_dates',
    {
      title: 'List report dates',
      description: 'The dates that have a report (each report by its first day), newest first, optionally between from and to (YYYY-MM-DD, inclusive).',
      inputSchema: {
        from: z.string().optional().describe('earliest date, YYYY-MM-DD'),
        to: z.string().optional().describe('latest date, YYYY-MM-DD'),
      },
      annotations: readOnly,
    },
    async ({ from, to }) => {
      for (const bound of [from, to]) if (bound !== undefined && !isCalendarDate(bound)) return toolError(new InvalidDateError(bound));
      const all = archive.dates(from, to);
      const dates = all.slice(0, LIST_DATES_MAX);
      const more = all.length > dates.length ? `\n(first ${dates.length} of ${all.length}; narrow with from/to)` : '';
      return ok(`${dates.length === 0 ? 'no reports in that range' : dates.join('\n')}${more}\n`, { dates, total: all.length });
    },
  );

  server.registerResource(
    'report',
    new ResourceTemplate('report://{date}', {
      list: () => ({
        resources: archive
          .entries()
          .slice(0, RESOURCES_LISTED)
          .map((e) => ({ uri: `report://${e.dateStart}`, name: `report ${e.dateStart}`, mimeType: 'text/markdown' })),
      }),
    }),
    { title: 'Daily report', description: 'One report as Markdown, by date (report://2026-01-03)', mimeType: 'text/markdown' },
    async (uri, { date }) => {
      // A missing or malformed date throws: the SDK answers it as a JSON-RPC error naming the cause.
      const view = await archive.reportTyped(String(date));
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: reportMarkdown(view, linkFor(view.report.dateStart)) }] };
    },
  );
  return server;
}

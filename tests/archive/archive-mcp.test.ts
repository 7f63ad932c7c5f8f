import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveContent, HOSTILE_DATE, ROOT, startArchiveServer } from './archive-harness.ts';

const PUBLIC = 'https://digest.example.org';
const TOKEN = 'mcp-test-token-0123456789';
let content: ReturnType<typeof archiveContent>;
let bot: Awaited<ReturnType<typeof startArchiveServer>>;

beforeAll(async () => {
  content = archiveContent();
  bot = await startArchiveServer(content.contentDir, path.join(content.dir, 'clouds'), { publicUrl: PUBLIC, mcpToken: TOKEN });
}, 60_000);
afterAll(async () => {
  await bot?.close();
  content?.cleanup();
});

type ToolResult = { content: Array<{ type: string; text?: string }>; structuredContent?: Record<string, any>; isError?: boolean };
const textOf = (result: ToolResult): string => result.content.map((c) => c.text ?? '').join('');

/** The same conversation over either transport: every tool, the resource, and a missing date. */
async function exerciseArchive(client: Client, link: (date: string) => string | null): Promise<void> {
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  expect(tools).toEqual(['get_report', 'latest_report', 'list_dates', 'search_reports']);

  const latest = (await client.callTool({ name: 'latest_report', arguments: {} })) as ToolResult;
  expect(latest.isError).toBeFalsy();
  const newest = bot.library.entries()[0]!.dateStart;
  expect(textOf(latest)).toContain(`Date: ${newest}`);
  expect(latest.structuredContent?.['date']).toBe(newest);

  // Any form /report accepts.
  const report = (await client.callTool({ name: 'get_report', arguments: { date: '2026/1/3' } })) as ToolResult;
  expect(report.isError).toBeFalsy();
  const expected = await bot.library.findByDate('2026-01-03');
  expect(report.structuredContent?.['points']).toHaveLength(10);
  expect(report.structuredContent?.['points'][0].title).toBe(expected.points[0]!.title);
  expect(report.structuredContent?.['url']).toBe(link('2026-01-03'));
  expect(textOf(report)).toMatch(/^# Twitter AI 报告 · 2026-01-03\n\nDate: 2026-01-03\n/);
  if (link('2026-01-03')) expect(textOf(report)).toContain(`Link: ${link('2026-01-03')}`);
  expect(textOf(report).match(/^\d+\. \*\*/gm)).toHaveLength(10);

  const missing = (await client.callTool({ name: 'get_report', arguments: { date: '2026-01-07' } })) as ToolResult;
  expect(missing.isError).toBe(true);
  expect(textOf(missing)).toContain(`nearest: 2026-01-03, ${HOSTILE_DATE}`);
  const notDate = (await client.callTool({ name: 'get_report', arguments: { date: 'next tuesday' } })) as ToolResult;
  expect(notDate.isError).toBe(true);
  expect(textOf(notDate)).toContain('not a date');

  const found = (await client.callTool({ name: 'search_reports', arguments: { query: 'AI', limit: 3 } })) as ToolResult;
  const direct = await bot.search.search('AI', 3);
  expect(found.structuredContent?.['hits'].map((h: { date: string }) => h.date)).toEqual(direct.hits.map((h) => h.dateStart));

  const dates = (await client.callTool({ name: 'list_dates', arguments: { from: '2026-01-01', to: '2026-01-03' } })) as ToolResult;
  expect(dates.structuredContent?.['dates']).toEqual(['2026-01-03', '2026-01-02', '2026-01-01']);

  const resource = await client.readResource({ uri: 'report://2026-01-03' });
  expect(String((resource.contents[0] as { text?: string } | undefined)?.text)).toContain('# Twitter AI 报告 · 2026-01-03');
  const listed = (await client.listResources()).resources.map((r) => r.uri);
  expect(listed).toContain('report://2026-01-03');
  await expect(client.readResource({ uri: 'report://2026-01-07' })).rejects.toThrow(/nearest/);
}

async function connected(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'archive-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('MCP over Streamable HTTP (POST /mcp)', () => {
  it('answers every tool and the resource with the bearer token', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${bot.server.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } });
    const client = await connected(transport);
    try {
      await exerciseArchive(client, (d) => `${PUBLIC}/reports/${d}`);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('refuses a client without MCP_TOKEN, or with a wrong one', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong' }]) {
      const client = new Client({ name: 'archive-test', version: '1.0.0' });
      await expect(client.connect(new StreamableHTTPClientTransport(new URL(`${bot.server.url}/mcp`), { requestInit: { headers } }))).rejects.toThrow(/401|Unauthorized/);
    }
    const plain = await fetch(`${bot.server.url}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(plain.status).toBe(401);
    expect(plain.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });
});

describe('MCP over stdio (digest mcp)', () => {
  it('serves the same tools to a client that starts the command', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [path.join(ROOT, 'bin/digest.mjs'), 'mcp'],
      cwd: content.dir,
      env: { PATH: process.env['PATH'] ?? '', CONTENT_DIR: content.contentDir, DATABASE_PATH: path.join(content.dir, 'data', 'bot.db'), PUBLIC_URL: PUBLIC },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = await connected(transport);
    try {
      // The child indexes in the background: wait until a search finds something.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const r = (await client.callTool({ name: 'search_reports', arguments: { query: 'AI', limit: 3 } })) as ToolResult;
        if ((r.structuredContent?.['hits'] ?? []).length >= 3 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await exerciseArchive(client, (d) => `${PUBLIC}/reports/${d}`);
    } finally {
      await client.close();
    }
    expect(stderr).not.toMatch(/error/i);
  }, 90_000);
});

import path from 'node:path';
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ArchiveSource } from '../archive/archive-source.ts';
import { createArchiveMcpServer } from '../archive/mcp-server.ts';
import { reportPagePath, withArchiveLinks } from '../archive/report-links.ts';
import { loadConfig } from '../config.ts';
import { createDigestBuilder, type DigestImages } from '../digest-builder.ts';
import { createLogger } from '../log.ts';
import { ReportLibrary } from '../report/library.ts';
import { ReportSearch } from '../search/report-search.ts';
import type { CliCommand } from './io.ts';

const HELP = `usage: digest mcp

Serves the report archive to an AI client over stdio (the Model Context Protocol): tools
latest_report, get_report, search_reports, list_dates and resources report://<date>. Read-only.
Put it in the client's configuration, e.g. {"command": "npx", "args": ["digest", "mcp"], "cwd": "/path/to/bot"}.
Links point at PUBLIC_URL/reports/<date> when PUBLIC_URL is set. Logs go to stderr; stdout is the protocol.
`;

/** No pictures over MCP: the digest builder is asked only for titles, and must not start drawing. */
const NO_IMAGES: DigestImages = { imageFor: async () => null, cachedImageFor: () => null };

/** `digest mcp`: the archive's MCP server on stdin/stdout until the client closes stdin. */
export const mcpCommand: CliCommand = async (argv, io) => {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    io.stderr(`digest mcp: ${(error as Error).message}\n${HELP}`);
    return 1;
  }
  if (values.help) {
    io.stderr(HELP); // stdout belongs to the protocol even here: a client may start us with --help by mistake.
    return 0;
  }
  const config = loadConfig({ rootDir: io.cwd, env: io.env });
  const logger = createLogger({ level: 'warn', destination: { write: io.stderr } });
  const library = await ReportLibrary.open(config.contentDir, { imagesDir: config.imagesDir, logger });
  // The bot's own index file when there is one: unchanged reports are not segmented again.
  const cacheFile = config.databasePath === ':memory:' ? null : path.join(path.dirname(config.databasePath), 'search-index.bin');
  const search = new ReportSearch(library, { logger, cacheFile, indexThreads: config.search.indexThreads });
  void search.start();
  const archive = new ArchiveSource({
    library,
    digests: createDigestBuilder(withArchiveLinks(config), NO_IMAGES),
    images: NO_IMAGES,
    search,
    timezone: config.timezone,
    sourceUrlTemplate: config.digest.reportUrlTemplate,
    drawsClouds: false,
  });
  const publicUrl = config.http.publicUrl ?? null;
  const server = createArchiveMcpServer({ archive, linkFor: (date) => (publicUrl ? `${publicUrl}${reportPagePath(date)}` : null) });
  const closed = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    server.server.onclose = () => resolve();
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close().catch(() => undefined);
  await search.stop();
  return 0;
};

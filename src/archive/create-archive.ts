import type { DigestBuilder, DigestImages } from '../digest-builder.ts';
import type { Logger } from '../log.ts';
import type { ReportSearcher } from '../search/types.ts';
import type { ArchiveRoutesDeps } from './archive-routes.ts';
import { ArchiveSource, type ArchiveLibrary } from './archive-source.ts';
import { INLINE_RENDERER, RenderThread, type PageRenderer } from './render-thread.ts';

/** The configuration the archive reads. */
export interface ArchiveConfig {
  archive: {
    enabled: boolean;
    pageSize: number;
    maxConcurrent: number;
    maxConcurrentPerClient: number;
    maxWaiting: number;
    maxWaitMs: number;
    maxLoopShare: number;
    /** Render pages and feeds on a worker thread (default true); false renders them on the bot's thread. */
    renderWorker?: boolean | undefined;
  };
  digest: { reportUrlTemplate: string | null };
  wordcloud: { enabled: boolean };
  timezone: string;
  http: { publicUrl?: string | null; mcpToken?: string | null };
}

/**
 * The archive's routes over the bot's own parts, or null when `archive.enabled` is false (then
 * none of its paths exist). `digests` is the bot's builder; the source link on a page is the
 * configured `reportUrlTemplate` only (never the archive's own page).
 */
export function createArchiveRoutes(
  config: ArchiveConfig,
  parts: { library: ArchiveLibrary; digests: DigestBuilder; images: DigestImages; search: ReportSearcher | null; logger?: Logger; renderer?: PageRenderer },
): ArchiveRoutesDeps | null {
  if (!config.archive.enabled) return null;
  const source = new ArchiveSource({
    library: parts.library,
    digests: parts.digests,
    images: parts.images,
    search: parts.search,
    timezone: config.timezone,
    sourceUrlTemplate: config.digest.reportUrlTemplate,
    drawsClouds: config.wordcloud.enabled,
  });
  return {
    source,
    publicUrl: config.http.publicUrl ?? null,
    mcpToken: config.http.mcpToken ?? null,
    pageSize: config.archive.pageSize,
    limits: {
      maxConcurrent: config.archive.maxConcurrent,
      maxConcurrentPerClient: config.archive.maxConcurrentPerClient,
      maxWaiting: config.archive.maxWaiting,
      maxWaitMs: config.archive.maxWaitMs,
    },
    maxLoopShare: config.archive.maxLoopShare,
    renderer: parts.renderer ?? (config.archive.renderWorker === false ? INLINE_RENDERER : new RenderThread(parts.logger ? { logger: parts.logger } : {})),
    ...(parts.logger ? { logger: parts.logger } : {}),
  };
}

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ArchiveRoutesDeps } from '../../src/archive/archive-routes.ts';
import { createArchiveRoutes, type ArchiveConfig } from '../../src/archive/create-archive.ts';
import type { LoopPressure } from '../../src/archive/loop-pressure.ts';
import type { PageRenderer } from '../../src/archive/render-thread.ts';
import { withArchiveLinks } from '../../src/archive/report-links.ts';
import { createDigestBuilder } from '../../src/digest-builder.ts';
import { createHttpApp, startHttpServer, type RunningHttpServer } from '../../src/http/http-server.ts';
import { silentLogger } from '../../src/log.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { ReportSearch } from '../../src/search/report-search.ts';
import type { ReportSearcher } from '../../src/search/types.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { WordcloudService } from '../../src/wordcloud/wordcloud-service.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** A report whose text tries to break out of the page (it must show as text). */
export const HOSTILE_DATE = '2026-01-10';
export const HOSTILE_TITLE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

/** A project folder with the seed reports plus one hostile report. */
export function archiveContent(): { dir: string; contentDir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'archive-'));
  const contentDir = path.join(dir, 'content');
  cpSync(path.join(ROOT, 'content'), contentDir, { recursive: true });
  const seed = readFileSync(path.join(contentDir, 'twitter_ai_20260103_20260103.md'), 'utf8');
  const hostile = seed
    .replaceAll('2026-01-03', HOSTILE_DATE)
    .replaceAll('20260103', '20260110')
    .replace('编程工作流程根本性变革', HOSTILE_TITLE);
  writeFileSync(path.join(contentDir, 'twitter_ai_20260110_20260110.md'), hostile);
  return { dir, contentDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ArchiveServerOptions {
  publicUrl?: string | null;
  reportUrlTemplate?: string | null;
  mcpToken?: string | null;
  maxConcurrent?: number;
  maxConcurrentPerClient?: number;
  maxWaiting?: number;
  maxWaitMs?: number;
  /** Replaces the event-loop measurement (never busy unless given). */
  pressure?: LoopPressure;
  /** Told of each archive request put in line. */
  onWaiting?: () => void;
  enabled?: boolean;
  /** Replaces the real search index (to hold requests open). */
  search?: ReportSearcher;
  /** Renders the pages and feeds (default: a render worker, as configured by default). */
  renderer?: PageRenderer;
}

/** The bot's HTTP app with the archive over a real library, digest builder, search index and word clouds. */
export async function startArchiveServer(contentDir: string, cacheDir: string, options: ArchiveServerOptions = {}) {
  const library = await ReportLibrary.open(contentDir);
  const images = new WordcloudService({ enabled: true, width: 600, height: 340, cacheDir, imagesDir: null }, silentLogger());
  const search = new ReportSearch(library);
  await search.start();
  const config: ArchiveConfig & { digest: { detailMaxChars: number; reportUrlTemplate: string | null; titlePrefix: string } } = {
    archive: {
      enabled: options.enabled ?? true,
      pageSize: 30,
      maxConcurrent: options.maxConcurrent ?? 64,
      maxConcurrentPerClient: options.maxConcurrentPerClient ?? 64,
      // Refused at once unless a test asks for a line, and never held back by this machine's load.
      maxWaiting: options.maxWaiting ?? 0,
      maxWaitMs: options.maxWaitMs ?? 0,
      maxLoopShare: 1,
    },
    digest: { detailMaxChars: 90, reportUrlTemplate: options.reportUrlTemplate ?? null, titlePrefix: 'Twitter AI 报告' },
    wordcloud: { enabled: true },
    timezone: 'Asia/Shanghai',
    http: { publicUrl: options.publicUrl ?? null, mcpToken: options.mcpToken ?? null },
  };
  const digests = createDigestBuilder(withArchiveLinks(config), images, library);
  const created = createArchiveRoutes(config, { library, digests, images, search: options.search ?? search, ...(options.renderer ? { renderer: options.renderer } : {}) });
  const archive: ArchiveRoutesDeps | null = created && {
    ...created,
    ...(options.pressure ? { pressure: options.pressure } : {}),
    ...(options.onWaiting ? { onWaiting: options.onWaiting } : {}),
  };
  const app = createHttpApp({ health: new ServiceHealth(), archive });
  const server: RunningHttpServer = await startHttpServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger() });
  return {
    server,
    app,
    library,
    search,
    digests,
    images,
    close: async () => {
      await server.close(100);
      await search.stop();
      await images.close();
    },
  };
}

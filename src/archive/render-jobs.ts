import { buildFeeds, type BuiltFeeds, type FeedReport } from './archive-feeds.ts';
import { indexPage, reportPage, searchPage, type PageMeta } from './archive-pages.ts';
import type { ArchivedReport, ArchivePage } from './archive-source.ts';
import type { SearchOutcome } from '../search/types.ts';

/**
 * One piece of archive rendering, as plain data: what the main thread has looked up (the report,
 * a page of the index, search hits) and what to render it into. Renderable on the bot's thread
 * or on the render worker with the same result, since both run {@link renderJob}.
 */
export type RenderJob =
  | { kind: 'report'; meta: PageMeta; view: ArchivedReport; image: string | null }
  | { kind: 'index'; meta: PageMeta; page: ArchivePage }
  | { kind: 'search'; meta: PageMeta; query: string; outcome: SearchOutcome | null }
  | { kind: 'feeds'; reports: FeedReport[]; origin: string };

/** What each kind of job renders into. */
export type RenderResult<J extends RenderJob> = J extends { kind: 'feeds' } ? BuiltFeeds : string;

/** Renders a job: a page's HTML text, or both feeds. Pure: same job, same bytes, on any thread. */
export async function renderJob<J extends RenderJob>(job: J): Promise<RenderResult<J>> {
  switch (job.kind) {
    case 'report':
      return String(await reportPage(job.meta, job.view, job.image)) as RenderResult<J>;
    case 'index':
      return String(await indexPage(job.meta, job.page)) as RenderResult<J>;
    case 'search':
      return String(await searchPage(job.meta, job.query, job.outcome)) as RenderResult<J>;
    case 'feeds':
      return buildFeeds(job.reports, job.origin) as RenderResult<J>;
  }
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import type { CommandDeps, ReportSource } from '../../src/commands/deps.ts';
import { createCommandRouter } from '../../src/commands/router.ts';
import type {
  CommandArgs,
  CommandContext,
  CommandReply,
  CommandRouter,
  RepostOutcome,
  RepostRequest,
  Reposter,
} from '../../src/commands/types.ts';
import { createDigestBuilder } from '../../src/digest-builder.ts';
import { createLogger } from '../../src/log.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import type { Digest, DigestImage } from '../../src/report/digest-types.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import type { Report } from '../../src/report/types.ts';
import type { ReportSearcher } from '../../src/search/types.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

export const CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');

/** 2026-01-22 10:00 in Asia/Shanghai (still 2026-01-22 02:00 UTC). */
export const NOW = new Date('2026-01-22T02:00:00Z');

let libraryPromise: Promise<ReportLibrary> | null = null;

/** The real library over content/ (opened once per test file: it only reads). */
export function contentLibrary(): Promise<ReportLibrary> {
  libraryPromise ??= ReportLibrary.open(CONTENT_DIR);
  return libraryPromise;
}

/** Every report in content/, parsed by the real library, newest first. */
export async function loadContentReports(): Promise<Report[]> {
  const library = await contentLibrary();
  return Promise.all(library.entries().map((entry) => library.load(entry)));
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A real library over a temporary folder holding one report file per date (copies of the
 * 2026-01-03 report under each date's name), for lists longer than content/ has.
 */
export async function libraryWithDates(dates: string[]): Promise<ReportLibrary> {
  const dir = mkdtempSync(path.join(tmpdir(), 'digest-commands-'));
  tempDirs.push(dir);
  const text = readFileSync(path.join(CONTENT_DIR, 'twitter_ai_20260103_20260103.md'));
  for (const date of dates) {
    const compact = date.replaceAll('-', '');
    writeFileSync(path.join(dir, `twitter_ai_${compact}_${compact}.md`), text);
  }
  return ReportLibrary.open(dir);
}

/** `count` consecutive dates from `first` (`YYYY-MM-DD`), oldest first. */
export function consecutiveDates(first: string, count: number): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

/** A reposter that records what it was asked and answers with a set outcome. */
export class RecordingReposter implements Reposter {
  readonly requests: RepostRequest[] = [];
  outcome: RepostOutcome = { delivered: 1, failed: 0, deactivated: 0, errors: [] };
  async repost(request: RepostRequest): Promise<RepostOutcome> {
    this.requests.push(request);
    return this.outcome;
  }
}

export interface Harness {
  router: CommandRouter;
  store: SqliteStore;
  reposter: RecordingReposter;
  deps: CommandDeps;
  /** Parsed JSON log lines written so far. */
  logs: Array<Record<string, unknown>>;
  /** Reports whose image was asked for in the background. */
  imageRequests: string[];
}

/** A router over the real library of content/, a real in-memory SqliteStore, the real digest builder. */
export async function createHarness(
  options: {
    library?: ReportSource;
    now?: Date;
    timezone?: string;
    reportUrlTemplate?: string | null;
    search?: ReportSearcher;
    /** The word cloud each report has ready (default: none). */
    imageOf?: (report: Report) => DigestImage | null;
  } = {},
): Promise<Harness> {
  const library = options.library ?? (await contentLibrary());
  const store = await SqliteStore.open(':memory:');
  const reposter = new RecordingReposter();
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const imageRequests: string[] = [];
  const digests = createDigestBuilder(
    { digest: { detailMaxChars: 90, reportUrlTemplate: options.reportUrlTemplate ?? null, titlePrefix: 'Twitter AI 报告' } },
    {
      imageFor: async (report) => {
        imageRequests.push(report.slug);
        return null;
      },
      cachedImageFor: (report) => options.imageOf?.(report) ?? null,
    },
    library,
  );
  const deps: CommandDeps = {
    library,
    digests,
    store,
    reposter,
    ...(options.search ? { search: options.search } : {}),
    timezone: options.timezone ?? 'Asia/Shanghai',
    now: () => options.now ?? NOW,
    logger: createLogger({ level: 'info', destination: sink }),
  };
  return { router: createCommandRouter(deps), store, reposter, deps, logs, imageRequests };
}

export interface TestContext extends CommandContext {
  /** Every destination canManage was asked about. */
  readonly canManageAsked: Destination[];
}

/** A command context: by default a Telegram group member who is not an admin, speaking Chinese. */
export function contextFor(
  overrides: Partial<Omit<CommandContext, 'canManage'>> & { manages?: boolean } = {},
): TestContext {
  const { manages = false, ...rest } = overrides;
  const asked: Destination[] = [];
  const platform = rest.platform ?? 'telegram';
  return {
    platform,
    destination: { platform, chatId: '-1001234', threadId: null },
    chatTitle: 'AI 讨论组',
    guildId: null,
    userId: '42',
    locale: 'zh',
    isPrivateChat: false,
    isOwner: false,
    ...rest,
    canManageAsked: asked,
    async canManage(target) {
      asked.push(target);
      return manages;
    },
  };
}

/** The text of a text reply; fails the test for a digest. */
export function textOf(reply: CommandReply): string {
  if (reply.kind !== 'text') throw new Error(`expected a text reply, got ${reply.kind}`);
  return reply.text;
}

/** The digest of a digest reply; fails the test for text. */
export function digestOf(reply: CommandReply): Digest {
  if (reply.kind !== 'digest') throw new Error(`expected a digest reply, got ${reply.kind === 'text' ? `text: ${reply.text}` : reply.kind}`);
  return reply.digest;
}

export async function run(h: Harness, name: string, args: CommandArgs = {}, context: CommandContext = contextFor()) {
  return h.router.handle(name, args, context);
}

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
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
import { ReportNotFoundError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import type { Digest } from '../../src/report/digest-types.ts';
import { readReport } from '../../src/report/read-report.ts';
import type { Report } from '../../src/report/types.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

export const CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');

/** 2026-01-22 10:00 in Asia/Shanghai (still 2026-01-22 02:00 UTC). */
export const NOW = new Date('2026-01-22T02:00:00Z');

let reportsPromise: Promise<Report[]> | null = null;

/** Every report in content/, parsed by the real parser, newest first. */
export function loadContentReports(): Promise<Report[]> {
  reportsPromise ??= Promise.all(
    readdirSync(CONTENT_DIR)
      .filter((f) => f.endsWith('.md'))
      .map((f) => readReport(path.join(CONTENT_DIR, f))),
  ).then((reports) => reports.sort((a, b) => b.dateStart.localeCompare(a.dateStart)));
  return reportsPromise;
}

/** A report source over already-parsed reports, with the library's not-found behaviour. */
export function libraryOver(reports: Report[]): ReportSource {
  const newestFirst = [...reports].sort((a, b) => b.dateStart.localeCompare(a.dateStart));
  return {
    latest: () => newestFirst[0] ?? null,
    dates: () => newestFirst.map((r) => r.dateStart),
    findByDate(date) {
      const hit = newestFirst.find((r) => r.dateStart <= date && date <= r.dateEnd);
      if (hit) return hit;
      const before = newestFirst.find((r) => r.dateEnd < date)?.dateStart ?? null;
      const after = [...newestFirst].reverse().find((r) => r.dateStart > date)?.dateStart ?? null;
      throw new ReportNotFoundError(date, { before, after });
    },
  };
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

/** A router over the real content, a real in-memory SqliteStore, the real digest builder. */
export async function createHarness(options: { library?: ReportSource; now?: Date; timezone?: string } = {}): Promise<Harness> {
  const library = options.library ?? libraryOver(await loadContentReports());
  const store = SqliteStore.open(':memory:');
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
    { digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' } },
    {
      imageFor: async (report) => {
        imageRequests.push(report.slug);
        return null;
      },
      cachedImageFor: () => null,
    },
  );
  const deps: CommandDeps = {
    library,
    digests,
    store,
    reposter,
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
  if (reply.kind !== 'digest') throw new Error(`expected a digest reply, got text: ${reply.text}`);
  return reply.digest;
}

export async function run(h: Harness, name: string, args: CommandArgs = {}, context: CommandContext = contextFor()) {
  return h.router.handle(name, args, context);
}

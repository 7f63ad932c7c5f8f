import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { DigestError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DigestImage } from '../report/digest-types.ts';
import type { Report } from '../report/types.ts';
import { fitImage } from './fit-image.ts';
import { generateWordcloud, WORDCLOUD_VERSION } from './generate-wordcloud.ts';
import { imageLimitProblem } from './image-limits.ts';
import { readImageSize } from './image-size.ts';
import { WordcloudThread, WorkerUnavailableError, type DrawnCloud, type WordcloudThreadOptions } from './wordcloud-thread.ts';

/** The `wordcloud` config section plus the `imagesDir` setting. */
export interface WordcloudOptions {
  /** False: never generate (a report's own image is still attached). */
  enabled: boolean;
  width: number;
  height: number;
  /** Where generated and fixed-up images are kept between runs. */
  cacheDir: string;
  /** Extra folder searched for the report's own image when it is not beside the report. */
  imagesDir: string | null;
}

/** How the service draws; the defaults suit the bot and the CLI. */
export interface WordcloudServiceRuntime {
  /** The drawing thread's settings (tests point `entry` at a broken or crashing worker). */
  thread?: WordcloudThreadOptions;
  /** Told how long each drawing from a report's text took (the metrics). */
  onDrawn?: (seconds: number) => void;
}

/** The report's own image file, and whether it can go out as is. */
interface OwnImage {
  file: string;
  bytes: number;
  /** Why it breaks a platform limit, or null. */
  problem: string | null;
}

/**
 * Chooses the one picture a digest carries: the report's own word cloud when the file exists
 * (re-encoded only when it breaks a platform limit), else a cloud drawn from the report's text.
 * Generated images are cached on disk by content hash, size and drawing version, and made once
 * per report however many destinations or concurrent callers ask. Clouds are drawn on a worker
 * thread so the bot's event loop keeps answering while one is drawn; if that thread cannot start
 * or crashes, they are drawn in-process instead (one warning). Call {@link close} when done.
 */
export class WordcloudService {
  private readonly inFlight = new Map<string, Promise<DigestImage | null>>();
  private warming: Promise<void> = Promise.resolve();
  private readonly thread: WordcloudThread;
  private workerFailed = false;
  private closed = false;
  private readonly onDrawn: (seconds: number) => void;

  constructor(
    private readonly options: WordcloudOptions,
    private readonly logger: Logger,
    runtime: WordcloudServiceRuntime = {},
  ) {
    this.thread = new WordcloudThread(runtime.thread);
    this.onDrawn = runtime.onDrawn ?? (() => undefined);
  }

  /**
   * The image for a digest: the report's own file if present (fixed up only if it breaks a
   * limit), else a generated PNG (cached); null (and a logged warning) if generation fails or is
   * disabled. Never throws.
   */
  async imageFor(report: Report): Promise<DigestImage | null> {
    const askedWhileOpen = !this.closed;
    try {
      const cached = this.cachedImageFor(report);
      if (cached) return cached;
      const own = this.findOwnImage(report);
      if (own?.problem) {
        const fitted = await this.once(this.fittedPath(report, own), () => this.fit(report, own));
        if (fitted) return fitted;
      }
      if (!this.options.enabled) return null;
      return await this.once(this.generatedPath(report), () => this.generate(report));
    } catch (error) {
      // A drawing cut short by close() (the bot stopping) is not a fault; asking after it is.
      if (askedWhileOpen && this.closed) this.logger.info({ file: report.file }, 'word cloud: not drawn, the service closed');
      else this.logger.warn({ err: error, file: report.file }, 'word cloud: no image for this digest');
      return null;
    }
  }

  /**
   * Never generates: the report's own image (or its already fixed-up copy) or an already-cached
   * cloud, else null. Cheap and synchronous, for the command-answering path. Never throws.
   */
  cachedImageFor(report: Report): DigestImage | null {
    try {
      const own = this.findOwnImage(report);
      if (own && !own.problem) {
        return { path: own.file, name: path.basename(own.file), bytes: own.bytes, generated: false };
      }
      if (own) {
        const fitted = this.fittedPath(report, own);
        if (existsSync(fitted)) return this.describe(fitted, jpegName(own.file), false);
      }
      const generated = this.generatedPath(report);
      if (this.options.enabled && existsSync(generated)) {
        return this.describe(generated, `wordcloud_${report.slug}.png`, true);
      }
      return null;
    } catch (error) {
      this.logger.warn({ err: error, file: report.file }, 'word cloud: cache lookup failed');
      return null;
    }
  }

  /**
   * Prepares images in the background, one report after another so a batch does not monopolise
   * the CPU (e.g. when the library notices a new file). Failures are logged by imageFor.
   */
  warm(reports: Report[]): void {
    for (const report of reports) {
      this.warming = this.warming.then(async () => {
        // Queued before a close() (the bot stopping): nobody will wait for it any more.
        if (this.closed) return;
        await this.imageFor(report);
      });
    }
  }

  /** Resolves when every warm() queued so far has finished; for tests and orderly shutdown. */
  whenWarm(): Promise<void> {
    return this.warming;
  }

  /**
   * Stops the drawing thread: drawings under way or asked for later give no image (imageFor
   * still never throws). Cached and own images are still found. Idempotent.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.thread.close();
  }

  /** Runs `make` once per key at a time: concurrent callers share its promise. */
  private once(key: string, make: () => Promise<DigestImage | null>): Promise<DigestImage | null> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const promise = make().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private findOwnImage(report: Report): OwnImage | null {
    const candidates: string[] = [];
    if (report.image) candidates.push(report.image);
    if (this.options.imagesDir) {
      const base = report.image ? path.basename(report.image) : `wordcloud_${report.slug}.jpg`;
      candidates.push(path.join(this.options.imagesDir, base));
    }
    for (const file of candidates) {
      let bytes: number;
      try {
        const stat = statSync(file);
        if (!stat.isFile()) continue;
        bytes = stat.size;
      } catch {
        continue;
      }
      return { file, bytes, problem: imageLimitProblem(readImageSize(file), bytes) };
    }
    return null;
  }

  private async fit(report: Report, own: OwnImage): Promise<DigestImage | null> {
    try {
      const jpeg = await fitImage(own.file);
      const target = this.fittedPath(report, own);
      await writeAtomically(target, jpeg);
      this.logger.info({ file: own.file, reason: own.problem, bytes: jpeg.length }, 'word cloud: re-encoded the report image to fit platform limits');
      return { path: target, name: jpegName(own.file), bytes: jpeg.length, generated: false };
    } catch (error) {
      // Still a digest worth a picture: fall through to drawing one from the text.
      this.logger.warn({ err: error, file: own.file, reason: own.problem }, 'word cloud: report image unusable');
      return null;
    }
  }

  private async generate(report: Report): Promise<DigestImage> {
    const started = Date.now();
    const markdown = await readFile(report.file, 'utf8');
    const size = { width: this.options.width, height: this.options.height };
    const drawStarted = performance.now();
    const { png, placed, words, threadId: thread } = await this.draw(report, markdown, size);
    this.onDrawn((performance.now() - drawStarted) / 1000);
    const target = this.generatedPath(report);
    await writeAtomically(target, png);
    this.logger.info(
      { file: report.file, image: target, bytes: png.length, placed: placed.length, terms: words.length, thread, ms: Date.now() - started },
      'word cloud: generated',
    );
    return { path: target, name: `wordcloud_${report.slug}.png`, bytes: png.length, generated: true };
  }

  /** On the worker while it works; in-process once it has failed (a cloud is still wanted). */
  private async draw(report: Report, markdown: string, size: { width: number; height: number }): Promise<DrawnCloud> {
    if (this.closed) throw new DigestError('word cloud service closed');
    if (!this.workerFailed) {
      try {
        return await this.thread.draw(report, markdown, size);
      } catch (error) {
        if (!(error instanceof WorkerUnavailableError)) throw error;
        if (!this.workerFailed) {
          this.workerFailed = true;
          this.logger.warn({ err: error }, 'word cloud: worker thread unavailable, drawing on the main thread from now on');
        }
      }
    }
    return { ...(await generateWordcloud(report, markdown, size)), threadId };
  }

  private generatedPath(report: Report): string {
    const { width, height, cacheDir } = this.options;
    return path.join(cacheDir, `wordcloud_${report.slug}_${report.contentHash.slice(0, 16)}_${width}x${height}_v${WORDCLOUD_VERSION}.png`);
  }

  /** Keyed by the image's size in bytes too: a replaced image gets fitted again. */
  private fittedPath(report: Report, own: OwnImage): string {
    return path.join(this.options.cacheDir, `fitted_${report.slug}_${own.bytes}.jpg`);
  }

  private describe(file: string, name: string, generated: boolean): DigestImage {
    return { path: file, name, bytes: statSync(file).size, generated };
  }
}

function jpegName(file: string): string {
  return `${path.basename(file, path.extname(file))}.jpg`;
}

/** Write to a temporary name and rename, so a reader never sees half a PNG. */
async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, file);
}

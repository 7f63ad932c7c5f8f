import { fileVersion } from '../file-bytes.ts';

/**
 * How one send should carry a picture: by the `file_id` Telegram gave an earlier upload, or by
 * uploading it. An upload must be settled (with the new file_id, or null when it failed), once.
 */
export type PhotoSource =
  | { kind: 'file-id'; fileId: string }
  | { kind: 'upload'; settle: (fileId: string | null) => void };

export interface PhotoFileIdOptions {
  /** How many pictures to remember; the least recently used goes first. */
  capacity: number;
  /** How long a send waits for another send's upload of the same picture before uploading itself. */
  maxWaitMs: number;
}

export const DEFAULT_PHOTO_FILE_IDS: PhotoFileIdOptions = { capacity: 256, maxWaitMs: 10_000 };

/**
 * Telegram's `file_id`s of the pictures this bot uploaded, so a fan-out uploads each word cloud
 * once and then passes the file_id (Bot API "Sending files": a file already on Telegram's servers
 * need not be uploaded again). Keyed by {@link photoKey}, so a file changed on disk is uploaded
 * anew. While one send uploads a picture, the other sends of it wait for that upload (at most
 * `maxWaitMs`, so a stuck upload holds nobody up for long) and then reuse its file_id.
 */
export class PhotoFileIds {
  private readonly ids = new Map<string, string>();
  private readonly uploads = new Map<string, Promise<void>>();
  private readonly options: PhotoFileIdOptions;

  constructor(options: Partial<PhotoFileIdOptions> = {}) {
    this.options = { ...DEFAULT_PHOTO_FILE_IDS, ...options };
  }

  /**
   * The file_id to send `key` by when one is known. Otherwise this send uploads: alone when no
   * other upload of `key` is under way (the others then wait for it), or regardless, after waiting
   * `maxWaitMs` for one that is, or when the one waited for failed and another send took over.
   */
  async source(key: string): Promise<PhotoSource> {
    const deadline = Date.now() + this.options.maxWaitMs;
    for (;;) {
      const known = this.ids.get(key);
      if (known !== undefined) {
        this.remember(key, known); // most recently used
        return { kind: 'file-id', fileId: known };
      }
      const pending = this.uploads.get(key);
      if (pending === undefined) return this.claim(key);
      const left = deadline - Date.now();
      if (left <= 0) {
        return {
          kind: 'upload',
          settle: (fileId) => {
            if (fileId !== null) this.remember(key, fileId);
          },
        };
      }
      await settledOrTimeout(pending, left);
    }
  }

  /** The file_id known for `key`, if any, without waiting or claiming an upload (inline results). */
  peek(key: string): string | undefined {
    return this.ids.get(key);
  }

  /** Telegram refused `fileId` for `key`: the next send of it uploads again. */
  forget(key: string, fileId: string): void {
    if (this.ids.get(key) === fileId) this.ids.delete(key);
  }

  /** How many pictures are remembered. */
  get size(): number {
    return this.ids.size;
  }

  private claim(key: string): PhotoSource {
    let done!: () => void;
    const pending = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.uploads.set(key, pending);
    let settled = false;
    return {
      kind: 'upload',
      settle: (fileId) => {
        if (settled) return;
        settled = true;
        if (fileId !== null) this.remember(key, fileId);
        if (this.uploads.get(key) === pending) this.uploads.delete(key);
        done();
      },
    };
  }

  /** Records the file_id Telegram gave an upload of `key` that no claim covered. */
  remember(key: string, fileId: string): void {
    this.ids.delete(key);
    this.ids.set(key, fileId);
    while (this.ids.size > this.options.capacity) this.ids.delete(this.ids.keys().next().value!);
  }
}

/**
 * What identifies a picture's content well enough to reuse its upload: absolute path, size and
 * modification time (a redrawn word cloud changes at least the last). Null when it cannot be read.
 */
export async function photoKey(path: string): Promise<string | null> {
  try {
    return await fileVersion(path);
  } catch {
    return null;
  }
}

/** Resolves when `promise` settles or after `ms`, whichever comes first, leaving no timer behind. */
async function settledOrTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

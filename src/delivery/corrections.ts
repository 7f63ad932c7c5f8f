import type { DigestBuilder } from '../digest-builder.ts';
import { DigestError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { Digest } from '../report/digest-types.ts';
import { describeIncomplete, incompleteness } from '../report/completeness.ts';
import type { Report } from '../report/types.ts';
import type { Delivery, Store } from '../store/store.ts';
import { describeDestination, type Destination, type PlatformName, type SentPart } from '../words.ts';
import type { DigestEditResult, DigestPresentation } from '../platforms/platform.ts';
import type { DeliveryLibrary } from './fanout.ts';
import { presentationOf } from './presentation.ts';

/** The part of a platform corrections use: edit a delivered digest in place (optional there). */
export interface EditingPlatform {
  editDigest?(destination: Destination, digest: Digest, delivered: readonly SentPart[], presentation?: DigestPresentation): Promise<DigestEditResult>;
}

export interface CorrectionsDeps {
  library: Pick<DeliveryLibrary, 'entries' | 'load'>;
  digests: DigestBuilder;
  store: Store;
  /** The platforms running in this process, by name; a delivery on another is left for later. */
  platforms: ReadonlyMap<PlatformName, EditingPlatform>;
  logger?: Logger;
}

/** One delivered row's correction, for the log, the CLI and tests. */
export interface CorrectionOutcome {
  destination: Destination;
  deliveryId: number;
  /** edited: now shows the corrected report; not-editable: reported, never re-sent; failed: try again later; skipped: not this process's to edit. */
  status: 'edited' | 'not-editable' | 'failed' | 'skipped';
  /** Messages edited (edited, and not-editable part-way). */
  edited: number;
  reason?: string;
}

export interface CorrectionReport {
  slug: string;
  contentHash: string;
  /** Delivered rows that already carry this version: nothing to do for them. */
  upToDate: number;
  /** Delivered before the ledger recorded versions (no hash): which version they show is unknown, so they are left alone. */
  unknownVersion: number;
  outcomes: CorrectionOutcome[];
}

/**
 * Corrections edited in place: when a delivered report's file changes, the messages delivered of
 * it are edited to match, where they were posted. The ledger's content hash tells which rows
 * carry an older version; each row is edited through its platform's `editDigest` with the same
 * presentation as its delivery, and recorded with the new hash (compare and set), so a second
 * run edits nothing. Nothing new is ever sent: a message that cannot be edited any more is
 * reported. An incomplete version (fewer points than announced, a file still being written) is
 * not applied.
 */
export class Corrections {
  private readonly logger: Logger;

  constructor(private readonly deps: CorrectionsDeps) {
    this.logger = deps.logger ?? silentLogger();
  }

  /** Corrects every delivery of report `slug` that carries an older version of it. */
  async correct(slug: string, filter: { platform?: PlatformName; chatId?: string } = {}): Promise<CorrectionReport> {
    const entry = this.deps.library.entries().find((e) => e.slug === slug);
    if (!entry) throw new DigestError(`no report ${slug} in the content folder`);
    const report = await this.deps.library.load(entry);
    const missing = incompleteness(report);
    if (missing) throw new DigestError(`report ${slug} is not corrected in place: ${describeIncomplete(missing)}`);

    const rows = (await this.deps.store.listDeliveries({ slug, ...(filter.platform ? { platform: filter.platform } : {}) })).filter(
      (row) => row.status === 'delivered',
    );
    const stale = rows.filter((row) => row.contentHash !== null && row.contentHash !== report.contentHash);
    const result: CorrectionReport = {
      slug,
      contentHash: report.contentHash,
      upToDate: rows.filter((row) => row.contentHash === report.contentHash).length,
      unknownVersion: rows.filter((row) => row.contentHash === null).length,
      outcomes: [],
    };
    if (stale.length === 0) return result;

    let digest: Digest | null = null;
    for (const row of stale) {
      digest ??= await this.deps.digests.forReport(report, { waitForImage: true });
      result.outcomes.push(await this.correctRow(row, report, digest));
    }
    const count = (status: CorrectionOutcome['status']): number => result.outcomes.filter((o) => o.status === status).length;
    this.logger.info(
      { event: 'correction', slug, edited: count('edited'), notEditable: count('not-editable'), failed: count('failed'), skipped: count('skipped') },
      `report ${slug} changed after delivery: corrected in place where it was delivered`,
    );
    return result;
  }

  private async correctRow(row: Delivery, report: Report, digest: Digest): Promise<CorrectionOutcome> {
    const destination: Destination = { platform: row.platform, chatId: row.chatId, threadId: row.threadId };
    const base = { destination, deliveryId: row.id, edited: 0 };
    const platform = this.deps.platforms.get(row.platform);
    if (!platform?.editDigest) return { ...base, status: 'skipped', reason: `${row.platform} is not running here` };
    try {
      const parts = await this.partsOf(row);
      const subscription = await this.deps.store.getSubscription(destination).catch(() => null);
      const presentation = subscription ? presentationOf(subscription.options) : undefined;
      const edit = await platform.editDigest(destination, digest, parts, presentation);
      if (edit.status === 'not-editable') {
        this.logger.warn(
          { event: 'correction.not_editable', slug: row.slug, destination: describeDestination(destination), reason: edit.reason },
          'a delivered digest could not be corrected in place; nothing was sent anew',
        );
        return { ...base, status: 'not-editable', edited: edit.edited, reason: edit.reason };
      }
      await this.deps.store.recordCorrection(row.id, row.contentHash, report.contentHash);
      return { ...base, status: 'edited', edited: edit.edited };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(
        { event: 'correction.failed', slug: row.slug, destination: describeDestination(destination), reason },
        'correcting a delivered digest failed; the next change or `digest post --edit` tries again',
      );
      return { ...base, status: 'failed', reason };
    }
  }

  /** The ledger's parts of a row; a row without any (delivered before parts were recorded) by its message ids. */
  private async partsOf(row: Delivery): Promise<SentPart[]> {
    const parts = await this.deps.store.listDeliveryParts(row.id);
    if (parts.length > 0) return parts.map(({ index, messageId, plan }) => ({ index, messageId, plan }));
    return row.messageIds.map((messageId, index) => ({ index, messageId, plan: '' }));
  }
}

import { describeIncomplete, incompleteness } from '../report/completeness.ts';
import type { Digest } from '../report/digest-types.ts';
import { missingImageNote } from '../report/image-note.ts';
import type { Report } from '../report/types.ts';
import type { DiscordComponentsBody, DiscordComponentsMessage, DiscordMessage, DiscordMessageBody, TelegramCall } from './payload-types.ts';

/** A file as the preview shows it: what would be uploaded, without the local path. */
export interface PreviewFile {
  name: string;
  bytes: number;
}

/** The `digest preview --json` object: the report as parsed, and every payload exactly as sent. */
export interface PreviewJson {
  report: {
    slug: string;
    dateStart: string;
    dateEnd: string;
    /** The report's H1 headline. */
    title: string;
    points: { title: string; detail: string }[];
    /** File name of the image the digest carries, or null. */
    image: string | null;
    /** True when that image was drawn from the report text (false for the report's own file). */
    imageGenerated: boolean;
    /** Things to act on: parse problems, a report held as incomplete, a digest without its image. */
    warnings: string[];
    /** Information that needs no action (a missing image a word cloud is drawn in place of). */
    notes: string[];
  };
  /** Each message body as POSTed in the embed layout (`discord.layout: "embeds"`), plus the files uploaded with it. */
  discord: (DiscordMessageBody & { files: PreviewFile[] })[];
  /** The same digest as Components V2 (`discord.layout: "components"`): each body as POSTed, plus its files. */
  discordComponents: (DiscordComponentsBody & { files: PreviewFile[] })[];
  /** The configured `discord.layout`: which of the two a subscription without its own choice gets. */
  discordLayout: 'components' | 'embeds';
  /** Each Bot API call's params as sent, without `chat_id`; files as `{ file, bytes }`. */
  telegram: { method: TelegramCall['method']; params: Record<string, unknown> }[];
}

/** Builds the preview object from a report, its digest and the rendered payloads. */
export function buildPreviewJson(
  report: Report,
  digest: Digest,
  discord: DiscordMessage[],
  telegram: TelegramCall[],
  components: { messages: DiscordComponentsMessage[]; layout: 'components' | 'embeds' } = { messages: [], layout: 'embeds' },
): PreviewJson {
  const previewFiles = (files: DiscordMessage['files']): PreviewFile[] => files.map((f) => ({ name: f.name, bytes: f.bytes }));
  return {
    report: {
      slug: report.slug,
      dateStart: report.dateStart,
      dateEnd: report.dateEnd,
      title: report.headline,
      points: report.points.map((p) => ({ title: p.title, detail: p.detail })),
      image: digest.image?.name ?? null,
      imageGenerated: digest.image?.generated ?? false,
      ...warningsAndNotes(report, digest),
    },
    discord: discord.map(({ body, files }) => ({ ...body, files: previewFiles(files) })),
    telegram: telegram.map((call) =>
      call.method === 'sendPhoto'
        ? { method: call.method, params: { photo: { file: call.photo.name, bytes: call.photo.bytes }, ...call.params } }
        : { method: call.method, params: { ...call.params } },
    ),
    // Added after the fields scripts already read, which keep their names, shapes and order.
    discordComponents: components.messages.map(({ body, files }) => ({ ...body, files: previewFiles(files) })),
    discordLayout: components.layout,
  };
}

/** The report's warnings plus what only the digest knows: whether a missing image was drawn instead. */
function warningsAndNotes(report: Report, digest: Digest): { warnings: string[]; notes: string[] } {
  const warnings = [...report.warnings];
  const notes: string[] = [];
  const missing = incompleteness(report);
  if (missing !== null) warnings.push(`held, not delivered until complete: ${describeIncomplete(missing)}`);
  const image = missingImageNote(report, { drawn: digest.image?.generated === true });
  if (image) (image.level === 'info' ? notes : warnings).push(image.text);
  return { warnings, notes };
}

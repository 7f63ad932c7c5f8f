import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { withArchiveLinks } from '../archive/report-links.ts';
import { loadConfig, type Config } from '../config.ts';
import { createDigestBuilder } from '../digest-builder.ts';
import { createLogger } from '../log.ts';
import { ReportLibrary } from '../report/library.ts';
import { readReport } from '../report/read-report.ts';
import type { Report } from '../report/types.ts';
import { parseUserDate } from '../report/user-date.ts';
import { buildDigestPreview } from '../digest-preview.ts';
import type { PreviewJson } from '../render/preview-json.ts';
import { parseTelegramHtml } from '../render/telegram-html.ts';
import { WordcloudService } from '../wordcloud/wordcloud-service.ts';
import { errorText } from './error-text.ts';
import type { CliCommand, CliIo } from './io.ts';

const HELP = `usage: digest preview [DATE|FILE] [--json]

Shows the digest of a report as Discord and Telegram would get it. No argument: the newest report.
DATE: 2026-01-03, 20260103, 2026/1/3, today, yesterday (in the configured timezone).
FILE: a report .md file (a path containing '/' or ending in .md).
--json  print exactly one JSON object: { report, discord: [bodies], telegram: [{ method, params }] }
Exit codes: 0 shown, 1 no such report / unparseable file / bad usage.
`;

/** Reason shown on stderr; the CLI turns it into one line and exit code 1. */
class PreviewError extends Error {}

function looksLikeFile(arg: string, cwd: string): boolean {
  if (/\.(md|markdown)$/i.test(arg)) return true;
  if (!arg.includes('/') && !arg.includes(path.sep)) return false;
  const full = path.resolve(cwd, arg);
  return existsSync(full) && statSync(full).isFile();
}

async function loadReport(target: string | undefined, config: Config, io: CliIo): Promise<Report> {
  if (target !== undefined && looksLikeFile(target, io.cwd)) {
    return readReport(path.resolve(io.cwd, target), { imagesDir: config.imagesDir, maxBytes: config.content.maxReportBytes });
  }
  const library = await ReportLibrary.open(config.contentDir, { imagesDir: config.imagesDir, maxReportBytes: config.content.maxReportBytes });
  if (target === undefined) {
    const latest = await library.latest();
    if (!latest) throw new PreviewError(`no reports in ${config.contentDir}`);
    return latest;
  }
  return library.findByDate(parseUserDate(target, { timezone: config.timezone, now: new Date() }));
}

/** `digest preview [DATE|FILE] [--json]`. */
export const previewCommand: CliCommand = async (argv, io) => {
  let values: { json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.stderr(`digest preview: ${(error as Error).message}\n${HELP}`);
    return 1;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr(`digest preview: expected at most one DATE or FILE, got ${positionals.length}\n`);
    return 1;
  }

  try {
    const config = loadConfig({ rootDir: io.cwd, env: io.env });
    const report = await loadReport(positionals[0], config, io);
    const logger = createLogger({ level: 'warn', destination: { write: io.stderr } });
    const images = new WordcloudService({ ...config.wordcloud, imagesDir: config.imagesDir }, logger);
    const { preview } = await buildDigestPreview(report, createDigestBuilder(withArchiveLinks(config), images), {
      discordColor: config.digest.discordColor,
      discordLayout: config.discord.layout,
      telegram: config.telegram,
    }).finally(() => images.close());
    io.stdout(values.json ? `${JSON.stringify(preview, null, 2)}\n` : formatPreview(preview));
    return 0;
  } catch (error) {
    io.stderr(`digest preview: ${errorText(error)}\n`);
    return 1;
  }
};

type AnyComponent = { type: number; content?: string; components?: AnyComponent[]; accessory?: AnyComponent; items?: { media: { url: string } }[]; label?: string; url?: string };

/** Components in all (nested ones and accessories counted, as Discord counts them) and the characters of their text. */
function componentTotals(components: readonly AnyComponent[]): { count: number; chars: number } {
  let count = 0;
  let chars = 0;
  const visit = (component: AnyComponent): void => {
    count += 1;
    chars += component.content?.length ?? 0;
    for (const child of component.components ?? []) visit(child);
    if (component.accessory) visit(component.accessory);
  };
  components.forEach(visit);
  return { count, chars };
}

/** A Components V2 tree as indented lines: text as written, the rest named by what it is. */
function componentLines(components: readonly AnyComponent[], indent: string): string[] {
  return components.flatMap((component): string[] => {
    switch (component.type) {
      case 10:
        return (component.content ?? '').split('\n').map((line) => `${indent}${line}`);
      case 9:
        return [...componentLines(component.components ?? [], indent), `${indent}  [link button: ${component.accessory?.label ?? ''} <${component.accessory?.url ?? ''}>]`];
      case 12:
        return (component.items ?? []).map((item) => `${indent}[gallery ${item.media.url}]`);
      case 14:
        return [`${indent}────`];
      case 1:
        return [`${indent}[buttons: ${(component.components ?? []).map((b) => b.label ?? '').join(' | ')}]`];
      default:
        return [`${indent}[container]`, ...componentLines(component.components ?? [], `${indent}  `)];
    }
  });
}

const rule = (label: string): string => `── ${label} ${'─'.repeat(Math.max(4, 60 - label.length))}`;

/** The human-readable preview: the report summary, then each platform's messages in order. */
export function formatPreview(preview: PreviewJson): string {
  const { report } = preview;
  const lines: string[] = [
    `${report.slug}  (${report.dateStart}${report.dateEnd === report.dateStart ? '' : ` 至 ${report.dateEnd}`})`,
    `${report.title}`,
    `${report.points.length} points · image: ${report.image ?? 'none'}${report.image && report.imageGenerated ? ' (generated)' : ''}`,
    ...report.warnings.map((w) => `warning: ${w}`),
    ...report.notes.map((n) => `note: ${n}`),
    '',
    rule(`Discord: ${preview.discord.length} message(s)`),
  ];
  preview.discord.forEach((message, m) => {
    const files = message.files.map((f) => `${f.name} (${f.bytes} bytes)`).join(', ');
    lines.push(`[message ${m + 1}]${files ? ` files: ${files}` : ''}`);
    message.embeds.forEach((embed, e) => {
      const size = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
      lines.push(`  [embed ${e + 1}, ${size} chars]`);
      if (embed.title) lines.push(`  # ${embed.title}${embed.url ? `  <${embed.url}>` : ''}`);
      if (embed.description) lines.push(...embed.description.split('\n').map((l) => `  ${l}`));
      if (embed.image) lines.push(`  [image ${embed.image.url}]`);
      if (embed.footer) lines.push(`  — ${embed.footer.text}${embed.timestamp ? ` · ${embed.timestamp}` : ''}`);
    });
    if (message.content) lines.push(...message.content.split('\n').map((l) => `  ${l}`));
  });
  lines.push('', rule(`Discord as Components V2${preview.discordLayout === 'components' ? ' (the configured layout)' : ''}: ${preview.discordComponents.length} message(s)`));
  preview.discordComponents.forEach((message, m) => {
    const files = message.files.map((f) => `${f.name} (${f.bytes} bytes)`).join(', ');
    const { count, chars } = componentTotals(message.components);
    lines.push(`[message ${m + 1}, ${count} components, ${chars} chars of text]${files ? ` files: ${files}` : ''}`);
    lines.push(...componentLines(message.components, '  '));
  });
  lines.push('', rule(`Telegram: ${preview.telegram.length} call(s)`));
  for (const call of preview.telegram) {
    const html = String(call.params['caption'] ?? call.params['text'] ?? '');
    const parsed = parseTelegramHtml(html);
    const size = parsed.ok ? `${parsed.length} chars` : `INVALID: ${parsed.error}`;
    const photo = call.params['photo'] as { file: string; bytes: number } | undefined;
    lines.push(`[${call.method}${photo ? ` ${photo.file} (${photo.bytes} bytes)` : ''}, ${size}]`);
    lines.push(...html.split('\n').map((l) => `  ${l}`));
  }
  return `${lines.join('\n')}\n`;
}

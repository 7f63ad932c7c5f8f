import type { CliIo } from './io.ts';
import { UsageError } from './parse-cli-args.ts';
import { applyAdd, describe, describeSchedule, type AddOutcome, type AddRequest } from './subs-add.ts';

/**
 * `digest subs import`: one `add` per line, in this one process and on one open database (a
 * process per subscription took seconds each). Every line is answered: `line 3: added telegram
 * -100…`, `line 4: refused: <why>`; then the counts. Exit 1 when any line was refused.
 */
export async function importSubscriptions(
  store: Parameters<typeof applyAdd>[0],
  text: string,
  parseLine: (line: string) => AddRequest,
  io: CliIo,
): Promise<number> {
  const counts: Record<AddOutcome | 'refused', number> = { added: 0, reactivated: 0, updated: 0, unchanged: 0, refused: 0 };
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    let request: AddRequest;
    try {
      request = parseLine(line);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      counts.refused += 1;
      out.push(`line ${index + 1}: refused: ${error.message}`);
      continue;
    }
    const { outcome, saved } = await applyAdd(store, request);
    counts[outcome] += 1;
    out.push(`line ${index + 1}: ${outcome} ${describe(request.destination)}${describeSchedule(saved)}`);
    // Written in chunks: ten thousand lines should not wait on ten thousand writes.
    if (out.length >= 500) io.stdout(`${out.splice(0).join('\n')}\n`);
  }
  if (out.length > 0) io.stdout(`${out.join('\n')}\n`);
  io.stdout(
    `${counts.added} added, ${counts.reactivated} reactivated, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.refused} refused\n`,
  );
  return counts.refused > 0 ? 1 : 0;
}

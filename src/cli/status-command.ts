import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { PLATFORM_NAMES } from '../words.ts';
import { collectStatus, toStatusJson, type StatusFacts } from '../status/collect-status.ts';
import type { CliCommand } from './io.ts';
import { openBackendForCli } from '../backend/open-backend.ts';

const HELP = `usage: digest status [--json]

What the bot's status page shows, from the database: subscriptions per platform (active and
deactivated with the reason), the newest reports' deliveries with failures, and when each
subscription is next due (in its own timezone and in UTC). Read-only (never creates a database); safe beside the bot.
--json  one JSON object: { subscriptions: { discord: { active, inactive }, telegram: { … } },
        lastFanout: { slug, finishedAt, delivered, failed } | null, nextDue: [{ platform, chatId, at }] }
Exit codes: 0 shown, 1 bad usage / configuration / unreadable database.
`;


/** `digest status [--json]`. */
export const statusCommand: CliCommand = async (argv, io) => {
  let json = false;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
    json = values.json === true;
  } catch (error) {
    io.stderr(`digest status: ${(error as Error).message}\n${HELP}`);
    return 1;
  }
  const config = loadConfig({ rootDir: io.cwd, env: io.env });
  const backend = await openBackendForCli(config, { mustExist: true });
  const { store } = backend;
  try {
    const facts = await collectStatus({ store, config, now: new Date() });
    io.stdout(json ? `${JSON.stringify(toStatusJson(facts), null, 2)}\n` : formatStatus(facts));
    return 0;
  } finally {
    await backend.close();
  }
};

/** The readable report: the same three sections as the status page. */
export function formatStatus(facts: StatusFacts): string {
  const lines: string[] = [];
  lines.push(
    `Subscriptions: ${PLATFORM_NAMES.map((p) => `${p} ${facts.counts[p].active} active, ${facts.counts[p].inactive} deactivated`).join(' · ')}`,
  );
  for (const s of facts.subscriptions) {
    const where = `${s.platform} ${s.chatId}${s.threadId ? `/${s.threadId}` : ''}${s.title ? ` "${s.title}"` : ''}`;
    const when = s.timeOfDay ? `${s.timeOfDay} ${s.timezone ?? ''}`.trim() : 'global schedule';
    const state = s.active ? 'active' : `deactivated (${s.reason ?? 'no reason recorded'})`;
    lines.push(`  ${where} · ${when} · ${state} · by ${s.subscribedBy} at ${s.subscribedAt}`);
  }
  lines.push('');
  lines.push(
    facts.lastFanout
      ? `Last fan-out: ${facts.lastFanout.slug}, finished ${facts.lastFanout.finishedAt}: ${facts.lastFanout.delivered} delivered, ${facts.lastFanout.failed} failed`
      : 'Last fan-out: none recorded',
  );
  for (const r of facts.reports) {
    const parts = PLATFORM_NAMES.map((p) => {
      const c = r.counts[p];
      return `${p} ${c.delivered} delivered, ${c.failed} failed, ${c.deactivated} deactivated${c.sending ? `, ${c.sending} sending` : ''}`;
    });
    lines.push(`  ${r.slug} (${r.lastAt}): ${parts.join(' · ')}`);
    for (const f of r.failures) {
      lines.push(`    ${f.platform} ${f.chatId}${f.threadId ? `/${f.threadId}` : ''}: ${f.status}: ${f.lastError ?? ''}`);
    }
  }
  lines.push('');
  lines.push(
    facts.nextGlobal
      ? `Next due (global schedule ${facts.nextGlobal.schedule}): ${facts.nextGlobal.local} ${facts.nextGlobal.timezone} = ${facts.nextGlobal.at}`
      : 'Next due (global schedule): none within 400 days',
  );
  for (const d of facts.nextDue) {
    lines.push(`  ${d.platform} ${d.chatId}${d.threadId ? `/${d.threadId}` : ''}: ${d.local} ${d.timezone} = ${d.at}`);
  }
  return `${lines.join('\n')}\n`;
}

import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { CliIo } from './io.ts';

/** Progress of long work, per group (a platform, or the report files). */
export interface Progress {
  /** One result in `group`; `failed` counts towards "failures so far". */
  tick(group: string, failed: boolean): void;
  /** A result line for stdout that must not tear the live bars. */
  print(text: string): void;
  /** Removes the bars (before the final summary lines). Idempotent. */
  stop(): void;
}

interface GroupState {
  done: number;
  failed: number;
  total: number;
  bar: SingleBar | null;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Progress on stderr: on a terminal, one live bar per group (cli-progress: done / total, rate,
 * failures so far, time left); otherwise a plain line per group at most every `intervalMs`, so a
 * log file or CI shows the work moving without a wall of redraws. Nothing on stdout changes.
 */
export function createProgress(io: CliIo, command: string, totals: Record<string, number>): Progress {
  const started = Date.now();
  const groups = new Map<string, GroupState>();
  const live = io.progress?.isTTY === true && io.progress.stream !== undefined;
  const intervalMs = io.progress?.intervalMs ?? 10_000;
  const multibar = live
    ? new MultiBar(
        {
          stream: io.progress!.stream as NodeJS.WriteStream,
          format: `${command} {group} [{bar}] {value}/{total} · {rate}/s · {failed} failed · {left} left`,
          hideCursor: true,
          clearOnComplete: true,
          stopOnComplete: false,
          etaBuffer: 50,
          fps: 5,
        },
        Presets.shades_classic,
      )
    : null;
  const width = Math.max(...Object.keys(totals).map((g) => g.length), 0);
  for (const [group, total] of Object.entries(totals)) {
    const state: GroupState = { done: 0, failed: 0, total, bar: null };
    state.bar = multibar?.create(total, 0, payload(group.padEnd(width), state)) ?? null;
    groups.set(group, state);
  }
  // The first line after one interval: a short run stays as quiet as before.
  let lastLine = started;
  let stopped = false;

  function payload(group: string, state: GroupState): Record<string, string | number> {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? state.done / seconds : 0;
    return { group, failed: state.failed, rate: rate.toFixed(1), left: formatDuration(rate > 0 ? (state.total - state.done) / rate : Infinity) };
  }

  function plainLines(): void {
    for (const [group, state] of groups) {
      const p = payload(group, state);
      io.stderr(`${command}: ${group} ${state.done}/${state.total} (${p.rate}/s, ${state.failed} failed, ${p.left} left)\n`);
    }
  }

  return {
    tick(group, failed) {
      const state = groups.get(group);
      if (!state || stopped) return;
      state.done += 1;
      if (failed) state.failed += 1;
      if (state.bar) {
        state.bar.update(state.done, payload(group.padEnd(width), state));
        return;
      }
      const now = Date.now();
      if (now - lastLine >= intervalMs) {
        lastLine = now;
        plainLines();
      }
    },
    print(text) {
      if (multibar && io.progress?.stdoutIsTTY && !stopped) multibar.log(text);
      else io.stdout(text);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multibar?.stop();
    },
  };
}

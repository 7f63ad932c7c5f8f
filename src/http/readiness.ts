import type { ServiceHealth } from '../service-health.ts';

/** The /readyz body. */
export interface ReadinessBody {
  ready: boolean;
  /** Names of the components that are not ready. */
  notReady: string[];
  components: Record<string, { ready: boolean; detail: string | null; since?: string }>;
}

/** A live check: a throw or a rejection makes its component not ready, with the error as the reason. */
export type ReadinessProbe = () => void | Promise<void>;

/**
 * How long a live check may take. A database that accepts and never answers must not hang the
 * probe: an orchestrator's readiness check gives up after about a second and learns nothing.
 */
export const PROBE_TIMEOUT_MS = 800;

/**
 * The health registry's snapshot with the live probes applied. The probes run side by side and
 * each one that has not answered within `timeoutMs` counts as not ready, with that as the reason.
 */
export async function readiness(
  health: ServiceHealth,
  probes: Record<string, ReadinessProbe> = {},
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ReadinessBody> {
  const snapshot = health.snapshot();
  const components: ReadinessBody['components'] = { ...snapshot.components };
  const outcomes = await Promise.all(Object.entries(probes).map(async ([name, probe]) => ({ name, problem: await probeProblem(probe, timeoutMs) })));
  for (const { name, problem } of outcomes) {
    if (problem === null) components[name] ??= { ready: true, detail: null };
    else components[name] = { ready: false, detail: problem };
  }
  const notReady = Object.entries(components)
    .filter(([, c]) => !c.ready)
    .map(([name]) => name);
  return { ready: Object.keys(components).length > 0 && notReady.length === 0, notReady, components };
}

/**
 * Checks still waiting for an answer: the next probe waits on the same one instead of starting
 * another, so a database that never answers is asked once, not once per probe.
 */
const unanswered = new WeakMap<ReadinessProbe, Promise<string | null>>();

/** The probe's outcome: null when it passed, otherwise why not. */
function check(probe: ReadinessProbe): Promise<string | null> {
  let checked = unanswered.get(probe);
  if (checked === undefined) {
    checked = (async () => {
      await probe();
      return null;
    })()
      .catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
      .finally(() => unanswered.delete(probe));
    unanswered.set(probe, checked);
  }
  return checked;
}

/** Null when the probe passed in time; otherwise why not. */
async function probeProblem(probe: ReadinessProbe, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
  });
  const checked = check(probe);
  try {
    return await Promise.race([checked, late]);
  } finally {
    clearTimeout(timer);
  }
}

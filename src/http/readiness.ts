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

/** The health registry's snapshot with the live probes applied. */
export async function readiness(health: ServiceHealth, probes: Record<string, ReadinessProbe> = {}): Promise<ReadinessBody> {
  const snapshot = health.snapshot();
  const components: ReadinessBody['components'] = { ...snapshot.components };
  for (const [name, probe] of Object.entries(probes)) {
    try {
      await probe();
      components[name] ??= { ready: true, detail: null };
    } catch (error) {
      components[name] = { ready: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }
  const notReady = Object.entries(components)
    .filter(([, c]) => !c.ready)
    .map(([name]) => name);
  return { ready: Object.keys(components).length > 0 && notReady.length === 0, notReady, components };
}

/**
 * What each part of the running bot says about itself: ready or not, and why. The parts that know
 * (the store, the report library, each platform adapter, delivery) set their own entry; whoever
 * needs the whole picture (the readiness probe, the status page, a shutdown decision) reads a
 * snapshot. Neutral on purpose: it imports nothing of ours, so every layer may depend on it.
 */

export interface ComponentHealth {
  ready: boolean;
  /** Why it is not ready (or what it is doing), for humans and the probe's JSON body. */
  detail: string | null;
  /** ISO 8601 time of the last change of `ready`. */
  since: string;
}

export interface HealthSnapshot {
  /** True when every registered component is ready (and at least one is registered). */
  ready: boolean;
  components: Record<string, ComponentHealth>;
}

export class ServiceHealth {
  private readonly components = new Map<string, ComponentHealth>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Sets one component's state; `since` moves only when `ready` changes. */
  set(component: string, ready: boolean, detail: string | null = null): void {
    const previous = this.components.get(component);
    const since = previous && previous.ready === ready ? previous.since : this.now().toISOString();
    this.components.set(component, { ready, detail, since });
  }

  /** Registers a component as not ready yet (e.g. a platform before it has started). */
  expect(component: string, detail = 'starting'): void {
    if (!this.components.has(component)) this.set(component, false, detail);
  }

  get(component: string): ComponentHealth | null {
    return this.components.get(component) ?? null;
  }

  snapshot(): HealthSnapshot {
    const components = Object.fromEntries(this.components);
    const values = [...this.components.values()];
    return { ready: values.length > 0 && values.every((c) => c.ready), components };
  }
}

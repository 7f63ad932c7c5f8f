import type { DeliveryReport } from '../delivery/deliverer.ts';

/** One completed fan-out of this process, as the status page lists it. */
export interface RecentFanout {
  report: DeliveryReport;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * The last few fan-outs this process completed, newest first. The ledger keeps what was sent;
 * this also keeps what was skipped and why, which the ledger has no row for.
 */
export class RecentFanouts {
  private readonly items: RecentFanout[] = [];

  constructor(private readonly capacity = 20) {}

  add(report: DeliveryReport, timing: { startedAt: Date; finishedAt: Date }): void {
    this.items.unshift({ report, ...timing });
    if (this.items.length > this.capacity) this.items.length = this.capacity;
  }

  list(): readonly RecentFanout[] {
    return this.items;
  }
}

import type { ScenarioResult } from '../results/model.js';

/**
 * The per-second series of a WebSocket run: messages sent, upgrade and push statuses, round-trip
 * p50 and p99 (microseconds, from the intended send), and in `tags` the connections opened, open
 * at the end of the second, and closed by the gateway.
 */

export type WsSecond = ScenarioResult['timeseries'][number];

class Second {
  sent = 0;
  opened = 0;
  closedByGateway = 0;
  dropped = 0;
  errors = 0;
  /** Connections open when the second's last change happened; undefined: none happened. */
  open: number | undefined;
  readonly byStatus: Record<string, number> = {};
  private readonly latenciesMs: number[] = [];

  roundTrip(ms: number): void {
    this.latenciesMs.push(ms);
  }

  percentileUs(p: number): number {
    if (this.latenciesMs.length === 0) return 0;
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
    return Math.round(sorted[Math.max(0, index)]! * 1000);
  }
}

export class WsSeries {
  private readonly list: Second[] = [];

  /** The second holding `ms` (from the start of the run). */
  at(ms: number): Second {
    const i = Math.max(0, Math.floor(ms / 1000));
    for (let k = this.list.length; k <= i; k++) this.list.push(new Second());
    return this.list[i]!;
  }

  seconds(): WsSecond[] {
    let open = 0;
    return this.list.map((s, t) => {
      open = s.open ?? open;
      return {
        t,
        sent: s.sent,
        byStatus: s.byStatus,
        p50: s.percentileUs(50),
        p99: s.percentileUs(99),
        dropped: s.dropped,
        errors: s.errors,
        tags: { opened: s.opened, open, closedByGateway: s.closedByGateway },
      };
    });
  }
}

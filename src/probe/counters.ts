import type { ProbeCounters } from './protocol.js';

/**
 * Nonces are unique per case, so under a long load run with nonces the map would grow without
 * end; the oldest are forgotten first, long after the case that used them has read its count.
 */
const MAX_NONCES = 100_000;

/** Requests that reached the probe, by route and by nonce. */
export class RequestCounters {
  private total = 0;
  private readonly routes = new Map<string, number>();
  private readonly nonces = new Map<string, number>();
  /** Per nonce, its requests by route and tag; a nonce's handful of routes, however long the run. */
  private readonly seen = new Map<string, Map<string, number>>();

  count(route: string, nonce: string | undefined, tag?: string): void {
    this.total++;
    this.routes.set(route, (this.routes.get(route) ?? 0) + 1);
    if (nonce === undefined) return;
    const where = tag === undefined ? route : `${route}#${tag}`;
    const seen = this.nonces.get(nonce);
    if (seen !== undefined) {
      this.nonces.set(nonce, seen + 1);
      const byWhere = this.seen.get(nonce)!;
      byWhere.set(where, (byWhere.get(where) ?? 0) + 1);
      return;
    }
    if (this.nonces.size >= MAX_NONCES) {
      const oldest = this.nonces.keys().next().value;
      if (oldest !== undefined) {
        this.nonces.delete(oldest);
        this.seen.delete(oldest);
      }
    }
    this.nonces.set(nonce, 1);
    this.seen.set(nonce, new Map([[where, 1]]));
  }

  snapshot(nonce?: string): ProbeCounters {
    const counters: ProbeCounters = { total: this.total, routes: Object.fromEntries(this.routes) };
    if (nonce !== undefined) {
      counters.nonce = nonce;
      counters.count = this.nonces.get(nonce) ?? 0;
      counters.seen = Object.fromEntries(this.seen.get(nonce) ?? []);
    }
    return counters;
  }

  reset(): void {
    this.total = 0;
    this.routes.clear();
    this.nonces.clear();
    this.seen.clear();
  }
}

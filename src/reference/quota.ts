import type { Quota, QuotaPeriod } from './config.js';

const DAY_MS = 86_400_000;

/**
 * The start of the UTC period holding `now`. AWS does not document when a WEEK starts; ISO weeks
 * (Monday 00:00 UTC) are assumed.
 */
export function periodStart(period: QuotaPeriod, now: number): number {
  const day = Math.floor(now / DAY_MS);
  switch (period) {
    case 'DAY':
      return day * DAY_MS;
    case 'WEEK':
      // Day 0 (1970-01-01) was a Thursday, three days after a Monday.
      return (day - ((day + 3) % 7)) * DAY_MS;
    case 'MONTH': {
      const date = new Date(now);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
  }
}

/** Requests charged against one quota in its current period. */
export class QuotaCounter {
  private readonly firstPeriod: number;
  private period: number;
  private used = 0;

  constructor(
    private readonly quota: Quota,
    createdAt: number,
  ) {
    this.firstPeriod = periodStart(quota.period, createdAt);
    this.period = this.firstPeriod;
  }

  /**
   * Charges one request when the period has room left. Synchronous by design: a check and a
   * charge with no await between them is what keeps a concurrent burst from overshooting.
   * `extra` widens the limit (only the off-by-one fault uses it).
   */
  tryCharge(now: number, extra = 0): boolean {
    this.roll(now);
    if (this.used >= this.limit() + extra) return false;
    this.used++;
    return true;
  }

  refund(): void {
    if (this.used > 0) this.used--;
  }

  private roll(now: number): void {
    const current = periodStart(this.quota.period, now);
    if (current > this.period) {
      this.period = current;
      this.used = 0;
    }
  }

  private limit(): number {
    return this.period === this.firstPeriod ? this.quota.limit - this.quota.offset : this.quota.limit;
  }
}

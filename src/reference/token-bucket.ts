import type { Throttle } from './config.js';

/**
 * API Gateway's throttle: a bucket of `burstLimit` tokens, refilled at `rateLimit` per second,
 * one token per request. It starts full, so a quiet client may send a whole burst at once.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly throttle: Throttle,
    now: number,
  ) {
    this.tokens = throttle.burstLimit;
    this.last = now;
  }

  tryTake(now: number): boolean {
    if (now > this.last) {
      const refill = ((now - this.last) * this.throttle.rateLimit) / 1000;
      this.tokens = Math.min(this.throttle.burstLimit, this.tokens + refill);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/reference/clock.js';
import { periodStart, QuotaCounter } from '../src/reference/quota.js';
import { TokenBucket } from '../src/reference/token-bucket.js';

const admitted = (take: () => boolean, tries: number) =>
  Array.from({ length: tries }, take).filter(Boolean).length;

describe('token bucket', () => {
  it('starts full: admits a whole burst, then nothing until it refills', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ rateLimit: 10, burstLimit: 5 }, clock.now());
    assert.equal(
      admitted(() => bucket.tryTake(clock.now()), 8),
      5,
    );
    clock.advance(99);
    assert.equal(bucket.tryTake(clock.now()), false);
    clock.advance(1);
    assert.equal(
      admitted(() => bucket.tryTake(clock.now()), 3),
      1,
    );
  });

  it('refills at the rate, never above the burst', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ rateLimit: 2.5, burstLimit: 3 }, clock.now());
    admitted(() => bucket.tryTake(clock.now()), 3);
    clock.advance(800);
    assert.equal(
      admitted(() => bucket.tryTake(clock.now()), 5),
      2,
    );
    clock.advance(3_600_000);
    assert.equal(
      admitted(() => bucket.tryTake(clock.now()), 10),
      3,
    );
  });

  it('admits nothing with a burst of 0', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ rateLimit: 100, burstLimit: 0 }, clock.now());
    clock.advance(10_000);
    assert.equal(bucket.tryTake(clock.now()), false);
  });
});

describe('quota', () => {
  it('admits exactly the limit in a period and again in the next', () => {
    const clock = new ManualClock(Date.UTC(2024, 4, 10, 23, 0));
    const counter = new QuotaCounter({ limit: 3, period: 'DAY', offset: 0 }, clock.now());
    assert.equal(
      admitted(() => counter.tryCharge(clock.now()), 5),
      3,
    );
    clock.set(Date.UTC(2024, 4, 10, 23, 59, 59, 999));
    assert.equal(counter.tryCharge(clock.now()), false);
    clock.set(Date.UTC(2024, 4, 11));
    assert.equal(
      admitted(() => counter.tryCharge(clock.now()), 5),
      3,
    );
  });

  it('subtracts the offset from the first period only', () => {
    const clock = new ManualClock(Date.UTC(2024, 4, 10, 12));
    const counter = new QuotaCounter({ limit: 5, period: 'DAY', offset: 2 }, clock.now());
    assert.equal(
      admitted(() => counter.tryCharge(clock.now()), 10),
      3,
    );
    clock.advance(86_400_000);
    assert.equal(
      admitted(() => counter.tryCharge(clock.now()), 10),
      5,
    );
  });

  it('widens the limit only by the extra asked for', () => {
    const counter = new QuotaCounter({ limit: 2, period: 'DAY', offset: 0 }, 0);
    assert.equal(
      admitted(() => counter.tryCharge(1, 1), 5),
      3,
    );
  });

  it('does not reset when the clock steps back', () => {
    const clock = new ManualClock(Date.UTC(2024, 4, 11, 1));
    const counter = new QuotaCounter({ limit: 1, period: 'DAY', offset: 0 }, clock.now());
    assert.equal(counter.tryCharge(clock.now()), true);
    clock.set(Date.UTC(2024, 4, 10, 23));
    assert.equal(counter.tryCharge(clock.now()), false);
  });

  it('starts weeks on Monday and months on the 1st, in UTC', () => {
    // 2024-05-16 was a Thursday.
    assert.equal(periodStart('WEEK', Date.UTC(2024, 4, 16, 15)), Date.UTC(2024, 4, 13));
    assert.equal(periodStart('WEEK', Date.UTC(2024, 4, 13)), Date.UTC(2024, 4, 13));
    assert.equal(periodStart('WEEK', Date.UTC(2024, 4, 12, 23, 59)), Date.UTC(2024, 4, 6));
    assert.equal(periodStart('MONTH', Date.UTC(2024, 1, 29, 23)), Date.UTC(2024, 1, 1));
    assert.equal(periodStart('DAY', Date.UTC(2024, 1, 29, 23)), Date.UTC(2024, 1, 29));
  });

  it('rolls over at the week and the month boundary', () => {
    const clock = new ManualClock(Date.UTC(2024, 4, 19, 23));
    const weekly = new QuotaCounter({ limit: 1, period: 'WEEK', offset: 0 }, clock.now());
    const monthly = new QuotaCounter({ limit: 1, period: 'MONTH', offset: 0 }, clock.now());
    assert.equal(weekly.tryCharge(clock.now()), true);
    assert.equal(monthly.tryCharge(clock.now()), true);
    clock.set(Date.UTC(2024, 4, 20));
    assert.equal(weekly.tryCharge(clock.now()), true);
    assert.equal(monthly.tryCharge(clock.now()), false);
    clock.set(Date.UTC(2024, 5, 1));
    assert.equal(monthly.tryCharge(clock.now()), true);
  });
});

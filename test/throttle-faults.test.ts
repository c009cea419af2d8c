import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FaultName } from '../src/reference/faults.js';
import { UsagePlans } from '../src/reference/usage-plans.js';

const KEY = { id: 'k', value: 'key-value', enabled: true };
const PLAN = {
  id: 'p',
  apiStages: [{ stage: 's', throttle: {} }],
  throttle: { rateLimit: 10, burstLimit: 5 },
  apiKeyIds: ['k'],
};

/** How many requests sent at `times` (ms) the bucket admits. */
function admitted(fault: FaultName | undefined, times: readonly number[]): number {
  const plans = new UsagePlans([PLAN], 0, fault);
  const plan = plans.planFor(KEY, 's');
  assert.ok(plan);
  return times.filter((t) => plans.takeToken(KEY, plan, 's', '/x/GET', t)).length;
}

test('the throttle faults build another bucket than the declared one', () => {
  const spike = Array.from({ length: 20 }, () => 0);
  // A full bucket admits its burst at once; 300 ms later, what the rate refilled in them.
  const refill = [...spike, ...Array.from({ length: 20 }, () => 300)];
  assert.equal(admitted(undefined, spike), 5);
  assert.equal(admitted('throttle-burst-doubled', spike), 10);
  assert.equal(admitted('throttle-rate-doubled', spike), 5);
  assert.equal(admitted(undefined, refill), 8);
  assert.equal(admitted('throttle-rate-doubled', refill), 10);
  assert.equal(admitted('throttle-burst-doubled', refill), 13);
});

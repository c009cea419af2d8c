import type { Scenario } from '../src/load/scenario.js';

/** Zipf-distributed cache keys, as real traffic has: a few hot, most cold. Hits proven at the probe. */
export const cacheHitRatio: Scenario = {
  id: 'cache-hit-ratio',
  title: 'The stage cache serves repeated keys without reaching the origin, and faster',
  kind: 'cache',
  load: {
    executor: 'constant-arrival-rate',
    rate: 200,
    timeUnit: '1s',
    duration: '10s',
    preAllocatedVUs: 50,
    maxVUs: 100,
  },
  requests: [{ route: 'cached', keys: { param: 'id', distribution: 'zipf', count: 1000, s: 1.1 } }],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{tag:hit}': ['p(99)<250'],
  },
  // `expected`: the hit ratio a correct cache gives these keys over this run with the route's TTL.
  checks: { 'cache.hitRatio': '>= expected - 0.05' },
  maxRequests: 2500,
};

import type { Scenario } from '../src/load/scenario.js';

/**
 * Readers poll one key while a writer refreshes it twice a second with `Cache-Control:
 * max-age=0`: how long until the readers see the version the writer fetched.
 */
export const cacheInvalidationVisibility: Scenario = {
  id: 'cache-invalidation-visibility',
  title: 'An authorized invalidation is seen by every reader at once',
  kind: 'cache',
  load: {
    executor: 'constant-arrival-rate',
    rate: 200,
    timeUnit: '1s',
    duration: '10s',
    preAllocatedVUs: 50,
    maxVUs: 100,
  },
  requests: [
    { route: 'cached', keys: { param: 'id', distribution: 'uniform', count: 1 }, weight: 99 },
    {
      route: 'cached',
      keys: { param: 'id', distribution: 'uniform', count: 1 },
      headers: { 'Cache-Control': 'max-age=0' },
      tags: { role: 'invalidator' },
      weight: 1,
      role: 'invalidator',
    },
  ],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{tag:hit}': ['p(99)<250'],
  },
  // An authorized invalidation refreshes the entry for everyone, at once, every time.
  checks: { 'cache.invalidationVisibleMs': '< 1000', 'cache.invalidationsIgnored': '== 0' },
  maxRequests: 2500,
};

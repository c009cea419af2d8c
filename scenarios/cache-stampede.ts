import type { Scenario } from '../src/load/scenario.js';

/**
 * A few hot keys on a short TTL, with a slow origin: each expiry under load shows whether the
 * gateway sends one request to the origin or lets every waiting caller through.
 */
export const cacheStampede: Scenario = {
  id: 'cache-stampede',
  title: 'When an entry expires under load, the origin sees few requests for that key',
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
    {
      route: 'cachedShort',
      keys: { param: 'id', distribution: 'uniform', count: 4 },
      // Sent on to the origin only on a miss: a slow fill is when callers pile up.
      headers: { 'x-gp-delay-ms': '50' },
    },
  ],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{tag:hit}': ['p(99)<250'],
  },
  maxRequests: 2500,
  options: { originPerKey: true },
};

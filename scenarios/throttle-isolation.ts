import type { Scenario } from '../src/load/scenario.js';

/** One key floods at twice the rate; another, on the same plan, asks half the rate and must get all of it. */
export const throttleIsolation: Scenario = {
  id: 'throttle-isolation',
  title: "One key's flood does not throttle another key of the same plan",
  kind: 'throttle',
  idleBefore: '1s',
  load: {
    executor: 'constant-arrival-rate',
    rate: 500,
    timeUnit: '1s',
    duration: '10s',
    preAllocatedVUs: 60,
    maxVUs: 120,
  },
  requests: [
    { route: 'throttled', apiKey: 'valid', tags: { key: 'valid' }, weight: 4 },
    { route: 'throttled', apiKey: 'other', tags: { key: 'other' }, weight: 1, role: 'victim' },
  ],
  thresholds: {
    'http_req_failed{key:other}': ['rate<0.01'],
    'http_req_duration{status:429}': ['p(99)<100'],
  },
  // The key beside the flood asks half the plan's rate: none of it may be refused. The check also
  // needs the flood refused at least once, or the isolation was never tested (not judged).
  checks: { 'throttle.share429{key:isolated}': '<= 0.01' },
  maxRequests: 7000,
  options: { planRate: 200 },
};

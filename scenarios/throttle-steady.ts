import type { Scenario } from '../src/load/scenario.js';

/** Twice the plan's rate, steadily: what is admitted is the bucket's rate after its burst. */
export const throttleSteady: Scenario = {
  id: 'throttle-steady',
  title: 'Offered twice its rate, the throttled route admits the plan rate after one burst',
  kind: 'throttle',
  // Long enough for the bucket to fill; the runner lengthens it when the plan's burst needs more.
  idleBefore: '1s',
  load: {
    executor: 'constant-arrival-rate',
    rate: 400,
    timeUnit: '1s',
    duration: '10s',
    preAllocatedVUs: 50,
    maxVUs: 100,
  },
  requests: [{ route: 'throttled', apiKey: 'valid', tags: { key: 'valid' } }],
  expectedStatuses: { min: 200, max: 399, extra: [429] },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{status:200}': ['p(99)<500'],
    'http_req_duration{status:429}': ['p(99)<100'],
  },
  // The bucket read off the traffic against the declared plan: its 95 % interval, widened by 10 %, must hold the declared value.
  checks: { 'throttle.rate': 'within(declared, 10%)', 'throttle.burst': 'within(declared, 10%)' },
  maxRequests: 6000,
  options: { planRate: 200 },
};

import type { Scenario } from '../src/load/scenario.js';

/**
 * A quiet key, then a spike of three times the rate, then twice the rate: the spike shows the
 * burst (admitted in it less rate × its length), the tail the rate.
 */
export const throttleBurst: Scenario = {
  id: 'throttle-burst',
  title: 'After a quiet spell, a spike is admitted up to the burst, then at the plan rate',
  kind: 'throttle',
  idleBefore: '2s',
  load: {
    executor: 'ramping-arrival-rate',
    startRate: 600,
    timeUnit: '1s',
    stages: [
      { target: 600, duration: '500ms' },
      { target: 400, duration: '1ms' },
      { target: 400, duration: '9499ms' },
    ],
    preAllocatedVUs: 100,
    maxVUs: 200,
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

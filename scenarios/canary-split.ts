import type { Scenario } from '../src/load/scenario.js';

/**
 * A canary at 10 % under a steady arrival rate: the share of requests its deployment served,
 * counted at the probe by the deployment id each request carried, with a 99 % Wilson interval that
 * must contain the declared share; latency per channel (`tag:canary`, `tag:stage`).
 */
export const canarySplit: Scenario = {
  id: 'canary-split',
  title: "A canary at 10 % serves 10 % of the stage's requests, proven at the probe",
  kind: 'canary',
  load: {
    executor: 'constant-arrival-rate',
    rate: 200,
    timeUnit: '1s',
    duration: '10s',
    preAllocatedVUs: 20,
    maxVUs: 50,
  },
  requests: [{ route: 'release' }],
  // Latency is kept per channel (tag:canary, tag:stage) and reported, not bounded: a shared
  // machine's p99 says nothing about the canary.
  thresholds: { http_req_failed: ['rate<0.01'] },
  // The declared share must lie inside the measured 99 % interval.
  checks: { 'canary.share': 'within(declared, 0%)' },
  maxRequests: 2500,
  options: { canaryPercent: 10 },
};

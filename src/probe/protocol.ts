/**
 * The probe's wire protocol, shared by the probe, the gateways that proxy to it and the suites
 * that read its counters. The probe counts by route and by nonce so each case can prove, at the
 * origin, whether its own requests arrived.
 */
export const PROBE_COUNTERS_PATH = '/__probe/counters';
/** Query parameter carrying a case's unique value; the probe counts requests by it. */
export const NONCE_PARAM = 'gpn';
/** The same nonce as a header, for requests whose query is part of a cache key. */
export const NONCE_HEADER = 'x-gp-nonce';
/** Ask the probe to wait this many milliseconds before answering. */
export const DELAY_HEADER = 'x-gp-delay-ms';
/** Ask the probe to answer with this status instead of 200. */
export const STATUS_HEADER = 'x-gp-status';

export interface ProbeCounters {
  total: number;
  routes: Record<string, number>;
  nonce?: string;
  count?: number;
}

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
  /**
   * The nonce's requests by `route` and tag (`route#tag` when a request carried TAG_HEADER):
   * which integration URI, and which deployment, each request of a case reached.
   */
  seen?: Record<string, number>;
}
/**
 * A label the integration attaches to a request (a release's deployment id, say), counted with
 * the route per nonce so a case proves at the origin which deployment served it.
 */
export const TAG_HEADER = 'x-gp-tag';
/** Ask the probe to add a `pad` string of this many bytes, so caches see a response of a chosen size. */
export const PAD_HEADER = 'x-gp-pad-bytes';
/** Ask the probe to add a response header, written `Name: value` (a Vary the gateway must extend, say). */
export const SET_HEADER = 'x-gp-set-header';
/** The echo's version, also as a header, so a cache hit shows without parsing the body. */
export const VERSION_HEADER = 'x-gp-version';

/** What the probe answers to every request (schema `Echo` in the contract). */
export interface Echo {
  version: number;
  route: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  nonce?: string;
  pad?: string;
}

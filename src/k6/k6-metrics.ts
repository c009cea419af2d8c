/**
 * The names a gateproof k6 script and `gateproof k6 ingest` agree on (k6/lib/gateproof.ts writes
 * them). k6 cannot tag http_req_duration after a response arrives, so the engine's cache-hit
 * histograms (`tag:hit`, `tag:miss`) travel as a separate trend tagged `cache`.
 */
export const CACHE_LATENCY_METRIC = 'gateproof_cache_latency';
export const CACHE_TAG = 'cache';

/**
 * What a WebSocket script reports: k6/ws's own connecting time, session length and message counts,
 * and k6/lib/websocket.ts's trends and rate, named as the engine's thresholds name them.
 */
export const WS_METRICS = [
  'ws_connecting',
  'ws_session_duration',
  'ws_msgs_sent',
  'ws_msgs_received',
  'ws_roundtrip',
  'ws_push',
  'ws_connect_failed',
];

const SELECTOR = /^([a-z_]+)\{\s*([A-Za-z0-9_-]+)\s*:\s*([^{}]+?)\s*\}$/;

/**
 * An engine threshold key in k6's terms: `http_req_duration{tag:hit}` is the cache trend's
 * `{cache:hit}`; a status class (`{status:2xx}`) has no k6 spelling, since k6 tags the exact code.
 */
export function toK6ThresholdKey(key: string): string {
  const m = SELECTOR.exec(key.trim());
  if (!m) return key;
  const [, metric, tag, value] = m;
  if (metric === 'http_req_duration' && tag === 'tag')
    return `${CACHE_LATENCY_METRIC}{${CACHE_TAG}:${value}}`;
  if (tag === 'status' && !/^\d{3}$/.test(value as string)) {
    throw new Error(`threshold '${key}': k6 tags exact status codes, so a status class cannot be selected`);
  }
  return key;
}

/** The engine's name for a k6 threshold key: the inverse of toK6ThresholdKey. */
export function fromK6ThresholdKey(key: string): string {
  const m = SELECTOR.exec(key.trim());
  if (m && m[1] === CACHE_LATENCY_METRIC && m[2] === CACHE_TAG) return `http_req_duration{tag:${m[3]}}`;
  return key;
}

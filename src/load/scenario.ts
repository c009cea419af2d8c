/**
 * A load scenario is plain data, so the same object runs on the built-in engine (one machine) and
 * exports to a k6 script (many machines). Option names follow k6's executors on purpose: a reader
 * who knows k6 reads a scenario without a glossary.
 */

export type Executor =
  | {
      executor: 'constant-arrival-rate';
      rate: number;
      /** k6 duration string: '1s', '500ms', '1m'. */
      timeUnit?: string;
      duration: string;
      preAllocatedVUs: number;
      maxVUs?: number;
    }
  | {
      executor: 'ramping-arrival-rate';
      startRate: number;
      timeUnit?: string;
      stages: { target: number; duration: string }[];
      preAllocatedVUs: number;
      maxVUs?: number;
    }
  | { executor: 'constant-vus'; vus: number; duration: string };

/** Which of the target profile's routes and keys a request uses; resolved against a target at run time. */
export interface RequestTemplate {
  /** A role from the profile's `routes` (e.g. 'throttled', 'cached'). */
  route:
    | 'open'
    | 'keyed'
    | 'quota'
    | 'throttled'
    | 'iam'
    | 'jwt'
    | 'authorizer'
    | 'cached'
    | 'cachedShort'
    /** `GET /release` on the main stage of the profile's `release` API (canary scenarios). */
    | 'release';
  method?: 'GET' | 'POST' | 'HEAD';
  /** Which profile API key to send: 'valid' | 'other' | none. */
  apiKey?: 'valid' | 'other';
  headers?: Record<string, string>;
  /** Query parameters; a value may use a generator (see `keys`). */
  query?: Record<string, string>;
  /**
   * Cache-key generator for the `id` query parameter: a Zipf distribution over `count` keys with
   * exponent `s`, so a few keys are hot and most are cold, as real traffic is.
   */
  keys?: { param: string; distribution: 'zipf' | 'uniform'; count: number; s?: number };
  /** Tag attached to the request's metrics (k6 tags; histograms split by them). */
  tags?: Record<string, string>;
  /** Share of the traffic this template gets when a scenario has several (weights). */
  weight?: number;
  /**
   * What the requests of this template stand for in the findings. `invalidator`: they refresh the
   * cache entry (send `Cache-Control: max-age=0` in `headers`) and are authorized as the profile's
   * cache invalidator (SigV4 with `cache.invalidator` or `sigv4`, or `cache.invalidationHeaders`);
   * the others read. `victim`: a well-behaved key beside a flooding one; its own admitted rate is
   * reported, and it is left out of the token-bucket inference.
   */
  role?: 'invalidator' | 'victim';
}

export interface ScenarioOptions {
  /**
   * The rates of `load` are written for a throttle of this many requests/s; against a target
   * declaring `plans.throttled`, the runner scales them (and `maxRequests`) so the offered load
   * keeps its ratio to the limit. Without a declared plan they run as written.
   */
  planRate?: number;
  /** Count origin requests per cache key at the probe (a nonce per key), for stampede findings. */
  originPerKey?: boolean;
  /**
   * A canary scenario's release: a canary of the draft API is deployed to the release API's main
   * stage with this percentTraffic before the run, and removed after it.
   */
  canaryPercent?: number;
}

/**
 * What each connection of a WebSocket scenario does once open. The scenario's executor (an
 * arrival-rate one) says when connections open, as k6's says when iterations start: one iteration
 * is one connection, so `maxVUs` bounds the connections open at once.
 */
export interface WebSocketSession {
  /**
   * How long the connections are held together once the last has arrived (k6 duration string):
   * every connection closes at the end of the arrivals plus `hold`, however late it opened.
   */
  hold: string;
  /** Round-trip messages each connection sends per second, to route `echo`. */
  messagesPerSecond: number;
  /** Pushes through the @connections API per second, each to one open connection. */
  pushesPerSecond: number;
}

export interface Scenario {
  id: string;
  title: string;
  /** What the scenario measures: drives which findings are computed. */
  kind: 'throttle' | 'cache' | 'latency' | 'websocket' | 'canary';
  /** A start-up step before the timed part: idle time, warm-up requests. */
  idleBefore?: string;
  load: Executor;
  /** HTTP requests; empty for a WebSocket scenario. */
  requests: RequestTemplate[];
  /** A WebSocket scenario's connections (kind `websocket`), against the profile's `websocket` API. */
  websocket?: WebSocketSession;
  /** k6 threshold syntax, keyed by metric: { 'http_req_duration': ['p(99)<250'] }. */
  thresholds?: Record<string, string[]>;
  /**
   * Findings judged against what the target declares, one expression per finding:
   * { 'throttle.burst': 'within(declared, 10%)' } (see src/load/finding-checks.ts). A profile's
   * `checks` section overrides them per scenario. The engine's own; k6 scripts do not carry them.
   */
  checks?: Record<string, string>;
  /** Statuses counted as expected (k6's expectedStatuses); 429 is expected in throttle runs. */
  expectedStatuses?: { min: number; max: number; extra?: number[] };
  /** Hard bounds the engine enforces whatever the executor says. */
  maxRequests?: number;
  options?: ScenarioOptions;
}

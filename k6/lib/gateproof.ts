/**
 * The runtime of the scripts `gateproof k6 export` writes: it resolves a scenario's request
 * templates against the target described by environment variables, sends them, and tags cache hits
 * the way gateproof's engine does. Targets k6 v1.0 or later (TypeScript runs natively, no build
 * step). Nothing secret is ever written into a script: keys come from the environment at run time.
 */
import { hmac, sha256 } from 'k6/crypto';
import exec from 'k6/execution';
import http from 'k6/http';
import { Rate, Trend } from 'k6/metrics';
import type { Scenario } from 'k6/options';

/** A route role of the target profile; its path comes from GATEPROOF_ROUTE_<ROLE> or the profile's default. */
export type Route = 'open' | 'keyed' | 'quota' | 'throttled' | 'cached' | 'cachedShort' | 'release';

/** gateproof's RequestTemplate (src/load/scenario.ts), restricted to what a k6 script can send. */
export interface Template {
  route: Route;
  method?: 'GET' | 'POST' | 'HEAD';
  apiKey?: 'valid' | 'other';
  headers?: Record<string, string>;
  query?: Record<string, string>;
  keys?: { param: string; distribution: 'zipf' | 'uniform'; count: number; s?: number };
  tags?: Record<string, string>;
  weight?: number;
  role?: 'invalidator' | 'victim';
}

export interface SendOptions {
  /** Tag 2xx responses hit or miss by the origin version they echo (cache scenarios). */
  tagCacheHits: boolean;
  /** Send each cache key as the probe's nonce too, so the origin counts requests per key. */
  originPerKey: boolean;
  /** Tag 2xx responses canary or stage by the deployment id the probe echoes (canary scenarios). */
  tagChannel?: boolean;
}

const ROUTES: Record<Route, { variable: string; path: string }> = {
  open: { variable: 'GATEPROOF_ROUTE_OPEN', path: '/open' },
  keyed: { variable: 'GATEPROOF_ROUTE_KEYED', path: '/keyed' },
  quota: { variable: 'GATEPROOF_ROUTE_QUOTA', path: '/quota' },
  throttled: { variable: 'GATEPROOF_ROUTE_THROTTLED', path: '/throttled' },
  cached: { variable: 'GATEPROOF_ROUTE_CACHED', path: '/cached' },
  cachedShort: { variable: 'GATEPROOF_ROUTE_CACHED_SHORT', path: '/cached-short' },
  release: { variable: 'GATEPROOF_ROUTE_RELEASE', path: '/release' },
};

const API_KEY_VARIABLES = { valid: 'GATEPROOF_API_KEY', other: 'GATEPROOF_API_KEY_OTHER' } as const;

/**
 * Latency of 2xx responses tagged `cache: hit|miss`, and the share of hits. k6 cannot add a tag to
 * http_req_duration once a response is in, so the tag lives on these metrics; `gateproof k6 ingest`
 * reads them back as the engine's `tag:hit` and `tag:miss` histograms.
 */
export const cacheLatency = new Trend('gateproof_cache_latency', true);
export const cacheHits = new Rate('gateproof_cache_hit');

/**
 * Latency of 2xx responses of a canary scenario tagged `channel: canary|stage`, and the share the
 * canary served as the responses tell it. The share that decides is counted at the probe (its
 * counters for the nonce gp-<GATEPROOF_RUN_TAG>-release, by deployment), never from responses.
 */
export const channelLatency = new Trend('gateproof_channel_latency', true);
export const canaryShare = new Rate('gateproof_canary_share');

export function env(name: string): string | undefined {
  const value = __ENV[name];
  return value === undefined || value === '' ? undefined : value;
}

/** A missing variable ends the whole test with one line, rather than failing every iteration. */
export function required(name: string, why: string): string {
  const value = env(name);
  if (value === undefined) exec.test.abort(`${name} is not set: it gives ${why}`);
  return value as string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function durationMs(text: string): number {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g))
    ms += Number(n) * (UNIT_MS[unit as string] ?? 0);
  return ms;
}

/**
 * The scenario fitted to the target's plan, as gateproof's engine fits it (src/load/fit-scenario.ts):
 * rates written for `planRate` scale to GATEPROOF_PLAN_RATE, so "twice the plan's rate" stays
 * twice whatever the plan; a throttle run starts once a bucket of GATEPROOF_PLAN_BURST has refilled.
 * Without GATEPROOF_PLAN_RATE the scenario runs as written.
 */
export function fitToPlan<S extends Scenario>(
  scenario: S,
  written: { planRate?: number; throttle: boolean },
): S {
  const rate = Number(env('GATEPROOF_PLAN_RATE'));
  if (!(rate > 0)) return scenario;
  const factor = written.planRate && written.planRate > 0 ? rate / written.planRate : 1;
  const vus = (n: number) => Math.ceil(n * Math.max(1, factor));
  const fitted: Scenario = { ...scenario };
  if (fitted.executor === 'constant-arrival-rate') {
    fitted.rate = fitted.rate * factor;
  } else if (fitted.executor === 'ramping-arrival-rate') {
    fitted.startRate = (fitted.startRate ?? 0) * factor;
    fitted.stages = fitted.stages.map((stage) => ({ ...stage, target: stage.target * factor }));
  }
  if (fitted.executor === 'constant-arrival-rate' || fitted.executor === 'ramping-arrival-rate') {
    fitted.preAllocatedVUs = vus(fitted.preAllocatedVUs);
    if (fitted.maxVUs !== undefined) fitted.maxVUs = vus(fitted.maxVUs);
  }
  const burst = Number(env('GATEPROOF_PLAN_BURST'));
  if (written.throttle && burst > 0) {
    const refillMs = Math.min(30_000, Math.ceil((1.5 * 1000 * burst) / rate));
    if (refillMs > durationMs(fitted.startTime ?? '0s')) fitted.startTime = `${refillMs}ms`;
  }
  return fitted as S;
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function queryString(params: readonly [string, string][]): string {
  return params.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

export type Sign = (
  url: string,
  params: readonly [string, string][],
  headers: Record<string, string>,
  method?: string,
  body?: string,
) => void;

/**
 * SigV4 (header form) for execute-api: host and the x-amz-* headers signed, a GET with an empty
 * payload unless told otherwise. The same canonical form as the aws4 signer the engine uses, for
 * the ASCII paths gateproof sends.
 */
export function sigV4(
  accessKeyId: string,
  secretAccessKey: string,
  region: string,
  sessionToken?: string,
): Sign {
  return (url, params, headers, method = 'GET', body = '') => {
    const parts = /^https?:\/\/([^/?#]+)([^?#]*)/.exec(url);
    if (!parts) exec.test.abort(`GATEPROOF_BASE_URL does not make an absolute URL: ${url}`);
    const host = (parts as RegExpExecArray)[1] as string;
    const path = (parts as RegExpExecArray)[2] || '/';
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const day = amzDate.slice(0, 8);
    const signed: [string, string][] = [
      ['host', host],
      ['x-amz-date', amzDate],
      ...(sessionToken ? [['x-amz-security-token', sessionToken] as [string, string]] : []),
    ];
    const query = params
      .map(([k, v]): [string, string] => [encode(k), encode(v)])
      .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonical = [
      method,
      // execute-api encodes the path as it travels once more (a connection id's %3D is signed as %253D).
      path
        .split('/')
        .map((segment) => encode(segment))
        .join('/'),
      query,
      signed.map(([name, value]) => `${name}:${value}\n`).join(''),
      signed.map(([name]) => name).join(';'),
      sha256(body, 'hex'),
    ].join('\n');
    const scope = `${day}/${region}/execute-api/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical, 'hex')}`;
    let key: string | ArrayBuffer = `AWS4${secretAccessKey}`;
    for (const part of [day, region, 'execute-api', 'aws4_request'])
      key = hmac('sha256', key, part, 'binary');
    const signature = hmac('sha256', key, toSign, 'hex');
    for (const [name, value] of signed.slice(1)) headers[name] = value;
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signed.map(([n]) => n).join(';')}, Signature=${signature}`;
  };
}

/**
 * What makes an invalidator's `Cache-Control: max-age=0` authorized, by the target's means: extra
 * headers (GATEPROOF_INVALIDATION_HEADERS, a JSON object; `{}` when the gateway asks for nothing),
 * or SigV4 with credentials allowed `execute-api:InvalidateCache`.
 */
function invalidatorAuth(): Sign {
  const extra = env('GATEPROOF_INVALIDATION_HEADERS');
  if (extra !== undefined) {
    const headers = JSON.parse(extra) as Record<string, string>;
    return (_url, _params, out) => Object.assign(out, headers);
  }
  const why = 'the cache invalidator (or set GATEPROOF_INVALIDATION_HEADERS)';
  return sigV4(
    required('GATEPROOF_INVALIDATOR_ACCESS_KEY_ID', why),
    required('GATEPROOF_INVALIDATOR_SECRET_ACCESS_KEY', why),
    required('GATEPROOF_INVALIDATOR_REGION', why),
    env('GATEPROOF_INVALIDATOR_SESSION_TOKEN'),
  );
}

interface Resolved {
  method: string;
  url: string;
  query: [string, string][];
  headers: Record<string, string>;
  tags: Record<string, string>;
  keys?: { param: string; cdf: number[] };
  sign?: Sign;
}

/** Cumulative weights of key indexes 0..count-1 (0 the hottest): Zipf with exponent s, or uniform. */
function keyCdf(keys: NonNullable<Template['keys']>): number[] {
  const cdf: number[] = [];
  let total = 0;
  for (let k = 0; k < keys.count; k++) {
    total += keys.distribution === 'zipf' ? 1 / (k + 1) ** (keys.s ?? 1) : 1;
    cdf.push(total);
  }
  return cdf;
}

function drawKey(cdf: readonly number[]): number {
  const u = Math.random() * (cdf[cdf.length - 1] as number);
  let low = 0;
  let high = cdf.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cdf[mid] as number) < u) low = mid + 1;
    else high = mid;
  }
  return low;
}

function resolve(template: Template): Resolved {
  const release = template.route === 'release';
  const base = (
    release
      ? required('GATEPROOF_RELEASE_URL', "the release API's invoke URL")
      : required('GATEPROOF_BASE_URL', "the gateway's base URL")
  ).replace(/\/+$/, '');
  const stage = release
    ? required('GATEPROOF_RELEASE_STAGE', 'the stage whose canary is measured')
    : env('GATEPROOF_STAGE');
  const route = ROUTES[template.route];
  const path = env(route.variable) ?? route.path;
  const headers: Record<string, string> = { ...template.headers };
  if (template.apiKey) {
    headers['x-api-key'] = required(API_KEY_VARIABLES[template.apiKey], `the '${template.apiKey}' API key`);
  }
  return {
    method: template.method ?? 'GET',
    url: `${base}${stage ? `/${stage}` : ''}${path}`,
    query: [
      ...Object.entries(template.query ?? {}),
      // One nonce for the run's release requests: the probe counts them by deployment.
      ...(release ? [['gpn', `gp-${env('GATEPROOF_RUN_TAG') ?? 'k6'}-release`] as [string, string]] : []),
    ],
    headers,
    // `name` groups every key of a route under one URL, as k6 advises for generated URLs.
    tags: { name: `${template.route} ${path}`, ...template.tags },
    ...(template.keys && { keys: { param: template.keys.param, cdf: keyCdf(template.keys) } }),
    ...(template.role === 'invalidator' && { sign: invalidatorAuth() }),
  };
}

/** Where the i-th iteration falls in [0, 1): a golden-ratio sequence spreads each template evenly by its weight. */
function pick(templates: readonly Template[], resolved: readonly Resolved[], iteration: number): Resolved {
  const total = templates.reduce((sum, t) => sum + (t.weight ?? 1), 0);
  const position = ((iteration * 0.6180339887498949) % 1) * total;
  let sum = 0;
  for (let i = 0; i < templates.length; i++) {
    sum += (templates[i] as Template).weight ?? 1;
    if (position < sum) return resolved[i] as Resolved;
  }
  return resolved[resolved.length - 1] as Resolved;
}

/**
 * Resolved on a VU's first iteration, not in the init context: `k6 archive` and k6-operator's
 * initializer run the init code without the target's variables.
 */
let resolvedTemplates: Resolved[] | undefined;

/** The highest origin version this VU has seen: the probe never hands out a version twice. */
let highestVersion = 0;

function echoedVersion(headers: Record<string, string>, body: unknown): number | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'x-gp-version') return Number(value);
  }
  const match = typeof body === 'string' ? /"version"\s*:\s*(\d+)/.exec(body) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * A fresh answer to a request sent after this VU saw version V carries a version above V, so a
 * version at or below V can only come from a cache. A hit first served to another VU may pass for
 * a miss: the hit count is a lower bound, never an overcount.
 */
function tagCache(version: number, durationMs: number, tags: Record<string, string>): void {
  const hit = version <= highestVersion;
  if (version > highestVersion) highestVersion = version;
  cacheLatency.add(durationMs, { ...tags, cache: hit ? 'hit' : 'miss' });
  cacheHits.add(hit, tags);
}

/** Cache keys are shared by every VU and runner of a run; a new GATEPROOF_RUN_TAG starts from a cold cache. */
function keyValue(k: number): string {
  return `gp-${env('GATEPROOF_RUN_TAG') ?? 'k6'}-${k}`;
}

/** One iteration: one request from the weighted templates. */
export function send(templates: readonly Template[], options: SendOptions): void {
  resolvedTemplates ??= templates.map(resolve);
  const r = pick(templates, resolvedTemplates, exec.scenario.iterationInTest);
  const headers = { ...r.headers };
  const params = [...r.query];
  if (r.keys) {
    const key = keyValue(drawKey(r.keys.cdf));
    params.push([r.keys.param, key]);
    if (options.originPerKey) headers['x-gp-nonce'] = key;
  }
  r.sign?.(r.url, params, headers);
  const query = queryString(params);
  const response = http.request(r.method, query ? `${r.url}?${query}` : r.url, null, {
    headers,
    tags: r.tags,
    timeout: env('GATEPROOF_TIMEOUT') ?? '10s',
    // Bodies are only kept when the echoed version may have to be read from them.
    responseType: options.tagCacheHits || options.tagChannel ? 'text' : 'none',
  });
  if (response.status < 200 || response.status >= 300) return;
  if (options.tagChannel) {
    const canary = required('GATEPROOF_CANARY_DEPLOYMENT', "the canary's deployment id");
    const served = typeof response.body === 'string' && response.body.includes(`"x-gp-tag":"${canary}"`);
    channelLatency.add(response.timings.duration, { ...r.tags, channel: served ? 'canary' : 'stage' });
    canaryShare.add(served, r.tags);
  }
  if (!options.tagCacheHits) return;
  const version = echoedVersion(response.headers, response.body);
  if (version !== undefined && Number.isSafeInteger(version))
    tagCache(version, response.timings.duration, r.tags);
}

import type { ApiKey } from './config.js';
import { gatewayResponse } from './gateway-responses.js';
import type { RequestContext, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

const API_KEY_HEADER = 'x-api-key';

/** The stage's API keys, found by value. */
export class ApiKeys {
  private readonly byValue = new Map<string, ApiKey>();
  private readonly byLowerCaseValue = new Map<string, ApiKey>();

  constructor(keys: readonly ApiKey[]) {
    for (const key of keys) {
      this.byValue.set(key.value, key);
      this.byLowerCaseValue.set(key.value.toLowerCase(), key);
    }
  }

  find(value: string): ApiKey | undefined {
    return this.byValue.get(value);
  }

  /** Key values are case-sensitive; only faults look them up this way. */
  findIgnoringCase(value: string): ApiKey | undefined {
    return this.byLowerCaseValue.get(value.toLowerCase());
  }

  /** A scan over every key, as the near-miss faults compare them. */
  findWhere(matches: (stored: string) => boolean): ApiKey | undefined {
    for (const [value, key] of this.byValue) if (matches(value)) return key;
    return undefined;
  }
}

/** AWS's shortest API key; the prefix fault never matches anything shorter. */
const MIN_KEY_LENGTH = 20;
/** The width the truncating fault compares, shorter than AWS's 40-character keys. */
const COMPARED_WIDTH = 32;

/** The key a presented value names: exactly one, by its whole value, or as a near-miss fault has it. */
function lookUp(gw: GatewayRuntime, value: string): ApiKey | undefined {
  switch (gw.fault) {
    case 'apikey-prefix-match':
      return value.length >= MIN_KEY_LENGTH
        ? gw.keys.findWhere((stored) => stored.startsWith(value))
        : undefined;
    case 'apikey-compared-truncated':
      return value.length >= COMPARED_WIDTH
        ? gw.keys.findWhere((stored) => stored.slice(0, COMPARED_WIDTH) === value.slice(0, COMPARED_WIDTH))
        : undefined;
    case 'apikey-case-insensitive':
      return gw.keys.findIgnoringCase(value);
    case 'apikey-url-decoded':
      return gw.keys.find(safeDecode(value));
    case 'apikey-trimmed':
      return gw.keys.find(value.trim());
    default:
      return gw.keys.find(value);
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A method with `apiKeyRequired` admits a caller only with a key that exists, is enabled and is
 * in a usage plan for this stage. Every refusal looks the same (403 Forbidden), so a caller
 * learns nothing about which keys exist.
 */
export function apiKeyStep(gw: GatewayRuntime): Step {
  const { fault } = gw;
  const forbidden = () => gatewayResponse('INVALID_API_KEY');
  return (ctx, next) => {
    const route = ctx.route!;
    const value = presentedKey(ctx, gw);
    if (!route.apiKeyRequired) {
      if (fault === 'quota-open-route-charged' && value) chargeOpenRoute(gw, value);
      if (fault === 'open-route-requires-key' && !(value && gw.keys.find(value))) return forbidden();
      return next();
    }
    if (fault === 'apikey-empty-accepted' && value === '') return next();
    if (fault === 'apikey-missing-accepted' && value === undefined) return next();
    if (fault === 'apikey-unknown-accepted' && value && !gw.keys.find(value)) return next();
    if (fault === 'quota-charged-before-auth' && value) ctx.quotaChargedEarly = chargeBeforeAuth(gw, value);
    const key = value ? lookUp(gw, value) : undefined;
    if (!key || (!key.enabled && fault !== 'apikey-disabled-accepted')) return forbidden();
    const plan = gw.plans.planFor(key, gw.stage, fault === 'apikey-any-stage');
    if (!plan) return forbidden();
    ctx.apiKey = key;
    ctx.plan = plan;
    return next();
  };
}

/** The key the caller sent: the `x-api-key` header, whatever the case of its name (source HEADER). */
function presentedKey(ctx: RequestContext, gw: GatewayRuntime): string | undefined {
  const { fault } = gw;
  let value =
    fault === 'apikey-header-case-sensitive'
      ? exactRawHeader(ctx.rawHeaders, API_KEY_HEADER)
      : single(ctx.headers[API_KEY_HEADER]);
  // Repeated headers arrive joined; the faults pick one of them instead of refusing the lot.
  const repeated = rawValues(ctx.rawHeaders, API_KEY_HEADER);
  if (repeated.length > 1 && fault === 'apikey-last-of-repeated') value = repeated.at(-1);
  if (repeated.length > 1 && fault === 'apikey-any-of-repeated') {
    value = repeated.find((candidate) => gw.keys.find(candidate)) ?? value;
  }
  if (value === undefined && fault === 'apikey-query-accepted') {
    value = ctx.query.get('x-api-key') ?? ctx.query.get('api_key') ?? undefined;
  }
  if (value === undefined && fault === 'apikey-alternate-headers') {
    value = single(ctx.headers.apikey ?? ctx.headers['x-apikey'] ?? ctx.headers['api-key']);
  }
  return value;
}

function rawValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  }
  return values;
}

function exactRawHeader(rawHeaders: readonly string[], name: string): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i] === name) return rawHeaders[i + 1];
  }
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function chargeOpenRoute(gw: GatewayRuntime, value: string): void {
  const key = gw.keys.find(value);
  const plan = key?.enabled ? gw.plans.planFor(key, gw.stage) : undefined;
  if (key && plan?.quota) gw.plans.chargeQuota(key, plan, gw.clock.now());
}

function chargeBeforeAuth(gw: GatewayRuntime, value: string): boolean | undefined {
  const key = gw.keys.findIgnoringCase(value);
  const plan = key ? gw.plans.planFor(key, gw.stage) : undefined;
  return key && plan?.quota ? gw.plans.chargeQuota(key, plan, gw.clock.now()) : undefined;
}

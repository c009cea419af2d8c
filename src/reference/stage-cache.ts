import type { ApiMethod } from './api-model.js';
import type { CacheConfig, CacheMethodSetting, UnauthorizedStrategy } from './cache-config.js';
import type { FaultName } from './faults.js';
import type { Reply, RequestContext } from './pipeline.js';

/** API Gateway does not cache a response over 1 MiB. */
export const MAX_CACHED_BODY_BYTES = 1024 * 1024;

export interface MethodCacheSettings {
  enabled: boolean;
  ttlSeconds: number;
  requireAuthorization: boolean;
  strategy: UnauthorizedStrategy;
}

interface Entry {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  expiresAt: number;
  bytes: number;
}

/**
 * The stage's cache: what each method's settings make of it, the key of a request, and the
 * entries, kept within a byte budget (oldest out first).
 */
export class StageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** Under a fault, the shortest per-method TTL leaks to the methods that set none. */
  private readonly leakedTtl: number | undefined;

  constructor(
    readonly config: CacheConfig,
    private readonly fault: FaultName | undefined,
  ) {
    const ttls = Object.values(config.methodSettings)
      .map((s) => s.cacheTtlInSeconds)
      .filter((t): t is number => t !== undefined && t > 0);
    this.leakedTtl = fault === 'cache-method-ttl-stage-wide' && ttls.length ? Math.min(...ttls) : undefined;
  }

  settingsFor(route: ApiMethod): MethodCacheSettings {
    const { config, fault } = this;
    // The fault: POST is looked up as if it were GET, so it is cached like GET.
    const httpMethod =
      fault === 'cache-post-cached' && route.httpMethod === 'POST' ? 'GET' : route.httpMethod;
    const own: CacheMethodSetting = config.methodSettings[`${route.resourcePath}/${httpMethod}`] ?? {};
    const all: CacheMethodSetting = config.methodSettings['*/*'] ?? {};
    let ttlSeconds =
      own.cacheTtlInSeconds ?? this.leakedTtl ?? all.cacheTtlInSeconds ?? config.cacheTtlInSeconds;
    // The fault: a TTL of 0 read as "not set", so the default applies.
    if (ttlSeconds === 0 && fault === 'cache-ttl-zero-default') ttlSeconds = 300;
    return {
      enabled: (own.cachingEnabled ?? all.cachingEnabled ?? httpMethod === 'GET') && ttlSeconds > 0,
      ttlSeconds,
      requireAuthorization:
        own.requireAuthorizationForCacheControl ??
        all.requireAuthorizationForCacheControl ??
        config.requireAuthorizationForCacheControl,
      strategy:
        own.unauthorizedCacheControlHeaderStrategy ??
        all.unauthorizedCacheControlHeaderStrategy ??
        config.unauthorizedCacheControlHeaderStrategy,
    };
  }

  /** The method's namespace and the values of its cache-key parameters: nothing else splits entries. */
  key(ctx: RequestContext, route: ApiMethod): string {
    const { fault } = this;
    const parts: (string | null)[] = [
      route.integration.cacheNamespace ?? route.resourcePath,
      route.httpMethod,
    ];
    if (fault !== 'cache-key-ignores-param') {
      for (const parameter of route.integration.cacheKeyParameters)
        parts.push(parameterValue(ctx, parameter, fault));
    }
    if (fault === 'cache-key-whole-query') parts.push(ctx.rawQuery);
    if (fault === 'cache-key-includes-authorization') parts.push(String(ctx.headers.authorization ?? ''));
    const key = JSON.stringify(parts);
    return fault === 'cache-key-case-insensitive' ? key.toLowerCase() : key;
  }

  get(key: string, now: number): Reply | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.remove(key, entry);
      return undefined;
    }
    return { status: entry.status, headers: { ...entry.headers }, body: entry.body };
  }

  /** Stores a successful answer of at most 1 MiB; anything else is passed on uncached. */
  put(key: string, reply: Reply, now: number, ttlSeconds: number): void {
    const { fault } = this;
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
    const success = reply.status >= 200 && reply.status < 300;
    // The faults: errors cached like successes, or all but the server's own.
    const cachedAnyway =
      fault === 'cache-errors-cached' || (fault === 'cache-client-errors-cached' && reply.status < 500);
    if (!success && !cachedAnyway) return;
    if (body.length > MAX_CACHED_BODY_BYTES && fault !== 'cache-size-limit-ignored') return;
    const bytes = body.length + JSON.stringify(reply.headers).length + key.length;
    if (bytes > this.config.maxBytes) return;
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    for (const [oldest, entry] of this.entries) {
      if (this.bytes + bytes <= this.config.maxBytes && fault !== 'cache-single-entry') break;
      this.remove(oldest, entry);
    }
    const ttlMs = fault === 'cache-ttl-one-second' ? Math.min(ttlSeconds * 1000, 1000) : ttlSeconds * 1000;
    const expiresAt = fault === 'cache-ttl-ignored' ? Number.POSITIVE_INFINITY : now + ttlMs;
    this.entries.set(key, { status: reply.status, headers: { ...reply.headers }, body, expiresAt, bytes });
    this.bytes += bytes;
  }

  /** Flush the entire stage cache: every next request goes to the integration. */
  flush(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/** `method.request.querystring.id`, `method.request.header.x-tenant`: null when absent, so absent ≠ empty. */
function parameterValue(ctx: RequestContext, parameter: string, fault: FaultName | undefined): string | null {
  const m = /^method\.request\.(querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(
    parameter,
  );
  if (!m) return null;
  const [, where, name] = m as unknown as [string, string, string];
  if (where.endsWith('querystring')) {
    const values = queryValues(ctx, name, fault);
    if (values.length)
      return values.map((v) => (fault === 'cache-key-values-truncated' ? v.slice(0, 64) : v)).join(',');
    // The fault looks the parameter up wherever it may be, as $input.params() does.
    if (fault !== 'cache-key-param-any-location') return null;
  }
  const value = ctx.headers[name.toLowerCase()];
  return value === undefined ? null : [value].flat().join(',');
}

/** The parameter's values as the query holds them, or as the near-miss faults read them. */
function queryValues(ctx: RequestContext, name: string, fault: FaultName | undefined): string[] {
  if (fault === 'cache-key-case-insensitive') {
    return [...ctx.query].filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  }
  if (fault === 'cache-key-plus-not-decoded') {
    // decodeURIComponent leaves "+" as it is, so a space and an encoded plus read the same.
    return ctx.rawQuery
      .split('&')
      .map((pair) => pair.split('=', 2) as [string, string?])
      .filter(([n]) => n === name)
      .map(([, v = '']) => {
        try {
          return decodeURIComponent(v);
        } catch {
          return v;
        }
      });
  }
  return ctx.query.getAll(name);
}

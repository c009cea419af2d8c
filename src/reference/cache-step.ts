import type { IncomingHttpHeaders } from 'node:http';
import type { UnauthorizedStrategy } from './cache-config.js';
import { gatewayResponse } from './gateway-responses.js';
import type { Reply, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/**
 * API Gateway names no header for SUCCEED_WITH_RESPONSE_HEADER; the reference says it with a
 * standard Warning, and the suite looks for any header a plain hit lacks.
 */
const WARNING = '199 - "Cache-Control: max-age=0 ignored: the caller may not invalidate the cache"';

/**
 * The stage cache, just before the integration: a hit never reaches it. `Cache-Control:
 * max-age=0` from an authorized caller refreshes the entry; from anyone else it is refused or
 * ignored, by the method's strategy.
 */
export function cacheStep(gw: GatewayRuntime): Step {
  const { cache, fault } = gw;
  if (!cache) return (_ctx, next) => next();
  return async (ctx, next) => {
    const route = ctx.route!;
    const settings = cache.store.settingsFor(route);
    if (!settings.enabled) return next();
    const key = cache.store.key(ctx, route);
    let warn = false;
    // The fault: a plain HTTP cache's no-cache, honoured from anyone as a refresh.
    if (fault === 'cache-no-cache-refreshes' && asksNoCache(ctx.headers)) {
      const fresh = await next();
      cache.store.put(key, fresh, gw.clock.now(), settings.ttlSeconds);
      return fresh;
    }
    if (asksInvalidation(ctx.headers)) {
      const authorized =
        !settings.requireAuthorization ||
        fault === 'cache-invalidation-unauthenticated' ||
        cache.authority.mayInvalidate(ctx, route);
      if (authorized && fault !== 'cache-invalidation-ignored') {
        const fresh = await next();
        if (fault !== 'cache-invalidation-not-stored') {
          cache.store.put(key, fresh, gw.clock.now(), settings.ttlSeconds);
        }
        return fresh;
      }
      if (!authorized) {
        const strategy: UnauthorizedStrategy =
          fault === 'cache-strategy-fail-ignored' && settings.strategy === 'FAIL_WITH_403'
            ? 'SUCCEED_WITH_RESPONSE_HEADER'
            : settings.strategy;
        if (strategy === 'FAIL_WITH_403') return gatewayResponse('ACCESS_DENIED');
        warn =
          strategy === 'SUCCEED_WITH_RESPONSE_HEADER'
            ? fault !== 'cache-invalidation-no-warning'
            : fault === 'cache-silent-warns';
      }
    }
    let reply = cache.store.get(key, gw.clock.now());
    if (!reply) {
      reply = await next();
      cache.store.put(key, reply, gw.clock.now(), settings.ttlSeconds);
    }
    return warn ? { ...reply, headers: { ...reply.headers, warning: WARNING } } : reply;
  };
}

/** The control plane's FlushStageCache, answered 202 Accepted as AWS does. */
export function cacheFlushStep(gw: GatewayRuntime): Step {
  const { cache } = gw;
  if (!cache) return (_ctx, next) => next();
  return (ctx, next) => {
    if (ctx.path !== cache.authority.flushPath) return next();
    if (ctx.httpMethod !== 'DELETE') return gatewayResponse('MISSING_AUTHENTICATION_TOKEN');
    const verdict =
      gw.fault === 'cache-flush-unauthenticated' ? ({ ok: true } as const) : cache.authority.mayFlush(ctx);
    if (!verdict.ok) {
      return {
        status: verdict.status,
        headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': verdict.errorType },
        body: JSON.stringify({ message: verdict.message }),
      } satisfies Reply;
    }
    if (gw.fault !== 'cache-flush-ignored') cache.store.flush();
    return { status: 202, headers: { 'content-type': 'application/json' }, body: '' };
  };
}

function asksNoCache(headers: IncomingHttpHeaders): boolean {
  const directives = [headers['cache-control'] ?? [], headers.pragma ?? []].flat().join(',').toLowerCase();
  return directives.split(',').some((directive) => directive.trim() === 'no-cache');
}

function asksInvalidation(headers: IncomingHttpHeaders): boolean {
  const value = [headers['cache-control'] ?? []].flat().join(',');
  return value
    .toLowerCase()
    .split(',')
    .some((directive) => directive.trim().replace(/\s*=\s*/, '=') === 'max-age=0');
}

import { checked, checkedHeaderName, checkedSecret } from '../config-values.js';
import { CACHE_WARNING, CACHED_ROLES } from '../gateway-routes.js';
import type { Profile } from '../profile-schema.js';
import { gatewayReturn, matchesAny, section } from './haproxy-syntax.js';

type Cache = NonNullable<Profile['cache']>;

/** API Gateway's limit: a larger answer is passed through, never cached. */
const MAX_OBJECT_BYTES = 1024 * 1024;
const REFRESH = '{ var(txn.gp_cache_refresh) -m bool }';
const INVALIDATOR = '{ var(txn.gp_invalidator) -m bool }';
const UNAUTHORIZED = '{ var(txn.gp_cache_unauthorized) -m bool }';

const cacheName = (role: string) => `gp_cache_${role}`;

/** The roles the cache serves, with their TTLs: a TTL of 0 turns a route's cache off. */
function cachedRoles(cache: Cache): Array<[string, ReturnType<(typeof CACHED_ROLES)[string]>]> {
  return Object.entries(CACHED_ROLES)
    .map(([role, settings]) => [role, settings(cache)] as [string, ReturnType<typeof settings>])
    .filter(([, route]) => route.ttlSeconds > 0);
}

/** One cache section per cached route, its max-age the route's TTL, nothing over 1 MiB. */
export function cacheSections(cache: Cache): string[] {
  return cachedRoles(cache).map(([role, route]) =>
    section(`cache ${cacheName(role)}`, [
      'total-max-size 8',
      `max-object-size ${MAX_OBJECT_BYTES}`,
      `max-age ${route.ttlSeconds}`,
    ]),
  );
}

/**
 * A cached route's rules. HAProxy keys its cache by Host and URI, so the URI is rewritten to the
 * declared key parameters for `cache-use` to hash, then put back for the integration: the key is
 * those parameters and nothing else. HAProxy skips its cache for `Cache-Control: no-cache` and
 * stores the fresh answer: that is what `max-age=0` becomes for a caller with the right to
 * invalidate (the profile's invalidationHeaders; HAProxy has no IAM), and every other caller's
 * Cache-Control and Pragma are dropped so they cannot bypass it.
 */
export function cacheRequestRules(cache: Cache, role: string): string[] {
  const route = CACHED_ROLES[role]?.(cache);
  if (!route || route.ttlSeconds <= 0) return [];
  const key = cache.keyParameters
    .map((p) => `${checked(p, /^[A-Za-z0-9_]+$/, 'cache.keyParameters')}=%[urlp(${p})]`)
    .join('&');
  const headers = Object.entries(cache.invalidationHeaders ?? {});
  const rules = [
    `http-request set-var(txn.gp_cache_refresh) bool(1) if { req.fhdr(cache-control) -m reg -i '(^|[, ])max-age *= *0+ *(,|$)' }`,
  ];
  if (!cache.requireAuthorizationForCacheControl)
    rules.push('http-request set-var(txn.gp_invalidator) bool(1)');
  else if (headers.length > 0) {
    const all = headers.map(
      ([name, value]) =>
        `{ req.fhdr(${checkedHeaderName(name)}) ${matchesAny([checkedSecret(value, 'cache.invalidationHeaders')])} }`,
    );
    rules.push(`http-request set-var(txn.gp_invalidator) bool(1) if ${all.join(' ')}`);
  }
  rules.push(`http-request set-var(txn.gp_cache_unauthorized) bool(1) if ${REFRESH} !${INVALIDATOR}`);
  if (route.strategy === 'FAIL_WITH_403')
    rules.push(`http-request ${gatewayReturn('forbidden')} if ${UNAUTHORIZED}`);
  rules.push(
    'http-request del-header cache-control',
    'http-request del-header pragma',
    // The right to invalidate stays at the gateway.
    ...headers.map(([name]) => `http-request del-header ${checkedHeaderName(name)}`),
    `http-request set-header cache-control no-cache if ${REFRESH} ${INVALIDATOR}`,
    'http-request set-var(txn.gp_url) url',
    `http-request set-uri /${role}?${key}`,
    `http-request cache-use ${cacheName(role)}`,
    'http-request set-uri %[var(txn.gp_url)]',
  );
  return rules;
}

/**
 * The answer is stored for the route's TTL whatever the origin says about caching (HAProxy stores
 * only answers with an expiry, and only 200s), and the expiry given it here is not sent on.
 */
export function cacheResponseRules(cache: Cache, role: string): string[] {
  const route = CACHED_ROLES[role]?.(cache);
  if (!route || route.ttlSeconds <= 0) return [];
  const rules = [
    'http-response del-header vary',
    `http-response set-header cache-control max-age=${route.ttlSeconds}`,
    `http-response cache-store ${cacheName(role)}`,
    'http-response del-header cache-control',
  ];
  if (route.strategy === 'SUCCEED_WITH_RESPONSE_HEADER') {
    rules.push(`http-after-response set-header Warning '${CACHE_WARNING}' if ${UNAUTHORIZED}`);
  }
  return rules;
}

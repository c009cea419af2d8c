import { join } from 'node:path';
import { checked, checkedHeaderName, checkedSecret, regexLiteral } from '../config-values.js';
import { CACHE_WARNING, CACHED_ROLES } from '../gateway-routes.js';
import type { Profile } from '../profile-schema.js';
import { headerVariable } from './nginx-syntax.js';

type Cache = NonNullable<Profile['cache']>;

/** API Gateway's limit: a larger answer is passed through, never cached. */
const TOO_BIG =
  '^([0-9]{8,}|[2-9][0-9]{6}|1[1-9][0-9]{5}|10[5-9][0-9]{4}|1049[0-9]{3}|1048[6-9][0-9]{2}|10485[89][0-9]|104857[7-9])$';

/**
 * `$gp_cache_bypass` when a caller may refresh an entry with `Cache-Control: max-age=0`, and
 * `$gp_cache_unauthorized` when one asks without that right. nginx has no IAM: with
 * requireAuthorizationForCacheControl, the right is the profile's invalidationHeaders.
 */
export function cacheHttp(cache: Cache, prefix: string): string[] {
  const lines = [
    `proxy_cache_path ${join(prefix, 'cache')} levels=1:2 keys_zone=gp_cache:8m max_size=256m inactive=1h use_temp_path=off;`,
    'map $http_cache_control $gp_cache_refresh {',
    '  default 0;',
    '  "~*(^|[,\\s])max-age\\s*=\\s*0+\\s*(,|$)" 1;',
    '}',
  ];
  const headers = Object.entries(cache.invalidationHeaders ?? {});
  if (!cache.requireAuthorizationForCacheControl) lines.push('map "" $gp_invalidator { default 1; }');
  else if (headers.length === 0) lines.push('map "" $gp_invalidator { default 0; }');
  else {
    const values = headers.map(([, v]) => regexLiteral(checkedSecret(v, 'cache.invalidationHeaders')));
    lines.push(
      `map "${headers.map(([name]) => headerVariable(name)).join('|')}" $gp_invalidator {`,
      '  default 0;',
      `  "~^${values.join('\\|')}$" 1;`,
      '}',
    );
  }
  lines.push(
    'map "$gp_cache_refresh$gp_invalidator" $gp_cache_bypass { default 0; 11 1; }',
    'map "$gp_cache_refresh$gp_invalidator" $gp_cache_unauthorized { default 0; 10 1; }',
    `map $gp_cache_unauthorized $gp_cache_warning { default ""; 1 '${CACHE_WARNING}'; }`,
    `map $upstream_http_content_length $gp_cache_too_big { default 0; "~${TOO_BIG}" 1; }`,
    // $arg_NAME matches the name without regard to case, so `?ID=1` would be read as the key `id`:
    // the key's values are taken from the query string by a case-sensitive pattern instead.
    ...cache.keyParameters.map(
      (p) => `map $args $gp_key_${keyName(p)} { default ""; "~(^|&)${keyName(p)}=(?<v>[^&]*)" $v; }`,
    ),
  );
  return lines;
}

const keyName = (p: string) => checked(p, /^[A-Za-z0-9_]+$/, 'cache.keyParameters');

/** A cached route: its own entries, keyed by the declared key parameters and nothing else. */
export function cacheLocation(cache: Cache, role: string, forbidden: string): string[] {
  const route = CACHED_ROLES[role]?.(cache);
  if (!route || route.ttlSeconds <= 0) return [];
  const params = cache.keyParameters.map((p) => `${keyName(p)}=$gp_key_${keyName(p)}`);
  const lines = [
    'proxy_cache gp_cache;',
    `proxy_cache_key "$request_method|${role}|${params.join('&')}";`,
    // Only successful answers, for the route's TTL, whatever the origin says about caching.
    `proxy_cache_valid 200 ${route.ttlSeconds}s;`,
    'proxy_ignore_headers Cache-Control Expires Set-Cookie Vary X-Accel-Expires;',
    'proxy_no_cache $gp_cache_too_big;',
    'proxy_cache_bypass $gp_cache_bypass;',
    // The right to invalidate stays at the gateway.
    ...Object.keys(cache.invalidationHeaders ?? {}).map(
      (name) => `proxy_set_header ${checkedHeaderName(name)} "";`,
    ),
  ];
  if (route.strategy === 'FAIL_WITH_403')
    lines.push(`if ($gp_cache_unauthorized) { rewrite ^ ${forbidden} last; }`);
  if (route.strategy === 'SUCCEED_WITH_RESPONSE_HEADER')
    lines.push('add_header Warning $gp_cache_warning always;');
  return lines;
}

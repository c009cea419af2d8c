import { regexLiteral } from '../config-values.js';
import { buckets, keyPlans, PLAN } from '../plan-buckets.js';
import type { Profile } from '../profile-schema.js';

/**
 * `$gp_plan` from the x-api-key header, `$gp_key_ok` when that plan includes this stage. Keys are
 * matched as case-sensitive regular expressions: nginx matches a map's plain strings without
 * regard to case, and a wrongly-cased key must be an unknown key.
 */
export function keyMaps(profile: Profile): string[] {
  const lines = ['map $http_x_api_key $gp_plan {', '  default "";'];
  for (const [key, plan] of keyPlans(profile)) lines.push(`  "~^${regexLiteral(key)}$" ${plan};`);
  lines.push(
    '}',
    'map $gp_plan $gp_key_ok {',
    '  default 0;',
    `  ${PLAN.default} 1;`,
    `  ${PLAN.tiny} 1;`,
    '}',
  );
  return lines;
}

/** One zone per bucket, keyed by the API key, so every key has its own bucket as in a usage plan. */
export function throttleZones(profile: Profile): string[] {
  if (!profile.features.includes('throttle')) return [];
  const lines = ['limit_req_status 429;', 'limit_req_log_level warn;'];
  for (const { plan, zone, throttle } of buckets(profile)) {
    lines.push(
      `map $gp_plan $${zone}_key { default ""; ${plan} $http_x_api_key; }`,
      `limit_req_zone $${zone}_key zone=${zone}:4m rate=${nginxRate(throttle.rateLimit)};`,
    );
  }
  return lines;
}

/**
 * The buckets a request on this route draws from. limit_req with `nodelay` admits burst + 1
 * requests at once and then one per 1/rate: a token bucket whose size is burst + 1, hence
 * burstLimit - 1.
 */
export function throttleLimits(profile: Profile, role: string): string[] {
  if (!profile.features.includes('throttle')) return [];
  return buckets(profile)
    .filter((b) => b.role === undefined || b.role === role)
    .map(
      ({ zone, throttle }) => `limit_req zone=${zone} burst=${Math.max(0, throttle.burstLimit - 1)} nodelay;`,
    );
}

/** nginx takes whole requests per second or per minute. */
function nginxRate(rate: number): string {
  if (Number.isInteger(rate)) return `${rate}r/s`;
  return `${Math.max(1, Math.round(rate * 60))}r/m`;
}

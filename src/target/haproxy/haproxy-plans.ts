import { buckets, keyPlans, PLAN } from '../plan-buckets.js';
import type { Profile, Quota, Throttle } from '../profile-schema.js';
import { gatewayReturn, section } from './haproxy-syntax.js';

/** The map from API key to plan, one `key plan` line each; written beside haproxy.cfg. */
export const KEYS_MAP_FILE = 'keys.map';
const KEY = 'req.fhdr(x-api-key)';
const ON_PLAN = (plan: string) => `{ var(txn.gp_plan) -m str ${plan} }`;
const QUOTA_TABLE = 'gp_quota_counts';

/** Every key with its plan, one `key plan` line each. A map matches exactly: a wrongly-cased key is unknown. */
export function keysMap(profile: Profile): string {
  return keyPlans(profile)
    .map(([key, plan]) => `${key} ${plan}\n`)
    .join('');
}

/**
 * HAProxy counts with a sliding window, not a token bucket: a plan's rate r and burst b become at
 * most b requests in any b / r seconds, which admits b at once after a quiet spell and r a second
 * under steady load, as the bucket does, but refills as the window slides rather than token by token.
 */
export function slidingWindow(throttle: Throttle): { limit: number; windowMs: number } {
  const limit = Math.max(1, Math.floor(throttle.burstLimit));
  return { limit, windowMs: Math.max(1, Math.round((1000 * limit) / throttle.rateLimit)) };
}

/** Quota periods as whole numbers HAProxy computes from `date`: UTC days, Monday-based weeks, months. */
const PERIODS: Record<Quota['period'], { expr: string; of: (t: number) => string; keepDays: number }> = {
  DAY: { expr: 'date,div(86400)', of: (t) => String(Math.floor(t / 86400)), keepDays: 2 },
  // The epoch was a Thursday: three days on, weeks start on Mondays.
  WEEK: {
    expr: 'date,add(259200),div(604800)',
    of: (t) => String(Math.floor((t + 259200) / 604800)),
    keepDays: 8,
  },
  MONTH: {
    expr: 'date,utime(%Y%m)',
    of: (t) => {
      const d = new Date(t * 1000);
      return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    },
    keepDays: 32,
  },
};

/** A stick table per throttle (per key, the rate of admitted requests) and one for the quota. */
export function planTables(profile: Profile): string[] {
  const tables: string[] = [];
  if (profile.features.includes('throttle')) {
    for (const { zone, throttle } of buckets(profile)) {
      const { windowMs } = slidingWindow(throttle);
      const expire = Math.max(10_000, 2 * windowMs);
      tables.push(
        section(`backend ${zone}`, [
          `stick-table type string len 512 size 100k expire ${expire}ms store gpc0_rate(${windowMs}ms)`,
        ]),
      );
    }
  }
  const quota = quotaOf(profile);
  if (quota) {
    tables.push(
      section(`backend ${QUOTA_TABLE}`, [
        `stick-table type string len 600 size 100k expire ${PERIODS[quota.period].keepDays}d store gpc0`,
      ]),
    );
  }
  return tables;
}

function quotaOf(profile: Profile): Quota | undefined {
  return profile.features.includes('quota') ? profile.plans.tinyQuota?.quota : undefined;
}

/**
 * A keyed route's rules, in API Gateway's order: the key (in a plan for this stage), then the
 * throttles (the plan's, then the method's), then the quota, so that a refused or throttled
 * request consumes nothing after it. Counters are read, then incremented only for a request let
 * through: a refusal does not count against the window. One thread runs the rules, so no request
 * slips between another's check and increment.
 */
export function keyedRules(
  profile: Profile,
  role: string,
  mapFile: string,
  plansCreatedAt: number,
): string[] {
  const rules = [
    // One x-api-key header or none: with two, fhdr would read the last, letting a valid key ride behind an unknown one.
    `http-request set-var(txn.gp_plan) ${KEY},map(${mapFile}) if { req.fhdr_cnt(x-api-key) eq 1 }`,
    `http-request ${gatewayReturn('forbidden')} unless { var(txn.gp_plan) -m str ${PLAN.default} ${PLAN.tiny} }`,
  ];
  if (profile.features.includes('throttle')) {
    const applied = buckets(profile).filter((b) => b.role === undefined || b.role === role);
    // sc0: the plan's window (one plan per key), sc1: the method's.
    const counter = (b: (typeof applied)[number]) => (b.role === undefined ? 0 : 1);
    for (const b of applied) {
      rules.push(`http-request track-sc${counter(b)} ${KEY} table ${b.zone} if ${ON_PLAN(b.plan)}`);
    }
    for (const b of applied) {
      const { limit } = slidingWindow(b.throttle);
      rules.push(
        `http-request ${gatewayReturn('throttled')} if ${ON_PLAN(b.plan)} { sc_gpc0_rate(${counter(b)}) ge ${limit} }`,
      );
    }
    for (const b of applied) rules.push(`http-request sc-inc-gpc0(${counter(b)}) if ${ON_PLAN(b.plan)}`);
  }
  const quota = quotaOf(profile);
  if (quota) {
    const period = PERIODS[quota.period];
    const tiny = ON_PLAN(PLAN.tiny);
    const first = `{ var(txn.gp_period) -m str ${period.of(plansCreatedAt)} }`;
    rules.push(
      `http-request set-var(txn.gp_period) ${period.expr} if ${tiny}`,
      `http-request track-sc2 ${KEY},concat(|,txn.gp_period) table ${QUOTA_TABLE} if ${tiny}`,
      // The plan's offset is what its first period had used before it was created.
      `http-request ${gatewayReturn('limit-exceeded')} if ${tiny} ${first} { sc_get_gpc0(2) ge ${quota.limit - quota.offset} }`,
      `http-request ${gatewayReturn('limit-exceeded')} if ${tiny} { sc_get_gpc0(2) ge ${quota.limit} }`,
      `http-request sc-inc-gpc0(2) if ${tiny}`,
    );
  }
  return rules;
}

import type { Quota } from '../profile-schema.js';

export interface QuotaLuaOptions {
  quota: Quota;
  /** The `$gp_plan` value of keys on the quota plan. */
  plan: string;
  /** When the plan was created (seconds since the epoch): its offset applies to that period only. */
  plansCreatedAt: number;
  /** The internal location that answers "Limit Exceeded". */
  refusal: string;
}

/** What a keyed location runs in its access phase. */
export const QUOTA_ACCESS_LUA = 'gp_quota_check()';

/**
 * The usage-plan quota in Lua, defined once per worker: one counter per key and period in a
 * shared dictionary, which every worker sees and increments atomically, so a concurrent burst
 * cannot slip past the limit. It runs in the access phase, after the key check (rewrite phase)
 * and the throttle (preaccess phase), as API Gateway orders them: a refused or throttled request
 * consumes no quota.
 */
export function quotaInitLua({ quota, plan, plansCreatedAt, refusal }: QuotaLuaOptions): string {
  return `-- Days and Monday-based weeks since the epoch (a Thursday), or months since year 0, in UTC.
local function period_of(t)
  if "${quota.period}" == "DAY" then return math.floor(t / 86400) end
  if "${quota.period}" == "WEEK" then return math.floor((t / 86400 + 3) / 7) end
  local d = os.date("!*t", t)
  return d.year * 12 + d.month
end
local first_period = period_of(${Math.floor(plansCreatedAt)})

function gp_quota_check()
  if ngx.var.gp_plan ~= "${plan}" then return end
  local period = period_of(ngx.time())
  local limit = ${quota.limit}
  if period == first_period then limit = limit - ${quota.offset} end
  local used, err = ngx.shared.gp_quota:incr(ngx.var.http_x_api_key .. "|" .. period, 1, 0)
  if not used then
    ngx.log(ngx.ERR, "quota counter: ", err)
    return ngx.exit(ngx.HTTP_INTERNAL_SERVER_ERROR)
  end
  if used > limit then return ngx.exec("${refusal}") end
end`;
}

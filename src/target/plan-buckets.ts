import type { Profile, Throttle } from './profile-schema.js';

/** Usage plans by the name the gateway's config gives them; only keys in a plan for this stage are admitted. */
export const PLAN = { default: 'plan-default', tiny: 'plan-tiny' } as const;

export interface Bucket {
  /** Keys on this plan get a bucket each. */
  plan: string;
  zone: string;
  throttle: Throttle;
  /** A method-level throttle applies to its own route only; a plan's to every keyed route. */
  role?: string;
}

/** The throttles of the profile's plans: one bucket (or window) per key on each. */
export function buckets(profile: Profile): Bucket[] {
  const out: Bucket[] = [];
  const { default: def, tinyQuota, throttled } = profile.plans;
  if (def?.throttle) out.push({ plan: PLAN.default, zone: 'gp_plan_default', throttle: def.throttle });
  if (tinyQuota?.throttle) out.push({ plan: PLAN.tiny, zone: 'gp_plan_tiny', throttle: tinyQuota.throttle });
  if (throttled?.throttle) {
    out.push({
      plan: PLAN.default,
      zone: 'gp_method_throttled',
      throttle: throttled.throttle,
      role: 'throttled',
    });
  }
  return out;
}

import { checkedSecret } from './config-values.js';
import type { Profile, Throttle } from './profile-schema.js';

/** Usage plans by the name the gateway's config gives them; only keys in a plan for this stage are admitted. */
export const PLAN = { default: 'plan-default', tiny: 'plan-tiny' } as const;

/**
 * Every key the profile names with the plan it is on, each once (checked fit for a config): the
 * enabled ones on a plan for this stage, the disabled and other-stage ones under names no route
 * admits.
 */
export function keyPlans(profile: Profile): Array<[key: string, plan: string]> {
  const keys = profile.apiKeys;
  if (!keys) return [];
  const entries: Array<[string | undefined, string]> = [
    [keys.valid, PLAN.default],
    [keys.other, PLAN.default],
    [keys.disabled, 'disabled'],
    [keys.otherStage, 'other-stage'],
    ...[...keys.quota, ...(keys.quotaPair ?? [])].map((k) => [k, PLAN.tiny] as [string, string]),
  ];
  const seen = new Set<string>();
  const out: Array<[string, string]> = [];
  for (const [key, plan] of entries) {
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push([checkedSecret(key, 'apiKeys'), plan]);
  }
  return out;
}

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

import type { ApiKey, Quota, Throttle, UsagePlanConfig } from './config.js';
import type { FaultName } from './faults.js';
import { gatewayResponse } from './gateway-responses.js';
import type { Step } from './pipeline.js';
import { QuotaCounter } from './quota.js';
import type { GatewayRuntime } from './runtime.js';
import { TokenBucket } from './token-bucket.js';

export interface UsagePlan {
  id: string;
  throttle?: Throttle;
  quota?: Quota;
  /** Method-level throttles ("/pets/GET") by stage. */
  stages: ReadonlyMap<string, Readonly<Record<string, Throttle>>>;
}

/** The usage plans of the API and what each key has used of them. */
export class UsagePlans {
  private readonly plansByKey = new Map<string, UsagePlan[]>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly quotas = new Map<string, QuotaCounter>();
  private readonly createdAt: number;

  constructor(
    plans: readonly UsagePlanConfig[],
    now: number,
    private readonly fault: FaultName | undefined,
  ) {
    this.createdAt = now;
    for (const config of plans) {
      const plan: UsagePlan = {
        id: config.id,
        ...(config.throttle ? { throttle: config.throttle } : {}),
        ...(config.quota ? { quota: config.quota } : {}),
        stages: new Map(config.apiStages.map((apiStage) => [apiStage.stage, apiStage.throttle])),
      };
      for (const keyId of config.apiKeyIds) {
        const list = this.plansByKey.get(keyId) ?? [];
        list.push(plan);
        this.plansByKey.set(keyId, list);
      }
    }
  }

  /** The plan that meters this key on this stage; `anyStage` forgets the stage (a fault). */
  planFor(key: ApiKey, stage: string, anyStage = false): UsagePlan | undefined {
    const plans = this.plansByKey.get(key.id);
    return anyStage ? plans?.[0] : plans?.find((plan) => plan.stages.has(stage));
  }

  /**
   * A method-level throttle replaces the plan's for that method, each a bucket of its own per key:
   * AWS applies "per-client or per-method" limits, whichever is set.
   */
  takeToken(key: ApiKey, plan: UsagePlan, stage: string, methodKey: string, now: number): boolean {
    // The fault: the first stage of the plan that throttles the method throttles it everywhere.
    const methodThrottle =
      this.fault === 'stage-throttle-every-stage'
        ? [...plan.stages.values()].find((throttles) => throttles[methodKey])?.[methodKey]
        : plan.stages.get(stage)?.[methodKey];
    const throttle = methodThrottle ?? plan.throttle;
    if (!throttle) return true;
    const id = methodThrottle ? `${plan.id}\0${key.id}\0${methodKey}` : `${plan.id}\0${key.id}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(this.faulty(throttle), now);
      this.buckets.set(id, bucket);
    }
    return bucket.tryTake(now);
  }

  /** The bucket a throttle fault builds instead of the declared one. */
  private faulty(throttle: Throttle): Throttle {
    if (this.fault === 'throttle-burst-doubled') return { ...throttle, burstLimit: throttle.burstLimit * 2 };
    if (this.fault === 'throttle-rate-doubled') return { ...throttle, rateLimit: throttle.rateLimit * 2 };
    return throttle;
  }

  /** Charges one request to the key's quota in this plan; false when the quota is used up. */
  chargeQuota(key: ApiKey, plan: UsagePlan, now: number, methodKey = ''): boolean {
    return (
      this.counter(key, plan, methodKey)?.tryCharge(now, this.fault === 'quota-off-by-one' ? 1 : 0) ?? true
    );
  }

  /** Gives back a charge (only the refund fault does this). */
  refundQuota(key: ApiKey, plan: UsagePlan, methodKey: string): void {
    this.counter(key, plan, methodKey)?.refund();
  }

  private counter(key: ApiKey, plan: UsagePlan, methodKey: string): QuotaCounter | undefined {
    if (!plan.quota) return undefined;
    const { fault } = this;
    let id = fault === 'quota-shared-across-keys' ? plan.id : `${plan.id}\0${key.id}`;
    // The fault: one counter per method, as if the quota were a method-level setting.
    if (fault === 'quota-per-method') id += `\0${methodKey}`;
    let counter = this.quotas.get(id);
    if (!counter) {
      counter = new QuotaCounter(plan.quota, this.createdAt);
      this.quotas.set(id, counter);
    }
    return counter;
  }
}

/**
 * Throttle, then quota, for callers identified by a key; a method without `apiKeyRequired`
 * bypasses both. A throttled request does not use quota.
 */
export function usagePlanStep(gw: GatewayRuntime): Step {
  return (ctx, next) => {
    const { apiKey, plan, route } = ctx;
    if (!apiKey || !plan || !route) return next();
    const now = gw.clock.now();
    if (!gw.plans.takeToken(apiKey, plan, gw.stage, route.methodKey, now))
      return gatewayResponse('THROTTLED');
    const charged = ctx.quotaChargedEarly ?? gw.plans.chargeQuota(apiKey, plan, now, route.methodKey);
    if (!charged) return gatewayResponse(gw.fault === 'quota-throttle-body' ? 'THROTTLED' : 'QUOTA_EXCEEDED');
    if (gw.fault !== 'quota-refunded-on-error') return next();
    // The fault: a request the integration fails is not billed.
    return next().then((reply) => {
      if (reply.status >= 400) gw.plans.refundQuota(apiKey, plan, route.methodKey);
      return reply;
    });
  };
}

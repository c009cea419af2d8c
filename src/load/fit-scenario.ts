import type { Profile } from '../target/profile-schema.js';
import { parseDuration } from './duration.js';
import type { Executor, Scenario } from './scenario.js';

/** A bucket refills in burst / rate seconds; the idle spell before a throttle run waits this much longer. */
const REFILL_MARGIN = 1.5;
const MAX_IDLE_MS = 30_000;

function scaleExecutor(load: Executor, factor: number): Executor {
  const vus = (n: number) => Math.ceil(n * Math.max(1, factor));
  switch (load.executor) {
    case 'constant-arrival-rate':
      return {
        ...load,
        rate: load.rate * factor,
        preAllocatedVUs: vus(load.preAllocatedVUs),
        ...(load.maxVUs === undefined ? {} : { maxVUs: vus(load.maxVUs) }),
      };
    case 'ramping-arrival-rate':
      return {
        ...load,
        startRate: load.startRate * factor,
        stages: load.stages.map((stage) => ({ ...stage, target: stage.target * factor })),
        preAllocatedVUs: vus(load.preAllocatedVUs),
        ...(load.maxVUs === undefined ? {} : { maxVUs: vus(load.maxVUs) }),
      };
    case 'constant-vus':
      return load;
  }
}

/**
 * The scenario as it runs against this target: rates written for `options.planRate` scaled to the
 * throttle the target declares, so "twice the plan's rate" stays twice whatever the plan; and,
 * for a throttle scenario, an idle spell long enough for the bucket to be full when load starts.
 */
export function fitScenario(scenario: Scenario, profile: Profile): Scenario {
  const declared = profile.plans.throttled?.throttle;
  if (!declared || !(declared.rateLimit > 0)) return scenario;
  let fitted = scenario;
  const planRate = scenario.options?.planRate;
  if (planRate !== undefined && planRate > 0 && declared.rateLimit !== planRate) {
    const factor = declared.rateLimit / planRate;
    fitted = {
      ...fitted,
      load: scaleExecutor(fitted.load, factor),
      ...(fitted.maxRequests === undefined ? {} : { maxRequests: Math.ceil(fitted.maxRequests * factor) }),
    };
  }
  if (fitted.kind === 'throttle') {
    const refillMs = Math.min(
      MAX_IDLE_MS,
      Math.ceil((REFILL_MARGIN * 1000 * declared.burstLimit) / declared.rateLimit),
    );
    const idleMs = fitted.idleBefore ? parseDuration(fitted.idleBefore) : 0;
    if (refillMs > idleMs) fitted = { ...fitted, idleBefore: `${refillMs}ms` };
  }
  return fitted;
}

import { throttleBurst } from '../scenarios/throttle-burst.js';
import { throttleSteady } from '../scenarios/throttle-steady.js';
import { runScenario } from '../src/load/run-scenario.js';
import { startReferenceStackInWorker } from '../src/reference/stack-worker.js';
import type { Throttle } from '../src/target/profile-schema.js';

export interface ThrottleError {
  scenario: string;
  declared: Throttle;
  inferredRate: number | null;
  inferredBurst: number | null;
  rateError: number | null;
  burstError: number | null;
  trusted: boolean;
}

/** Both throttle scenarios against a reference gateway whose plan is known: how far off the inference is. */
export async function throttleErrors(declared: Throttle): Promise<ThrottleError[]> {
  const stack = await startReferenceStackInWorker({ methodThrottle: declared });
  try {
    const out: ThrottleError[] = [];
    for (const scenario of [throttleSteady, throttleBurst]) {
      const section = await runScenario(scenario, stack.profile);
      const f = section.findings.throttle as Record<string, number | null | boolean>;
      out.push({
        scenario: scenario.id,
        declared,
        inferredRate: f.inferredRate as number | null,
        inferredBurst: f.inferredBurst as number | null,
        rateError: f.rateError as number | null,
        burstError: f.burstError as number | null,
        trusted: f.inferenceTrusted === true,
      });
    }
    return out;
  } finally {
    await stack.close();
  }
}

import type { RequestTemplate } from './scenario.js';

type KeySpec = NonNullable<RequestTemplate['keys']>;

/** Key probabilities as keySampler draws them: Zipf with exponent s (default 1), or uniform. */
function probabilities(keys: KeySpec): number[] {
  if (keys.distribution === 'uniform') return new Array<number>(keys.count).fill(1 / keys.count);
  const s = keys.s ?? 1;
  const weights = Array.from({ length: keys.count }, (_, k) => 1 / (k + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/**
 * The hit ratio a correct cache gives this traffic: `requests` drawn from `keys` over
 * `durationS`, each key's entry kept `ttlS`. A key requested at rate λ misses once, then hits for
 * the TTL, then misses on its next request: λ·D / (1 + λ·TTL) misses over the run, and at least
 * the chance it was requested at all (1 − (1 − p)^R), which dominates when the TTL outlasts the run.
 */
export function expectedHitRatio(keys: KeySpec, requests: number, durationS: number, ttlS: number): number {
  if (requests <= 0 || durationS <= 0) return 0;
  let misses = 0;
  for (const p of probabilities(keys)) {
    const seen = 1 - (1 - p) ** requests;
    const rate = (p * requests) / durationS;
    misses += Math.max(seen, (rate * durationS) / (1 + rate * ttlS));
  }
  return Number(Math.max(0, 1 - misses / requests).toFixed(4));
}

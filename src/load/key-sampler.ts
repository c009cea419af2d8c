import { seededRandom } from './random.js';
import type { RequestTemplate } from './scenario.js';

type KeySpec = NonNullable<RequestTemplate['keys']>;

/** Beyond this many keys a run no longer measures a cache but the generator's memory. */
const MAX_KEYS = 1_000_000;

/**
 * Draws key indexes (0 = the hottest) for a template's `keys`: Zipf with exponent `s` (default 1)
 * by inverse transform over the cumulative weights, or uniform.
 */
export function keySampler(spec: KeySpec, seed: number): () => number {
  const { count, distribution } = spec;
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_KEYS)) {
    throw new Error(`keys.count must be an integer from 1 to ${MAX_KEYS}, got ${count}`);
  }
  const random = seededRandom(seed);
  if (distribution === 'uniform') return () => Math.floor(random() * count);
  const s = spec.s ?? 1;
  if (!(Number.isFinite(s) && s > 0)) throw new Error(`keys.s must be a positive number, got ${s}`);
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let k = 0; k < count; k++) {
    total += 1 / (k + 1) ** s;
    cumulative[k] = total;
  }
  return () => {
    const u = random() * total;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

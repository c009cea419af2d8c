import type { Scenario } from '../src/load/scenario.js';
import { cacheHitRatio } from './cache-hit-ratio.js';
import { cacheInvalidationVisibility } from './cache-invalidation-visibility.js';
import { cacheStampede } from './cache-stampede.js';
import { canarySplit } from './canary-split.js';
import { throttleBurst } from './throttle-burst.js';
import { throttleIsolation } from './throttle-isolation.js';
import { throttleSteady } from './throttle-steady.js';
import { websocketConnections } from './websocket-connections.js';

/** Every scenario gateproof ships, in the order `gateproof run` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  throttleSteady,
  throttleBurst,
  throttleIsolation,
  cacheHitRatio,
  cacheInvalidationVisibility,
  cacheStampede,
  websocketConnections,
  canarySplit,
];

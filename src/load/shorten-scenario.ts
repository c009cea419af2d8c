import { parseDuration } from './duration.js';
import type { Executor, Scenario } from './scenario.js';

/**
 * A scenario cut to at most `seconds` of offered load, for `gateproof run`, whose load part is a
 * smoke check that must fit beside the suites; `gateproof load` runs scenarios at full length.
 * A ramp keeps its shape: every stage shrinks by the same factor.
 */
export function shortenScenario(scenario: Scenario, seconds: number): Scenario {
  const limitMs = Math.max(1, Math.round(seconds * 1000));
  return { ...scenario, load: shortenExecutor(scenario.load, limitMs) };
}

function shortenExecutor(load: Executor, limitMs: number): Executor {
  switch (load.executor) {
    case 'constant-arrival-rate':
    case 'constant-vus':
      return parseDuration(load.duration) > limitMs ? { ...load, duration: `${limitMs}ms` } : load;
    case 'ramping-arrival-rate': {
      const totalMs = load.stages.reduce((sum, stage) => sum + parseDuration(stage.duration), 0);
      if (totalMs <= limitMs) return load;
      const factor = limitMs / totalMs;
      return {
        ...load,
        stages: load.stages.map((stage) => ({
          ...stage,
          duration: `${Math.max(1, Math.round(parseDuration(stage.duration) * factor))}ms`,
        })),
      };
    }
  }
}

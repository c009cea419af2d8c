import { parseDuration } from './duration.js';
import type { Executor, Scenario } from './scenario.js';

/**
 * A scenario cut to at most `seconds` of offered load, for `gateproof run`, whose load part is a
 * smoke check that must fit beside the suites; `gateproof load` runs scenarios at full length.
 * A ramp keeps its shape: every stage shrinks by the same factor. A WebSocket scenario's hold
 * counts too: what is left of the limit after the arrivals, and at least a second, so that every
 * connection still sends a round trip while all are open.
 */
export function shortenScenario(scenario: Scenario, seconds: number): Scenario {
  const limitMs = Math.max(1, Math.round(seconds * 1000));
  const load = shortenExecutor(scenario.load, limitMs);
  const ws = scenario.websocket;
  if (!ws) return { ...scenario, load };
  const holdMs = Math.min(parseDuration(ws.hold), Math.max(1000, limitMs - arrivalsMs(load)));
  return { ...scenario, load, websocket: { ...ws, hold: `${holdMs}ms` } };
}

function arrivalsMs(load: Executor): number {
  return load.executor === 'ramping-arrival-rate'
    ? load.stages.reduce((sum, stage) => sum + parseDuration(stage.duration), 0)
    : parseDuration(load.duration);
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

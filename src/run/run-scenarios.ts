import { randomBytes } from 'node:crypto';
import { SCENARIOS } from '../../scenarios/index.js';
import { progressView, silentProgress } from '../load/progress.js';
import { runScenario } from '../load/run-scenario.js';
import type { Scenario } from '../load/scenario.js';
import { ScenarioSetupError } from '../load/target-requests.js';
import type { EventWriter } from '../results/events.js';
import type { Feature, Profile } from '../target/profile-schema.js';
import { UsageError } from '../usage-error.js';

/** The feature a target must claim for a kind of scenario to mean anything against it. */
const FEATURE: Record<Scenario['kind'], Feature | undefined> = {
  throttle: 'throttle',
  cache: 'cache',
  latency: undefined,
  websocket: 'websocket',
  canary: 'canary',
};

export function selectScenarios(requested: readonly string[] | undefined): Scenario[] {
  if (!requested) return [...SCENARIOS];
  const known = SCENARIOS.map((s) => s.id);
  const unknown = requested.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown scenario ${unknown.join(', ')}; known scenarios: ${known.join(', ')}`);
  }
  return requested.map((id) => SCENARIOS.find((s) => s.id === id) as Scenario);
}

export interface ScenarioRun {
  scenarios: readonly Scenario[];
  profile: Profile;
  events: EventWriter;
  signal: AbortSignal;
  /** Where progress and skips are told: a bar on a terminal, plain lines otherwise. */
  stream?: NodeJS.WriteStream;
  /** No progress, only why a scenario was skipped or could not run. */
  quiet?: boolean;
  /** Told each scenario's time, setup and findings included, for the run's time split. */
  onScenarioEnd?: (id: string, ms: number) => void;
}

/**
 * Runs scenarios one after another, each written to events.ndjson as soon as it ends, so an
 * interrupted run keeps the ones that finished (and the measured part of the one it cut). A
 * scenario whose feature the target does not claim, or that the profile cannot feed, is skipped
 * with a line saying why; one that breaks is told and the others still run. Each skip is an event,
 * so the results can tell a skip (feature not claimed) from a scenario that should have run.
 */
export async function runScenarios(run: ScenarioRun): Promise<void> {
  const stream = run.stream ?? process.stderr;
  const runTag = randomBytes(4).toString('hex');
  for (const scenario of run.scenarios) {
    if (run.signal.aborted) return;
    const feature = FEATURE[scenario.kind];
    if (feature && !run.profile.features.includes(feature)) {
      const reason = `the target does not claim ${feature}`;
      run.events.write({ type: 'scenario-skip', id: scenario.id, reason, claimed: false });
      stream.write(`gateproof: scenario ${scenario.id} skipped: ${reason}\n`);
      continue;
    }
    const view = run.quiet ? silentProgress : progressView(scenario.id, { stream });
    const started = performance.now();
    try {
      const result = await runScenario(scenario, run.profile, {
        signal: run.signal,
        onProgress: (p) => view.update(p),
        runTag,
      });
      view.stop({
        durationS: result.durationS,
        requests: result.totals.requests,
        byStatus: result.totals.byStatus,
        dropped: result.totals.dropped,
        errors: result.totals.errors,
        ...(result.latency.percentiles?.p99 !== undefined && { p99: result.latency.percentiles.p99 }),
      });
      run.events.write({ type: 'scenario', scenario: result });
    } catch (err) {
      view.stop();
      const why = (err as Error).message.split('\n')[0] ?? '';
      // Claimed but not run, whether the profile could not feed it or it broke: the run is incomplete.
      run.events.write({ type: 'scenario-skip', id: scenario.id, reason: why, claimed: true });
      stream.write(
        err instanceof ScenarioSetupError
          ? `gateproof: scenario ${scenario.id} skipped: ${why}\n`
          : `gateproof: scenario ${scenario.id} could not run: ${why}\n`,
      );
    }
    run.onScenarioEnd?.(scenario.id, performance.now() - started);
  }
}

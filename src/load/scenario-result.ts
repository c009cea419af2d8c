import type { Check, ScenarioResult, ScenarioVerdict } from '../results/model.js';
import type { EngineResult } from './engine.js';
import type { Scenario } from './scenario.js';
import type { ThresholdOutcome } from './thresholds.js';

/**
 * The scenario section of results.json, with the engine's own facts (why it stopped, what was
 * cut, how it connected) under `findings.engine`. An interrupted scenario keeps what it measured
 * and is `interrupted`: its thresholds are listed unjudged (`ok: null`), never blamed on the target. `corrected` is true for open-model runs only: a closed
 * loop starts each request when the last one ends, so no intended time exists to correct against.
 */
export function toScenarioResult(
  scenario: Scenario,
  result: EngineResult,
  findings: Record<string, unknown>,
  thresholds: readonly ThresholdOutcome[],
  checks: readonly Check[] = [],
): ScenarioResult {
  const all = result.stats.all;
  // A scenario cut short is not the gateway's doing: nothing of it is judged.
  const judged = !result.interrupted;
  // With no answer at all, every rate reads 0 and every latency threshold holds vacuously: the
  // silence itself is the finding, and it must not pass.
  const silent: Check[] =
    judged && result.totals.responses === 0
      ? [
          {
            metric: 'http.answers',
            expr: '> 0',
            ok: false,
            value: 0,
            note: `the gateway answered none of the ${result.totals.sent} requests sent`,
          },
        ]
      : [];
  return {
    id: scenario.id,
    title: scenario.title,
    executor: result.executor,
    source: 'engine',
    startedAt: result.startedAt,
    durationS: result.durationS,
    totals: {
      requests: result.totals.requests,
      byStatus: result.byStatus,
      errors: result.totals.errors,
      dropped: result.totals.dropped,
    },
    timeseries: result.timeseries,
    fineSeries: result.fineSeries,
    latency: {
      unit: 'us',
      corrected: result.model === 'open',
      histograms: result.histograms,
      percentiles: all
        ? { p50: all.p50, p90: all.p90, p95: all.p95, p99: all.p99, 'p99.9': all.p999, max: all.max }
        : undefined,
    },
    findings: {
      engine: {
        stopReason: result.stopReason,
        intended: result.totals.intended,
        sent: result.totals.sent,
        interrupted: result.totals.interrupted,
        errorsByCode: result.errorsByCode,
        startLagP99Us: result.stats.lag?.p99,
        ...result.transport,
      },
      ...findings,
    },
    thresholds: thresholds.map(({ expr, metric, ok, value }) => ({
      expr,
      metric,
      ok: judged ? ok : null,
      value,
    })),
    checks: [...checks, ...silent],
    verdict: judged ? scenarioVerdictOf(thresholds, [...checks, ...silent]) : 'interrupted',
  };
}

/** fail when a threshold or check failed; incomplete when a check could not be judged; otherwise pass. */
export function scenarioVerdictOf(
  thresholds: readonly Pick<ThresholdOutcome, 'ok'>[],
  checks: readonly Check[],
): ScenarioVerdict {
  if (thresholds.some((t) => !t.ok) || checks.some((c) => c.ok === false)) return 'fail';
  return checks.some((c) => c.ok === null) ? 'incomplete' : 'pass';
}

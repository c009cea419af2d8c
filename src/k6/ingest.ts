import { statSync } from 'node:fs';
import { evaluateChecks } from '../load/finding-checks.js';
import { FINE_STEP_MS } from '../load/fine-series.js';
import type { Scenario } from '../load/scenario.js';
import { scenarioVerdictOf } from '../load/scenario-result.js';
import { evaluateThresholds, type ThresholdOutcome } from '../load/thresholds.js';
import { collectResults } from '../results/collect.js';
import type { Results, RunEvent, ScenarioResult } from '../results/model.js';
import type { Profile, Throttle } from '../target/profile-schema.js';
import { UsageError } from '../usage-error.js';
import { K6Throttle, k6CacheFindings, k6WebSocketFindings } from './k6-findings.js';
import { ScenarioPoints } from './k6-points.js';
import type { RunnerSummary } from './k6-summary.js';
import { readInput } from './read-input.js';

export interface IngestOptions {
  /** gateproof's scenarios: a k6 scenario is matched to one by its name. */
  scenarios: readonly Scenario[];
  /** The scenario of summaries that do not name theirs (a summary only names it through a submetric). */
  scenario?: string;
  run: { id: string; tool: { name: string; version: string }; command?: string };
  /** The target the runners loaded; without it, one is described from the request URLs. */
  target?: Results['target'];
  /** The throttle the target declares (its profile's `plans.throttled`), judged against as the engine does. */
  declaredThrottle?: Throttle;
  /** The profile's check overrides by scenario, as `gateproof run` applies them. */
  profileChecks?: Profile['checks'];
}

/** k6's trend statistics under the names of gateproof's percentiles. */
const PERCENTILE_NAMES: Record<string, string> = {
  med: 'p50',
  'p(90)': 'p90',
  'p(95)': 'p95',
  'p(99)': 'p99',
  'p(99.9)': 'p99.9',
  max: 'max',
};

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function lookup(scenarios: readonly Scenario[], id: string, where: string): Scenario {
  const scenario = scenarios.find((s) => s.id === id);
  if (!scenario) {
    throw new UsageError(
      `${where}: k6 scenario '${id}' is not a gateproof scenario (known: ${scenarios.map((s) => s.id).join(', ')})`,
    );
  }
  return scenario;
}

function fromPoints(
  scenario: Scenario,
  points: ScenarioPoints,
  summaries: number,
  throttle: K6Throttle | undefined,
  { declaredThrottle: declared, profileChecks }: Pick<IngestOptions, 'declaredThrottle' | 'profileChecks'>,
): ScenarioResult {
  const durationS = round3(Math.max(0, points.lastMs - points.firstMs) / 1000);
  const { histograms, percentiles } = points.latency();
  const metrics = {
    histograms,
    requests: points.requests,
    failed: points.failed,
    dropped: points.dropped,
    durationS,
    byTag: points.byTag,
    ...(scenario.websocket && {
      connections: { attempted: points.websocket.attempted, failed: points.websocket.failed },
    }),
  };
  const thresholds: ThresholdOutcome[] = [];
  const notEvaluated: string[] = [];
  for (const [key, expressions] of Object.entries(scenario.thresholds ?? {})) {
    // A threshold on something the points do not carry is named, not guessed.
    try {
      thresholds.push(...evaluateThresholds({ [key]: expressions }, metrics));
    } catch {
      notEvaluated.push(key);
    }
  }
  const cached = points.cacheHits + points.cacheMisses;
  const totals = {
    requests: points.requests,
    byStatus: points.statusCounts(),
    errors: points.failed,
    dropped: points.dropped,
  };
  const fineSeries = points.fineSeries();
  const derived: Record<string, unknown> = {};
  if (throttle) {
    const { throttle: found, admitted } = throttle.findings(
      { totals, latency: { unit: 'us', corrected: false, histograms } },
      declared,
      fineSeries && {
        stepMs: fineSeries.stepMs,
        length: fineSeries.sent.length,
        startMs: Math.floor(points.firstMs / FINE_STEP_MS) * FINE_STEP_MS,
      },
    );
    derived.throttle = found;
    if (fineSeries && admitted) fineSeries.admitted = admitted;
  }
  if (cached > 0) derived.cache = k6CacheFindings(points.cacheHits, points.cacheMisses, histograms);
  if (scenario.websocket) derived.websocket = k6WebSocketFindings(points.websocket, histograms);
  // The scenario's finding checks, on what the points could show: the rest is not judged (ok: null).
  const checks = evaluateChecks({ ...scenario.checks, ...profileChecks?.[scenario.id] }, derived);
  return {
    id: scenario.id,
    title: scenario.title,
    executor: scenario.load.executor,
    source: 'k6',
    startedAt: new Date(points.firstMs).toISOString(),
    durationS,
    // k6 counts a request failed when its status is unexpected or no response came: that is `errors` here.
    totals,
    timeseries: points.timeseries(),
    ...(fineSeries && { fineSeries }),
    // k6 times a request from when it was sent, not from when it was due: uncorrected.
    latency: { unit: 'us', corrected: false, histograms, percentiles },
    findings: {
      k6: {
        runners: points.runners.size,
        latencySource: 'points',
        percentilesExact: true,
        transportErrors: points.transportErrors,
        ...(summaries > 0 && { summariesNotUsed: summaries }),
        ...(notEvaluated.length > 0 && { thresholdsNotEvaluated: notEvaluated }),
      },
      ...derived,
    },
    thresholds: thresholds.map(({ expr, metric, ok, value }) => ({ expr, metric, ok, value })),
    checks,
    verdict: scenarioVerdictOf(thresholds, checks),
  };
}

/** A threshold passed only if it passed on every runner: each judged its own share of the load. */
function summaryThresholds(summaries: readonly RunnerSummary[]): ScenarioResult['thresholds'] {
  const merged = new Map<string, { expr: string; metric: string; ok: boolean }>();
  for (const s of summaries) {
    for (const t of s.thresholds) {
      const key = `${t.metric}\u0000${t.expr}`;
      const seen = merged.get(key);
      merged.set(key, { ...t, ok: (seen?.ok ?? true) && t.ok });
    }
  }
  return [...merged.values()];
}

function fromSummaries(scenario: Scenario, summaries: readonly RunnerSummary[]): ScenarioResult {
  const sum = (pick: (s: RunnerSummary) => number) => summaries.reduce((total, s) => total + pick(s), 0);
  const durationMs = Math.max(0, ...summaries.map((s) => s.durationMs ?? 0));
  // A summary carries no start time; the file was written when the run ended.
  const endMs = Math.max(...summaries.map((s) => statSync(s.file).mtimeMs));
  const byStatus: Record<string, number> = {};
  for (const s of summaries)
    for (const [k, v] of Object.entries(s.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + v;
  const percentiles: Record<string, number> = {};
  const one = summaries.length === 1 ? summaries[0] : undefined;
  if (one) {
    for (const [stat, name] of Object.entries(PERCENTILE_NAMES)) {
      const ms = one.duration[stat];
      if (ms !== undefined) percentiles[name] = Math.round(ms * 1000);
    }
  } else {
    // The largest of the runners' maxima is the maximum of all; no such rule exists for a percentile.
    const maxima = summaries.map((s) => s.duration.max).filter((v) => v !== undefined);
    if (maxima.length === summaries.length) percentiles.max = Math.round(Math.max(...maxima) * 1000);
  }
  const thresholds = summaryThresholds(summaries);
  return {
    id: scenario.id,
    title: scenario.title,
    executor: scenario.load.executor,
    source: 'k6',
    startedAt: new Date(endMs - durationMs).toISOString(),
    durationS: round3(durationMs / 1000),
    totals: {
      requests: sum((s) => s.requests),
      byStatus,
      errors: sum((s) => s.failed),
      dropped: sum((s) => s.dropped),
    },
    timeseries: [],
    latency: { unit: 'us', corrected: false, histograms: {}, percentiles },
    findings: {
      k6: {
        runners: summaries.length,
        latencySource: 'summary',
        percentilesExact: summaries.length === 1,
        ...(summaries.length > 1 && {
          percentilesNote: `${summaries.length} runner summaries each hold percentiles of their own share of the load, and percentiles do not merge: ingest the runners' --out json files for exact ones`,
        }),
        thresholdsJudgedPerRunner: summaries.length > 1,
        startedAtFromFileTime: true,
      },
    },
    thresholds,
    verdict: thresholds.every((t) => t.ok) ? 'pass' : 'fail',
  };
}

function describeTarget(origin: string | undefined): Results['target'] {
  return {
    name: origin ? new URL(origin).host : 'unknown',
    kind: 'url',
    vendor: 'unknown',
    version: 'unknown',
    mode: 'rest',
    baseUrl: origin ?? '',
    profile: 'generic',
    features: { declared: [], detected: [] },
  };
}

/**
 * Folds k6 outputs (any mix of formats, one file per runner) into results: from raw points, exact
 * merged HDR histograms, per-second series and totals, and thresholds judged on the merged data;
 * from summaries alone, only what summaries can honestly give.
 */
export async function ingestK6(files: readonly string[], options: IngestOptions): Promise<Results> {
  if (files.length === 0) throw new UsageError('no k6 output files given');
  const points = new Map<string, ScenarioPoints>();
  const throttles = new Map<string, K6Throttle>();
  const summaries = new Map<string, RunnerSummary[]>();
  const order: string[] = [];
  const seen = (id: string) => {
    if (!order.includes(id)) order.push(id);
  };
  try {
    for (const file of files) {
      const input = await readInput(file, (point, line) => {
        const id = point.tags.scenario ?? 'default';
        let acc = points.get(id);
        if (!acc) {
          const scenario = lookup(options.scenarios, id, `${file}:${line}`);
          acc = new ScenarioPoints(
            id,
            new Set(scenario.requests.flatMap((t) => Object.keys(t.tags ?? {}))),
            scenario.websocket !== undefined,
          );
          points.set(id, acc);
          if (scenario.kind === 'throttle') throttles.set(id, new K6Throttle(scenario));
          seen(id);
        }
        acc.add(point, file);
        throttles.get(id)?.add(point);
      });
      if (input === 'points') continue;
      const id = options.scenario ?? input.scenario;
      if (id === undefined) {
        throw new UsageError(
          `${file}: a k6 summary does not say which scenario it measured: pass --scenario ID`,
        );
      }
      lookup(options.scenarios, id, file);
      summaries.set(id, [...(summaries.get(id) ?? []), input]);
      seen(id);
    }
    if (order.length === 0) throw new UsageError(`no k6 points or summaries in ${files.join(', ')}`);
    const results = order.map((id) => {
      const scenario = lookup(options.scenarios, id, 'k6 output');
      const fromRunners = points.get(id);
      return fromRunners
        ? fromPoints(scenario, fromRunners, summaries.get(id)?.length ?? 0, throttles.get(id), options)
        : fromSummaries(scenario, summaries.get(id) ?? []);
    });
    const origin = [...points.values()].find((p) => p.origin)?.origin;
    const startMs = Math.min(...results.map((s) => Date.parse(s.startedAt)));
    const endMs = Math.max(...results.map((s) => Date.parse(s.startedAt) + s.durationS * 1000));
    const events: RunEvent[] = [
      {
        type: 'run-start',
        run: {
          id: options.run.id,
          startedAt: new Date(startMs).toISOString(),
          finishedAt: new Date(endMs).toISOString(),
          tool: options.run.tool,
          node: process.version,
          ...(options.run.command && { command: options.run.command }),
        },
        target: options.target ?? describeTarget(origin),
      },
      ...results.map((scenario): RunEvent => ({ type: 'scenario', scenario })),
      { type: 'run-end', finishedAt: new Date(endMs).toISOString() },
    ];
    return collectResults(events);
  } finally {
    for (const acc of points.values()) acc.destroy();
  }
}

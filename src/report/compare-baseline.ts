import { histogramStats, withHistogram } from '../load/histograms.js';
import { scenarioVerdict } from '../results/collect.js';
import type { Results, ScenarioResult } from '../results/model.js';
import { thresholdLabel } from '../results/scenario-sentence.js';
import { formatChange, formatChangeValue } from './compare-verdict.js';

/**
 * A baseline comparison: every other run against the first, for CI's "did this release make the
 * gateway worse?". A regression is a case that passed in the baseline and fails now, or a figure
 * that moved past its limit in the bad direction. Both the cases and the figures are named.
 */

/** How far a figure may move before it is a regression; the CLI's `--limit NAME=VALUE`. */
export interface RegressionLimits {
  /** p99 latency per status: relative rise (0.5 = 50 % slower) … */
  p99: number;
  /** … and at least this many milliseconds, so loopback jitter on a sub-millisecond p99 is not a regression. */
  p99FloorMs: number;
  /** Inferred throttle rate and burst: relative change either way. */
  rate: number;
  burst: number;
  /** Share of 429 answers: absolute change either way (0.05 = 5 points). */
  share429: number;
  /** Cache hit ratio: absolute fall. */
  hitRatio: number;
  /** Invalidation visibility time: relative rise, with the p99 floor's idea in `invalidationFloorMs`. */
  invalidation: number;
  invalidationFloorMs: number;
}

export const DEFAULT_LIMITS: RegressionLimits = {
  p99: 0.5,
  p99FloorMs: 25,
  rate: 0.1,
  burst: 0.25,
  share429: 0.1,
  hitRatio: 0.05,
  invalidation: 0.5,
  invalidationFloorMs: 100,
};

export interface CaseChange {
  id: string;
  title: string;
  /** The column (label) of the run where it changed. */
  run: string;
  from: string;
  to: string;
  message?: string;
}

export interface FigureChange {
  run: string;
  scenario: string;
  figure: string;
  unit: 'ms' | 'rps' | 'count' | 'ratio';
  baseline: number;
  value: number;
  /** value − baseline, and relative to the baseline when it is not 0. */
  change: number;
  relative: number | null;
  /** What the limit allows, in words, and whether this change passed it. */
  limit: string;
  regression: boolean;
}

export interface BaselineDiff {
  baseline: string;
  regression: boolean;
  /** One line per reason, the most serious first: what CI shows. */
  reasons: string[];
  newlyFailing: CaseChange[];
  newlyPassing: CaseChange[];
  /** Scenarios whose verdict became fail (a threshold or a finding check broke). */
  newlyFailingScenarios: CaseChange[];
  figures: FigureChange[];
  limits: RegressionLimits;
}

const round = (v: number, digits = 4) => Number(v.toFixed(digits));

function statusP99Ms(s: ScenarioResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, encoded] of Object.entries(s.latency.histograms)) {
    const status = /^status:(\d{3})$/.exec(name)?.[1];
    if (!status) continue;
    try {
      const stats = withHistogram(encoded, histogramStats);
      if (stats.count > 0) out.set(status, stats.p99 / 1000);
    } catch {
      // A histogram that does not decode has no figure to compare.
    }
  }
  const all = s.latency.percentiles?.p99;
  if (out.size === 0 && all !== undefined) out.set('all', all / 1000);
  return out;
}

function finding(s: ScenarioResult, path: string): number | undefined {
  let value: unknown = s.findings;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

interface Rule {
  figure: string;
  unit: FigureChange['unit'];
  read: (s: ScenarioResult) => number | undefined;
  /** Whether this change is past the limit, and the limit in words. */
  judge: (baseline: number, value: number, limits: RegressionLimits) => [boolean, string];
}

const pct = (x: number) => `${round(x * 100, 1)} %`;

function rules(baseline: ScenarioResult, candidate: ScenarioResult): Rule[] {
  const slower: Rule['judge'] = (b, v, l) => [
    v > b * (1 + l.p99) && v - b > l.p99FloorMs,
    `rise ≤ ${pct(l.p99)} or ≤ ${l.p99FloorMs} ms`,
  ];
  const base = statusP99Ms(baseline);
  const now = statusP99Ms(candidate);
  const p99s: Rule[] = [...base.keys()]
    .filter((status) => now.has(status))
    .map((status) => ({
      figure: status === 'all' ? 'p99' : `p99 of ${status}`,
      unit: 'ms',
      read: (s) => (s === baseline ? base : now).get(status),
      judge: slower,
    }));
  const either =
    (key: 'rate' | 'burst'): Rule['judge'] =>
    (b, v, l) => [b !== 0 && Math.abs(v / b - 1) > l[key], `change ≤ ${pct(l[key])} either way`];
  return [
    ...p99s,
    {
      figure: 'inferred throttle rate',
      unit: 'rps',
      read: (s) => finding(s, 'throttle.inferredRate'),
      judge: either('rate'),
    },
    {
      figure: 'inferred burst',
      unit: 'count',
      read: (s) => finding(s, 'throttle.inferredBurst'),
      judge: either('burst'),
    },
    {
      figure: 'share of 429',
      unit: 'ratio',
      read: (s) => finding(s, 'throttle.share429'),
      judge: (b, v, l) => [Math.abs(v - b) > l.share429, `change ≤ ${pct(l.share429)} points either way`],
    },
    {
      figure: 'cache hit ratio',
      unit: 'ratio',
      read: (s) => finding(s, 'cache.hitRatio'),
      judge: (b, v, l) => [b - v > l.hitRatio, `fall ≤ ${pct(l.hitRatio)} points`],
    },
    {
      figure: 'invalidation visible after',
      unit: 'ms',
      read: (s) => finding(s, 'cache.invalidationVisibleMs'),
      judge: (b, v, l) => [
        v > b * (1 + l.invalidation) && v - b > l.invalidationFloorMs,
        `rise ≤ ${pct(l.invalidation)} or ≤ ${l.invalidationFloorMs} ms`,
      ],
    },
  ];
}

function figureChanges(
  run: string,
  baseline: ScenarioResult,
  candidate: ScenarioResult,
  limits: RegressionLimits,
): FigureChange[] {
  const out: FigureChange[] = [];
  for (const rule of rules(baseline, candidate)) {
    const b = rule.read(baseline);
    const v = rule.read(candidate);
    if (b === undefined || v === undefined) continue;
    const [regression, limit] = rule.judge(b, v, limits);
    out.push({
      run,
      scenario: candidate.id,
      figure: rule.figure,
      unit: rule.unit,
      baseline: round(b),
      value: round(v),
      change: round(v - b),
      relative: b === 0 ? null : round(v / b - 1),
      limit,
      regression,
    });
  }
  return out;
}

const FAILED = new Set(['fail']);

/** Every run after the first against the first; `labels` name the columns, baseline first. */
export function baselineDiff(
  runs: ReadonlyArray<Results>,
  labels: readonly string[],
  limits: RegressionLimits = DEFAULT_LIMITS,
): BaselineDiff {
  const [baseline, ...candidates] = runs;
  if (!baseline) throw new Error('a baseline comparison needs a baseline run');
  const before = new Map(baseline.cases.map((c) => [c.id, c]));
  const newlyFailing: CaseChange[] = [];
  const newlyPassing: CaseChange[] = [];
  const figures: FigureChange[] = [];
  const newlyFailingScenarios: CaseChange[] = [];
  candidates.forEach((results, i) => {
    const run = labels[i + 1] as string;
    for (const c of results.cases) {
      const was = before.get(c.id);
      if (!was) continue;
      const change = { id: c.id, title: c.title, run, from: was.status, to: c.status };
      if (FAILED.has(c.status) && !FAILED.has(was.status))
        newlyFailing.push({ ...change, ...(c.message !== undefined && { message: c.message }) });
      else if (c.status === 'pass' && FAILED.has(was.status)) newlyPassing.push(change);
    }
    for (const s of results.scenarios) {
      const b = baseline.scenarios.find((x) => x.id === s.id);
      if (!b) continue;
      figures.push(...figureChanges(run, b, s, limits));
      const [was, now] = [scenarioVerdict(b), scenarioVerdict(s)];
      if (now === 'fail' && was !== 'fail') {
        const failed = [
          ...(s.checks ?? []).filter((c) => c.ok === false).map((c) => `${c.metric} ${c.expr}`),
          ...s.thresholds.filter((t) => t.ok === false).map(thresholdLabel),
        ];
        newlyFailingScenarios.push({
          id: s.id,
          title: s.title ?? s.id,
          run,
          from: was,
          to: now,
          ...(failed.length > 0 && { message: failed.join(', ') }),
        });
      }
    }
  });
  const regressed = figures.filter((f) => f.regression);
  const reasons = [
    ...newlyFailing.map((c) => `${c.run}: ${c.id} newly fails (${c.from} → ${c.to})`),
    ...newlyFailingScenarios.map(
      (c) => `${c.run}: scenario ${c.id} newly fails${c.message ? ` (${c.message})` : ''}`,
    ),
    ...regressed.map(
      (f) =>
        `${f.run}: ${f.scenario} ${f.figure} ${formatChangeValue(f.unit, f.baseline)} → ${formatChangeValue(f.unit, f.value)}, ${formatChange(f)}, limit: ${f.limit}`,
    ),
  ];
  return {
    baseline: labels[0] as string,
    regression: reasons.length > 0,
    reasons,
    newlyFailing,
    newlyPassing,
    newlyFailingScenarios,
    figures,
    limits,
  };
}

/** `--limit p99=0.3`: a known limit name and a non-negative number; anything else is a usage error (thrown as a message). */
export function parseLimit(text: string, into: RegressionLimits): RegressionLimits {
  const match = /^([A-Za-z0-9]+)=([0-9.]+)$/.exec(text.trim());
  const name = match?.[1] as keyof RegressionLimits | undefined;
  const value = Number(match?.[2]);
  if (!name || !(name in DEFAULT_LIMITS) || !Number.isFinite(value) || value < 0) {
    throw new Error(
      `--limit ${text}: expected NAME=NUMBER with NAME one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
    );
  }
  return { ...into, [name]: value };
}

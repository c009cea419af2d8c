import type { Check } from '../results/model.js';
import type { Profile } from '../target/profile-schema.js';
import type { Scenario } from './scenario.js';

/**
 * Findings judged like thresholds: a check names a finding (`throttle.burst`) and an expression
 * over it, k6-style. Scenarios carry defaults; a target's profile overrides them by scenario
 * (`checks: {throttle-burst: {throttle.burst: 'within(declared, 25%)'}}`), or turns one `off`.
 *
 * - `within(declared, P%)`: the declared value lies inside the finding's 95 % interval widened by
 *   P % on each side. Fails when it lies outside: the gateway's bucket is not the declared one.
 * - `OP NUMBER`, `OP expected`, `OP expected - NUMBER` (OP one of < <= > >= == !=): the finding
 *   against a number, or against what a correct gateway would give this traffic (`expected`).
 *
 * A check is `ok: null`, never a pass, when the run did not show what it needs: no value (too few
 * refusals to fit a bucket), or a value the findings themselves distrust (`inferenceTrusted:
 * false`, a stalled generator or target). A throttle that admitted more than the declared bucket
 * could ever admit fails whatever the fit says: stalls only lower what is admitted.
 */

/** Where a metric's value, declared value, interval and `expected` sit in the findings. */
interface MetricSource {
  group: string;
  value: string;
  declared?: string;
  interval?: string;
  expected?: string;
  /** The finding that says whether `value` can be trusted. */
  trusted?: string;
  /** A finding that must be above 0 for the value to mean anything, and what it stands for. */
  premise?: { path: string; what: string };
}

const METRICS: Record<string, MetricSource> = {
  'throttle.rate': {
    group: 'throttle',
    value: 'inferredRate',
    declared: 'declaredRate',
    interval: 'rateCI',
    trusted: 'inferenceTrusted',
  },
  'throttle.burst': {
    group: 'throttle',
    value: 'inferredBurst',
    declared: 'declaredBurst',
    interval: 'burstCI',
    trusted: 'inferenceTrusted',
  },
  'throttle.share429': { group: 'throttle', value: 'share429' },
  'throttle.share429{key:isolated}': {
    group: 'throttle',
    value: 'isolation.victimShare429',
    premise: { path: 'share429', what: 'the flooding key was never refused: the isolation was not tested' },
  },
  'cache.hitRatio': { group: 'cache', value: 'hitRatio', expected: 'expectedHitRatio' },
  'cache.invalidationVisibleMs': { group: 'cache', value: 'invalidationVisibleMs' },
  'cache.invalidationVisibleMaxMs': { group: 'cache', value: 'invalidationVisibleMaxMs' },
  'cache.invalidationsIgnored': { group: 'cache', value: 'invalidationsIgnored' },
  'cache.maxOriginRequestsPerFill': { group: 'cache', value: 'maxOriginRequestsPerFill' },
  'canary.share': { group: 'canary', value: 'share', declared: 'declaredShare', interval: 'shareCI' },
};

export const CHECK_METRICS = Object.keys(METRICS);

const WITHIN = /^\s*within\(\s*declared\s*,\s*(\d+(?:\.\d+)?)\s*%\s*\)\s*$/;
const COMPARE = /^\s*(<=|>=|==|!=|<|>)\s*(?:(-?\d+(?:\.\d+)?)|expected(?:\s*([+-])\s*(\d+(?:\.\d+)?))?)\s*$/;

/** A check expression's shape, or why it is not one: profiles are checked before anything runs. */
export function checkExpressionProblem(metric: string, expr: string): string | undefined {
  const source = METRICS[metric];
  if (!source) return `unknown check metric '${metric}': use ${CHECK_METRICS.join(', ')}`;
  if (expr === 'off') return undefined;
  const within = WITHIN.exec(expr);
  if (within) return source.declared ? undefined : `${metric} has no declared value: within() does not apply`;
  const compare = COMPARE.exec(expr);
  if (!compare) {
    return `check '${expr}' on ${metric} is not valid: expected 'within(declared, 10%)' or a comparison such as '>= expected - 0.05' or '< 1000'`;
  }
  if (compare[2] === undefined && !source.expected) return `${metric} has no expected value to compare with`;
  return undefined;
}

function read(findings: Record<string, unknown>, group: string, path: string | undefined): unknown {
  if (path === undefined) return undefined;
  let value: unknown = findings[group];
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function compare(value: number, op: string, bound: number): boolean {
  switch (op) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    case '!=':
      return value !== bound;
    default:
      return value === bound;
  }
}

/** More admitted than a bucket of the declared rate and burst could admit in the admissions' span, with the tolerance on top. */
function overAdmitted(throttle: Record<string, unknown>, tolerance: number): string | undefined {
  const admitted = num(throttle.admitted);
  const spanS = num(throttle.admittedSpanS);
  const rate = num(throttle.declaredRate);
  const burst = num(throttle.declaredBurst);
  if (admitted === undefined || spanS === undefined || rate === undefined || burst === undefined)
    return undefined;
  const most = (burst + rate * spanS) * (1 + tolerance);
  return admitted > most
    ? `admitted ${admitted} in ${spanS} s, more than a bucket of rate ${rate} and burst ${burst} allows (${Math.floor(most)} with the tolerance)`
    : undefined;
}

function within(
  metric: string,
  expr: string,
  percent: number,
  source: MetricSource,
  findings: Record<string, unknown>,
): Check {
  const tolerance = percent / 100;
  const value = num(read(findings, source.group, source.value));
  const declared = num(read(findings, source.group, source.declared));
  const base = {
    metric,
    expr,
    ...(value !== undefined && { value }),
    ...(declared !== undefined && { bound: declared }),
  };
  if (declared === undefined)
    return { ...base, ok: null, note: 'the target declares no value to hold it against' };
  const group = (findings[source.group] ?? {}) as Record<string, unknown>;
  const interval = read(findings, source.group, source.interval);
  const trusted = source.trusted === undefined || read(findings, source.group, source.trusted) !== false;
  const measured = value !== undefined && Array.isArray(interval) && num(interval[0]) !== undefined;
  if (!measured || !trusted) {
    // Without a fit to trust, only what no bucket of the declared size could have admitted decides.
    const over = source.group === 'throttle' ? overAdmitted(group, tolerance) : undefined;
    if (over) return { ...base, ok: false, note: over };
    const note = typeof group.note === 'string' ? group.note : undefined;
    return {
      ...base,
      ok: null,
      note: note ?? (measured ? 'the findings do not trust this value' : 'no value was measured'),
    };
  }
  const [from, to] = interval as [number, number | undefined];
  const lo = from * (1 - tolerance);
  const hi = (num(to) ?? from) * (1 + tolerance);
  const ok = declared >= lo && declared <= hi;
  return {
    ...base,
    ok,
    ...(!ok && {
      note: `declared ${declared} lies outside the measured ${from}..${to ?? from} widened by ${percent}% (${Number(lo.toFixed(2))}..${Number(hi.toFixed(2))})`,
    }),
  };
}

function comparison(
  metric: string,
  expr: string,
  match: RegExpExecArray,
  source: MetricSource,
  findings: Record<string, unknown>,
): Check {
  const value = num(read(findings, source.group, source.value));
  const op = match[1] as string;
  let bound = num(match[2] === undefined ? undefined : Number(match[2]));
  if (match[2] === undefined) {
    const expected = num(read(findings, source.group, source.expected));
    const offset = match[4] === undefined ? 0 : Number(match[4]) * (match[3] === '-' ? -1 : 1);
    bound = expected === undefined ? undefined : Number((expected + offset).toFixed(4));
  }
  const base = { metric, expr, ...(value !== undefined && { value }), ...(bound !== undefined && { bound }) };
  if (bound === undefined) return { ...base, ok: null, note: 'no expected value could be worked out' };
  if (value === undefined) return { ...base, ok: null, note: 'no value was measured' };
  if (source.premise && !((num(read(findings, source.group, source.premise.path)) ?? 0) > 0)) {
    const stalled = read(findings, source.group, 'note');
    return {
      ...base,
      ok: null,
      note: `${source.premise.what}${typeof stalled === 'string' ? `; ${stalled}` : ''}`,
    };
  }
  const ok = compare(value, op, bound);
  return { ...base, ok, ...(!ok && { note: `${value} is not ${op} ${bound}` }) };
}

/** Judges a scenario's findings by its checks (metric → expression); `off` drops a check. */
export function evaluateChecks(checks: Record<string, string>, findings: Record<string, unknown>): Check[] {
  const outcomes: Check[] = [];
  for (const [metric, expr] of Object.entries(checks)) {
    const problem = checkExpressionProblem(metric, expr);
    if (problem) throw new Error(problem);
    if (expr === 'off') continue;
    const source = METRICS[metric] as MetricSource;
    const w = WITHIN.exec(expr);
    if (w) outcomes.push(within(metric, expr, Number(w[1]), source, findings));
    else outcomes.push(comparison(metric, expr, COMPARE.exec(expr) as RegExpExecArray, source, findings));
  }
  return outcomes;
}

/** The checks a scenario runs with against this target: its defaults, overridden by the profile's. */
export function checksFor(scenario: Scenario, profile: Profile): Record<string, string> {
  return { ...scenario.checks, ...profile.checks?.[scenario.id] };
}

/** Problems of a profile's `checks` section, one line each: unknown scenarios, metrics or expressions. */
export function profileCheckProblems(profile: Profile, scenarioIds: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [id, checks] of Object.entries(profile.checks ?? {})) {
    if (!scenarioIds.includes(id)) {
      problems.push(`checks.${id}: no such scenario; known scenarios: ${scenarioIds.join(', ')}`);
      continue;
    }
    for (const [metric, expr] of Object.entries(checks)) {
      const problem = checkExpressionProblem(metric, expr);
      if (problem) problems.push(`checks.${id}: ${problem}`);
    }
  }
  return problems;
}

/** A scenario cut short: its checks are listed, none judged. */
export function unjudgedChecks(checks: Record<string, string>, why: string): Check[] {
  return Object.entries(checks)
    .filter(([, expr]) => expr !== 'off')
    .map(([metric, expr]) => ({ metric, expr, ok: null, note: why }));
}

import type { ScenarioResult } from '../results/model.js';
import type { CompareFigure } from './compare-model.js';

type Unit = CompareFigure['unit'];

interface FigureSpec {
  name: string;
  label: string;
  unit: Unit;
  read(s: ScenarioResult): unknown;
}

/** A finding by its path (`throttle.inferredRate`), when the load engine or k6 ingester wrote it. */
function finding(s: ScenarioResult, path: string): unknown {
  let value: unknown = s.findings;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function share429(s: ScenarioResult): number | undefined {
  const reported = finding(s, 'throttle.share429');
  if (typeof reported === 'number') return reported;
  return s.totals.requests > 0 ? (s.totals.byStatus['429'] ?? 0) / s.totals.requests : undefined;
}

/** The figures a person compares gateways by, in the order they read them. */
const FIGURES: FigureSpec[] = [
  { name: 'requests', label: 'requests', unit: 'count', read: (s) => s.totals.requests },
  {
    name: 'throttle.declaredRate',
    label: 'throttle rate, declared',
    unit: 'rps',
    read: (s) => finding(s, 'throttle.declaredRate'),
  },
  {
    name: 'throttle.inferredRate',
    label: 'throttle rate, inferred',
    unit: 'rps',
    read: (s) => finding(s, 'throttle.inferredRate'),
  },
  {
    name: 'throttle.declaredBurst',
    label: 'burst, declared',
    unit: 'count',
    read: (s) => finding(s, 'throttle.declaredBurst'),
  },
  {
    name: 'throttle.inferredBurst',
    label: 'burst, inferred',
    unit: 'count',
    read: (s) => finding(s, 'throttle.inferredBurst'),
  },
  // A sliding-window limiter has no bucket: what it admitted in one declared window instead.
  {
    name: 'throttle.maxInWindow',
    label: 'most admitted in one window',
    unit: 'count',
    read: (s) => finding(s, 'throttle.maxInWindow'),
  },
  { name: 'share429', label: 'share of 429', unit: 'ratio', read: share429 },
  // How cheap a refusal is: a gateway that makes a 429 as slowly as a 200 protects nothing.
  {
    name: 'throttle.p50Us429',
    label: '429 latency p50',
    unit: 'us',
    read: (s) => finding(s, 'throttle.p50Us429'),
  },
  {
    name: 'throttle.p99Us429',
    label: '429 latency p99',
    unit: 'us',
    read: (s) => finding(s, 'throttle.p99Us429'),
  },
  { name: 'latency.p50', label: 'latency p50', unit: 'us', read: (s) => s.latency.percentiles?.p50 },
  { name: 'latency.p99', label: 'latency p99', unit: 'us', read: (s) => s.latency.percentiles?.p99 },
  {
    name: 'cache.hitRatio',
    label: 'cache hit ratio (at the origin)',
    unit: 'ratio',
    read: (s) => finding(s, 'cache.hitRatio'),
  },
  { name: 'cache.hitP50Us', label: 'cache hit p50', unit: 'us', read: (s) => finding(s, 'cache.hitP50Us') },
  {
    name: 'cache.missP50Us',
    label: 'cache miss p50',
    unit: 'us',
    read: (s) => finding(s, 'cache.missP50Us'),
  },
  {
    name: 'cache.invalidationVisibleMs',
    label: 'invalidation visible after',
    unit: 'ms',
    read: (s) => finding(s, 'cache.invalidationVisibleMs'),
  },
  { name: 'dropped', label: 'dropped arrivals', unit: 'count', read: (s) => s.totals.dropped },
  { name: 'errors', label: 'transport errors', unit: 'count', read: (s) => s.totals.errors },
];

/** One scenario's headline figures across runs; a figure no run has is left out. */
export function scenarioFigures(runs: ReadonlyArray<ScenarioResult | undefined>): CompareFigure[] {
  return FIGURES.map(({ name, label, unit, read }) => ({
    name,
    label,
    unit,
    values: runs.map((s) => {
      const value = s ? read(s) : undefined;
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    }),
  })).filter((f) => f.values.some((v) => v !== null));
}

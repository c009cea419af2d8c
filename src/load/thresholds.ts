import type { EngineResult } from './engine.js';
import { type Histogram, withHistogram } from './histograms.js';

/** What thresholds are evaluated against: a run's histograms (microseconds) and counters. */
export interface ThresholdMetrics {
  histograms: Record<string, string>;
  /** http_reqs: responses plus transport errors. */
  requests: number;
  /** http_req_failed's numerator: unexpected statuses plus errors. */
  failed: number;
  dropped: number;
  durationS: number;
  /** WebSocket runs: connections attempted and not opened, for `ws_connect_failed`. */
  connections?: { attempted: number; failed: number };
  /** Per tag group (`key:other`, `tag:hit`): requests and failed ones, for `http_req_failed{key:other}`. */
  byTag?: Record<string, { requests: number; failed: number }>;
}

export interface ThresholdOutcome {
  expr: string;
  metric: string;
  ok: boolean;
  value?: number;
}

export function thresholdMetrics(result: EngineResult): ThresholdMetrics {
  const { requests, failed, dropped } = result.totals;
  const byTag: NonNullable<ThresholdMetrics['byTag']> = {};
  for (const [name, counts] of Object.entries(result.byTag)) {
    const responses = Object.values(counts.byStatus).reduce((sum, n) => sum + n, 0);
    byTag[name] = { requests: responses + counts.errors, failed: counts.failed };
  }
  return { histograms: result.histograms, requests, failed, dropped, durationS: result.durationS, byTag };
}

const METRIC = /^([a-z_]+)(?:\{\s*([A-Za-z0-9_-]+)\s*:\s*([^{}]+?)\s*\})?$/;
const EXPRESSION =
  /^\s*(avg|min|med|max|count|rate|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

const KINDS = {
  http_req_duration: ['avg', 'min', 'med', 'max', 'p'],
  http_req_failed: ['rate'],
  dropped_iterations: ['count', 'rate'],
  http_reqs: ['count', 'rate'],
  // WebSocket runs: k6's ws_connecting, and the trends and rate gateproof's k6 scripts define.
  ws_connecting: ['avg', 'min', 'med', 'max', 'p'],
  ws_roundtrip: ['avg', 'min', 'med', 'max', 'p'],
  ws_push: ['avg', 'min', 'med', 'max', 'p'],
  ws_connect_failed: ['rate'],
} as const satisfies Record<string, readonly string[]>;
type MetricName = keyof typeof KINDS;

/** The histogram a trend reads (a submetric selects another by name). */
const HISTOGRAM = {
  http_req_duration: 'all',
  ws_connecting: 'ws_connecting',
  // A WebSocket run's `all` is its round trip: the latency the report draws.
  ws_roundtrip: 'all',
  ws_push: 'ws_push',
} as const;

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

/** A trend aggregation in k6's units (milliseconds); an empty trend reads 0, as in k6. */
function trendValue(h: Histogram, aggregation: string, percentile: number): number {
  if (h.totalCount === 0) return 0;
  const us =
    aggregation === 'avg'
      ? h.mean
      : aggregation === 'min'
        ? h.getValueAtPercentile(0)
        : aggregation === 'max'
          ? h.maxValue
          : h.getValueAtPercentile(aggregation === 'med' ? 50 : percentile);
  return us / 1000;
}

function metricValue(
  metric: MetricName,
  selector: string | undefined,
  aggregation: string,
  percentile: number,
  m: ThresholdMetrics,
): number {
  const perSecond = (count: number) => (m.durationS > 0 ? count / m.durationS : 0);
  switch (metric) {
    case 'ws_connecting':
    case 'ws_roundtrip':
    case 'ws_push':
    case 'http_req_duration': {
      const encoded = m.histograms[selector ?? HISTOGRAM[metric]];
      return encoded === undefined
        ? 0
        : withHistogram(encoded, (h) => trendValue(h, aggregation, percentile));
    }
    case 'http_req_failed': {
      const { requests, failed } =
        selector === undefined ? m : (m.byTag?.[selector] ?? { requests: 0, failed: 0 });
      return requests > 0 ? failed / requests : 0;
    }
    case 'ws_connect_failed': {
      const { attempted, failed } = m.connections ?? { attempted: 0, failed: 0 };
      return attempted > 0 ? failed / attempted : 0;
    }
    case 'dropped_iterations':
      return aggregation === 'rate' ? perSecond(m.dropped) : m.dropped;
    case 'http_reqs': {
      const encoded = selector === undefined ? undefined : m.histograms[selector];
      const count =
        selector === undefined
          ? m.requests
          : encoded === undefined
            ? 0
            : withHistogram(encoded, (h) => h.totalCount);
      return aggregation === 'rate' ? perSecond(count) : count;
    }
  }
}

/**
 * Evaluates k6 thresholds (`{'http_req_duration{status:200}': ['p(99)<250']}`) against a run.
 * Durations are in milliseconds as in k6, read off the coordinated-omission-corrected histograms.
 * A submetric selects the histogram of the same name (`{status:2xx}`, `{status:429}`, `{tag:hit}`),
 * or for http_req_failed the tag group (`{key:other}`); one with no samples reads 0, as an empty k6
 * submetric does.
 */
export function evaluateThresholds(
  thresholds: Record<string, readonly string[]>,
  metrics: ThresholdMetrics,
): ThresholdOutcome[] {
  const outcomes: ThresholdOutcome[] = [];
  for (const [key, expressions] of Object.entries(thresholds)) {
    const parsed = METRIC.exec(key.trim());
    const name = parsed?.[1];
    if (!parsed || !name || !(name in KINDS)) {
      throw new Error(`threshold metric '${key}' is not supported: use ${Object.keys(KINDS).join(', ')}`);
    }
    const metric = name as MetricName;
    const selector = parsed[2] === undefined ? undefined : `${parsed[2]}:${parsed[3]}`;
    if (selector !== undefined && metric === 'dropped_iterations') {
      throw new Error(`threshold metric '${key}': ${metric} takes no {tag:value} selector here`);
    }
    for (const expr of expressions) {
      const e = EXPRESSION.exec(expr);
      const aggregation = e?.[1]?.startsWith('p(') ? 'p' : e?.[1];
      if (!e || !aggregation || !(KINDS[metric] as readonly string[]).includes(aggregation)) {
        throw new Error(
          `threshold '${expr}' on ${key} is not valid: expected one of ${KINDS[metric].join(', ')} then a comparison, e.g. 'p(99)<250'`,
        );
      }
      const percentile = Number(e[2] ?? 0);
      if (percentile > 100) throw new Error(`threshold '${expr}' on ${key}: a percentile is at most 100`);
      const value = metricValue(metric, selector, aggregation, percentile, metrics);
      outcomes.push({ expr, metric: key, ok: compare(value, e[3] as string, Number(e[4])), value });
    }
  }
  return outcomes;
}

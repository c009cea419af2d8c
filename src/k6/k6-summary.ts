import { UsageError } from '../usage-error.js';
import { fromK6ThresholdKey } from './k6-metrics.js';

/**
 * One runner's end-of-test summary, from either of k6's formats:
 * - `handleSummary(data)` JSON (k6 v0.30 on, still the default data in 1.x and 2.x; not the opt-in
 *   `--new-machine-readable-summary` shape): `metrics.NAME = {type, contains, values: {...},
 *   thresholds: {EXPR: {ok}}}`;
 * - the older `--summary-export` file: `metrics.NAME = {avg, min, ..., thresholds: {EXPR: failed}}`,
 *   its booleans true when the threshold FAILED, and rates as `{passes, fails, value}`.
 */
export interface RunnerSummary {
  file: string;
  format: 'handleSummary' | 'summary-export';
  /** The k6 scenario named by a `{scenario:NAME}` submetric, when the summary has one. */
  scenario?: string;
  durationMs?: number;
  requests: number;
  /** http_req_failed's true values: unexpected statuses plus requests with no response. */
  failed: number;
  dropped: number;
  /** http_req_duration's summary figures in milliseconds (avg, min, med, max, p(90), ...). */
  duration: Record<string, number>;
  /** From `http_reqs{status:NNN}` submetrics, when thresholds made k6 keep them. */
  byStatus: Record<string, number>;
  thresholds: { metric: string; expr: string; ok: boolean }[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Which summary format a parsed JSON document is, if any. */
export function summaryFormat(doc: unknown): RunnerSummary['format'] | undefined {
  if (!isObject(doc) || !isObject(doc.metrics)) return undefined;
  const metrics = Object.values(doc.metrics).filter(isObject);
  if (metrics.length === 0) return undefined;
  if (metrics.every((m) => typeof m.type === 'string' && isObject(m.values))) return 'handleSummary';
  if (metrics.every((m) => !('values' in m) && Object.values(m).some((v) => typeof v === 'number'))) {
    return 'summary-export';
  }
  return undefined;
}

function figures(format: RunnerSummary['format'], metric: unknown): Json {
  if (!isObject(metric)) return {};
  if (format === 'handleSummary') return isObject(metric.values) ? metric.values : {};
  const { thresholds: _, ...rest } = metric;
  return rest;
}

function thresholdsOf(
  format: RunnerSummary['format'],
  key: string,
  metric: unknown,
): RunnerSummary['thresholds'] {
  if (!isObject(metric) || !isObject(metric.thresholds)) return [];
  return Object.entries(metric.thresholds).map(([expr, result]) => ({
    metric: fromK6ThresholdKey(key),
    expr,
    // --summary-export says whether a threshold failed; handleSummary says whether it is ok.
    ok: format === 'handleSummary' ? isObject(result) && result.ok === true : result === false,
  }));
}

/** Reads a parsed summary; `format` from summaryFormat(). */
export function readSummary(file: string, doc: Json, format: RunnerSummary['format']): RunnerSummary {
  const metrics = doc.metrics as Json;
  const get = (name: string) => figures(format, metrics[name]);
  const state = isObject(doc.state) ? doc.state : {};
  const failedRate = get('http_req_failed');
  const scenarios = new Set<string>();
  const byStatus: Record<string, number> = {};
  const thresholds: RunnerSummary['thresholds'] = [];
  for (const [key, metric] of Object.entries(metrics)) {
    thresholds.push(...thresholdsOf(format, key, metric));
    const scenario = /\{scenario:([^{}]+)\}$/.exec(key)?.[1];
    if (scenario) scenarios.add(scenario.trim());
    const status = /^http_reqs\{status:(\d{3})\}$/.exec(key)?.[1];
    const statusCount = num(figures(format, metric).count);
    if (status && statusCount) byStatus[status] = statusCount;
  }
  if (scenarios.size > 1) {
    throw new UsageError(
      `${file}: the summary mixes k6 scenarios (${[...scenarios].join(', ')}); export one per file`,
    );
  }
  const duration: Record<string, number> = {};
  for (const [stat, value] of Object.entries(get('http_req_duration'))) {
    const n = num(value);
    if (n !== undefined) duration[stat] = n;
  }
  const requests = get('http_reqs');
  const count = num(requests.count) ?? 0;
  const rate = num(requests.rate) ?? 0;
  // --summary-export has no run duration; http_reqs' rate is its count over that duration.
  const durationMs =
    num(state.testRunDurationMs) ?? (count > 0 && rate > 0 ? (count / rate) * 1000 : undefined);
  return {
    file,
    format,
    ...(scenarios.size === 1 && { scenario: [...scenarios][0] }),
    ...(durationMs !== undefined && { durationMs }),
    requests: count,
    // A rate's "passes" are its true values: for http_req_failed, the failed requests.
    failed: num(failedRate.passes) ?? 0,
    dropped: num(get('dropped_iterations').count) ?? 0,
    duration,
    byStatus,
    thresholds,
  };
}

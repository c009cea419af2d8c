import type { ScenarioResult } from '../results/model.js';
import type { ChartSeries, ChartSpec } from './chart-spec.js';
import { latencyHistogramSpec } from './latency-histogram.js';
import { statusColor } from './status-color.js';

type Fine = NonNullable<ScenarioResult['fineSeries']>;

const MAX_STATUS_SERIES = 6;
const round = (v: number, digits = 3) => Number(v.toFixed(digits));

/**
 * A last step shorter than half a step is folded into the one before: a rate over a few
 * milliseconds of drain says nothing, and a partial step counted as a whole one falls to zero.
 */
function foldShortEnd(fine: Fine): Fine {
  const n = fine.sent.length;
  if (n < 2 || fine.lastStepMs * 2 >= fine.stepMs) return fine;
  const fold = (values: readonly number[]) => [
    ...values.slice(0, n - 2),
    (values[n - 2] ?? 0) + (values[n - 1] ?? 0),
  ];
  const each = (record: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fold(v)]));
  return {
    ...fine,
    lastStepMs: fine.stepMs + fine.lastStepMs,
    sent: fold(fine.sent),
    byStatus: each(fine.byStatus),
    p50: fine.p50.slice(0, n - 1),
    p99: [...fine.p99.slice(0, n - 2), Math.max(fine.p99[n - 2] ?? 0, fine.p99[n - 1] ?? 0)],
    dropped: fold(fine.dropped),
    errors: fold(fine.errors),
    ...(fine.tags && { tags: each(fine.tags) }),
    ...(fine.admitted && { admitted: fold(fine.admitted) }),
  };
}

/** The start of each step in seconds, and how long each lasted (the last one may be short). */
function steps(fine: Fine): { x: number[]; lengthS: number[] } {
  const n = fine.sent.length;
  const x = Array.from({ length: n }, (_, i) => round((i * fine.stepMs) / 1000));
  const lengthS = x.map((_, i) => (i === n - 1 ? fine.lastStepMs : fine.stepMs) / 1000);
  return { x, lengthS };
}

/** Counts per step as a rate per second: the short last step is divided by its own length, so it does not fall. */
function rate(counts: readonly number[], lengthS: readonly number[]): number[] {
  return counts.map((n, i) => round(n / (lengthS[i] as number), 1));
}

function requestsSpec(id: string, fine: Fine): ChartSpec {
  const { x, lengthS } = steps(fine);
  const ranked = Object.entries(fine.byStatus)
    .map(([status, v]) => [status, v.reduce((a, b) => a + b, 0)] as const)
    .sort((a, b) => b[1] - a[1])
    .map(([status]) => status);
  const shown = ranked.length > MAX_STATUS_SERIES ? ranked.slice(0, MAX_STATUS_SERIES - 1) : ranked;
  const other = ranked.filter((s) => !shown.includes(s));
  const series: ChartSeries[] = [
    { label: 'sent', color: '#555555', values: rate(fine.sent, lengthS), dash: true, width: 1 },
    ...shown.map((status) => ({
      label: status,
      color: statusColor(status),
      values: rate(fine.byStatus[status] as number[], lengthS),
      width: status === '429' ? 1.5 : 2,
    })),
  ];
  if (other.length > 0) {
    const sum = x.map((_, i) => other.reduce((total, s) => total + (fine.byStatus[s]?.[i] ?? 0), 0));
    series.push({ label: `other (${other.join(', ')})`, color: '#888888', values: rate(sum, lengthS) });
  }
  for (const [key, color] of [
    ['dropped', '#000000'],
    ['errors', '#b5651d'],
  ] as const) {
    if (fine[key].some((n) => n > 0)) series.push({ label: key, color, values: rate(fine[key], lengthS) });
  }
  return {
    id: `${id}-requests`,
    title: `Requests per second by response status (${fine.stepMs} ms steps)`,
    xLabel: 'time',
    yLabel: 'req/s',
    unit: '/s',
    x,
    series,
  };
}

function latencySpec(id: string, fine: Fine): ChartSpec {
  const { x } = steps(fine);
  const responses = x.map((_, i) =>
    Object.values(fine.byStatus).reduce((total, v) => total + (v[i] ?? 0), 0),
  );
  // A step without responses has no latency: a gap, not a zero.
  const ms = (values: readonly number[]) =>
    values.map((us, i) => ((responses[i] as number) > 0 ? round(us / 1000) : null));
  return {
    id: `${id}-latency`,
    title: 'Latency over time (p50 and p99 of each step)',
    xLabel: 'time',
    yLabel: 'ms',
    unit: 'ms',
    x,
    series: [
      { label: 'p50', color: '#3a7bd5', values: ms(fine.p50) },
      { label: 'p99', color: '#d93636', values: ms(fine.p99) },
    ],
  };
}

function hitRatioSpec(id: string, fine: Fine): ChartSpec | undefined {
  const hits = fine.tags?.hit;
  const misses = fine.tags?.miss;
  if (!hits && !misses) return undefined;
  const { x } = steps(fine);
  const values = x.map((_, i) => {
    const h = hits?.[i] ?? 0;
    const total = h + (misses?.[i] ?? 0);
    return total > 0 ? round((100 * h) / total, 1) : null;
  });
  return {
    id: `${id}-hit-ratio`,
    title: 'Cache hit ratio over time (told by the probe version repeating)',
    xLabel: 'time',
    yLabel: '% hits',
    unit: '%',
    x,
    series: [{ label: 'hit ratio', color: '#2e9d4f', values }],
  };
}

/** A WebSocket run: connections open at the end of each second, opened and closed by the gateway in it. */
function connectionsSpec(id: string, fine: Fine): ChartSpec | undefined {
  const open = fine.tags?.open;
  if (!open) return undefined;
  const { x } = steps(fine);
  return {
    id: `${id}-connections`,
    title: 'WebSocket connections over time (open, opened, closed by the gateway)',
    xLabel: 'time',
    yLabel: 'connections',
    unit: '',
    x,
    series: [
      { label: 'open', color: '#3a7bd5', values: open, width: 2.5 },
      { label: 'opened', color: '#2e9d4f', values: fine.tags?.opened ?? [] },
      { label: 'closed by the gateway', color: '#d93636', values: fine.tags?.closedByGateway ?? [] },
    ],
  };
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * Admitted requests, cumulative, beside the token buckets that would bound them: the declared one
 * and the one inferred from the traffic, each `burst + rate·t` from when admissions began. A bucket
 * that holds shows the curve hugging its line: the jump at the start is the burst, the slope the rate.
 */
function bucketSpec(id: string, fine: Fine, throttle: Record<string, unknown>): ChartSpec | undefined {
  const admitted = fine.admitted;
  if (!admitted?.some((n) => n > 0)) return undefined;
  const { x } = steps(fine);
  const first = admitted.findIndex((n) => n > 0);
  const startS = (first * fine.stepMs) / 1000;
  // Each point is read at the end of its step, when that step's admissions are in; the curves start at 0.
  const ends = [
    0,
    ...x.map((t, i) => round(t + (i === x.length - 1 ? fine.lastStepMs : fine.stepMs) / 1000)),
  ];
  const running = (counts: readonly number[]) => {
    let total = 0;
    return [0, ...counts.map((n) => (total += n))];
  };
  const cumulative = running(admitted);
  const sent = running(fine.sent);
  const line = (rateKey: string, burstKey: string) => {
    const r = num(throttle[rateKey]);
    const b = num(throttle[burstKey]);
    if (r === undefined || b === undefined) return undefined;
    return ends.map((t) => (t < startS ? null : round(b + r * (t - startS), 1)));
  };
  const series: ChartSeries[] = [
    { label: 'sent (cumulative)', color: '#999999', values: sent, dash: true, width: 1 },
    { label: 'admitted (cumulative)', color: '#2e9d4f', values: cumulative, width: 2.5 },
  ];
  const declared = line('declaredRate', 'declaredBurst');
  if (declared)
    series.push({
      label: 'declared bucket: burst + rate·t',
      color: '#3a7bd5',
      values: declared,
      dash: true,
      width: 3.5,
    });
  const inferred = line('inferredRate', 'inferredBurst');
  if (inferred) series.push({ label: 'inferred bucket: burst + rate·t', color: '#d93636', values: inferred });
  return {
    id: `${id}-bucket`,
    title: 'Admitted requests against the token bucket (declared and inferred)',
    xLabel: 'time',
    yLabel: 'requests',
    unit: '',
    x: ends,
    series,
  };
}

/** Results without a fine series (k6 summaries, older runs) draw their per-second one. */
function fromSeconds(timeseries: ScenarioResult['timeseries']): Fine | undefined {
  if (timeseries.length === 0) return undefined;
  const statuses = [...new Set(timeseries.flatMap((p) => Object.keys(p.byStatus)))];
  const tags = [...new Set(timeseries.flatMap((p) => Object.keys(p.tags ?? {})))];
  return {
    stepMs: 1000,
    lastStepMs: 1000,
    sent: timeseries.map((p) => p.sent),
    byStatus: Object.fromEntries(statuses.map((s) => [s, timeseries.map((p) => p.byStatus[s] ?? 0)])),
    p50: timeseries.map((p) => p.p50),
    p99: timeseries.map((p) => p.p99),
    dropped: timeseries.map((p) => p.dropped ?? 0),
    errors: timeseries.map((p) => p.errors ?? 0),
    ...(tags.length > 0 && {
      tags: Object.fromEntries(tags.map((t) => [t, timeseries.map((p) => p.tags?.[t] ?? 0)])),
    }),
  };
}

/** Every chart of a scenario, in reading order: the bucket first (the finding), then connections, traffic, latency, histogram, hit ratio. */
export function scenarioChartSpecs(s: ScenarioResult, index: number): ChartSpec[] {
  const id = `chart-${index}`;
  const recorded = s.fineSeries ?? fromSeconds(s.timeseries);
  const fine = recorded && foldShortEnd(recorded);
  const throttle = s.findings.throttle;
  const specs: Array<ChartSpec | undefined> = [
    fine && throttle && typeof throttle === 'object'
      ? bucketSpec(id, fine, throttle as Record<string, unknown>)
      : undefined,
    fine ? connectionsSpec(id, fine) : undefined,
    fine ? requestsSpec(id, fine) : undefined,
    fine ? latencySpec(id, fine) : undefined,
    latencyHistogramSpec(`${id}-histogram`, s.latency),
    fine ? hitRatioSpec(id, fine) : undefined,
  ];
  return specs.filter((spec) => spec !== undefined);
}

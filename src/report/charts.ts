import type { ScenarioResult } from '../results/model.js';
import { html, type SafeHtml } from './escape.js';

/** Inline SVG line charts drawn here, from numbers only: the report needs no script and no network to show them. */

export interface Series {
  label: string;
  color: string;
  points: ReadonlyArray<readonly [number, number]>;
}

const WIDTH = 560;
const HEIGHT = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 32 };
const MAX_STATUS_SERIES = 6;

/** 1, 2 or 5 times a power of ten, at least `value`: tick steps people can read. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const scaled = value / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

/** Ticks at multiples of a nice step, about `count` of them, from 0 to at least `max`. */
function ticks(max: number, count: number): number[] {
  const step = niceCeiling(max / count);
  const end = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  return Array.from({ length: Math.round(end / step) + 1 }, (_, i) => i * step);
}

const label = (n: number) => String(Number(n.toPrecision(3)));

/** A chart's x axis: its range, where ticks go, and how they read. */
export interface XAxis {
  min: number;
  max: number;
  ticks: readonly number[];
  label: (x: number) => string;
}

/** Seconds from 0 to the last point: the axis of every time series. */
function secondsAxis(series: readonly Series[]): XAxis {
  // A loop, not Math.max(...points): a day-long run has more points than a call takes arguments.
  let xHigh = 1;
  for (const s of series) for (const [x] of s.points) xHigh = Math.max(xHigh, x);
  const xTicks = ticks(xHigh, 6);
  return { min: 0, max: xTicks.at(-1)!, ticks: xTicks, label: (x) => `${label(x)}s` };
}

export function lineChart(title: string, unit: string, series: readonly Series[], axis?: XAxis): SafeHtml {
  let yHigh = 0;
  for (const s of series) for (const [, y] of s.points) yHigh = Math.max(yHigh, y);
  const x = axis ?? secondsAxis(series);
  const yTicks = ticks(yHigh, 4);
  const yMax = yTicks.at(-1)!;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const px = (v: number) => (PAD.left + ((v - x.min) / (x.max - x.min)) * plotW).toFixed(1);
  const py = (y: number) => (PAD.top + plotH - (y / yMax) * plotH).toFixed(1);
  return html`<figure class="chart">
<figcaption>${title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${title}">
<g class="grid">${yTicks.map((y) => html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${py(y)}" y2="${py(y)}"/><text x="${PAD.left - 6}" y="${py(y)}" text-anchor="end" dominant-baseline="middle">${label(y)}</text>`)}
${x.ticks.map((v) => html`<text x="${px(v)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${x.label(v)}</text>`)}
<text x="12" y="${PAD.top + plotH / 2}" transform="rotate(-90 12 ${PAD.top + plotH / 2})" text-anchor="middle">${unit}</text></g>
${series.map((s) => html`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"><title>${s.label}</title></polyline>`)}
</svg>
<ul class="legend">${series.map((s) => html`<li><span class="swatch" style="background:${s.color}"></span>${s.label}</li>`)}</ul>
</figure>`;
}

export function statusColor(status: string): string {
  if (status === '429') return '#e8870e';
  if (status.startsWith('2')) return '#2e9d4f';
  if (status.startsWith('3')) return '#3a7bd5';
  if (status.startsWith('4')) return '#9b4dca';
  if (status.startsWith('5')) return '#d93636';
  return '#888888';
}

/** Requests sent, responses by status, drops and errors over time; the rarest statuses are folded into "other". */
export function requestsChart(timeseries: ScenarioResult['timeseries']): SafeHtml {
  const totals = new Map<string, number>();
  for (const point of timeseries) {
    for (const [status, n] of Object.entries(point.byStatus))
      totals.set(status, (totals.get(status) ?? 0) + n);
  }
  const ranked = [...totals].sort((a, b) => b[1] - a[1]).map(([status]) => status);
  const shown = ranked.length > MAX_STATUS_SERIES ? ranked.slice(0, MAX_STATUS_SERIES - 1) : ranked;
  const other = ranked.filter((status) => !shown.includes(status));
  const series: Series[] = [
    { label: 'sent', color: '#555555', points: timeseries.map((p) => [p.t, p.sent] as const) },
    ...shown.map((status) => ({
      label: status,
      color: statusColor(status),
      points: timeseries.map((p) => [p.t, p.byStatus[status] ?? 0] as const),
    })),
  ];
  if (other.length > 0) {
    series.push({
      label: `other (${other.join(', ')})`,
      color: '#888888',
      points: timeseries.map(
        (p) => [p.t, other.reduce((sum, status) => sum + (p.byStatus[status] ?? 0), 0)] as const,
      ),
    });
  }
  // Drawn only when the engine recorded them: arrivals it could not send and transport errors.
  for (const [key, color] of [
    ['dropped', '#000000'],
    ['errors', '#b5651d'],
  ] as const) {
    if (timeseries.some((p) => (p[key] ?? 0) > 0)) {
      series.push({ label: key, color, points: timeseries.map((p) => [p.t, p[key] ?? 0] as const) });
    }
  }
  return lineChart('Requests per second, by response status', 'req/s', series);
}

/** p50 and p99 per interval, recorded in microseconds, drawn in milliseconds. */
export function latencyChart(timeseries: ScenarioResult['timeseries']): SafeHtml {
  return lineChart('Latency over time', 'ms', [
    { label: 'p50', color: '#3a7bd5', points: timeseries.map((p) => [p.t, p.p50 / 1000] as const) },
    { label: 'p99', color: '#d93636', points: timeseries.map((p) => [p.t, p.p99 / 1000] as const) },
  ]);
}

/**
 * The share of responses the cache answered, second by second, from the engine's hit/miss
 * classification; undefined when the run classified none.
 */
export function hitRatioChart(timeseries: ScenarioResult['timeseries']): SafeHtml | undefined {
  const points: [number, number][] = [];
  for (const p of timeseries) {
    const hits = p.tags?.hit ?? 0;
    const total = hits + (p.tags?.miss ?? 0);
    if (total > 0) points.push([p.t, (100 * hits) / total]);
  }
  if (points.length === 0) return undefined;
  return lineChart('Cache hit ratio over time', '% hits', [{ label: 'hit ratio', color: '#2e9d4f', points }]);
}

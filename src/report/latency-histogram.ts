import { withHistogram } from '../load/histograms.js';
import type { ScenarioResult } from '../results/model.js';
import type { ChartSeries, ChartSpec } from './chart-spec.js';
import { statusColor } from './status-color.js';

/** Quantiles read per histogram: each stands for 0.1 % of its requests. */
const QUANTILES = 1000;
const BINS_PER_DECADE = 10;

/**
 * The histograms worth drawing, in this order, with how the legend names them. 200 against 429
 * only when something was refused: otherwise 200 is `all` again.
 */
function shown(
  histograms: Readonly<Record<string, string>>,
): ReadonlyArray<readonly [string, string, string]> {
  return [
    ['all', 'all', '#3a7bd5'],
    ['uncorrected', 'uncorrected', '#888888'],
    ...(histograms['status:429']
      ? ([
          ['status:200', '200', statusColor('200')],
          ['status:429', '429', statusColor('429')],
        ] as const)
      : []),
    ['tag:hit', 'cache hit', '#1a9c9c'],
    ['tag:miss', 'cache miss', '#d93636'],
  ];
}

/**
 * A histogram's quantiles in log10(ms), read from its compressed base64 form: enough to place
 * its requests in bins without walking the histogram's own buckets. Undefined when it is empty
 * or not a histogram.
 */
function logQuantiles(encoded: string): number[] | undefined {
  try {
    return withHistogram(encoded, (h) => {
      if (h.totalCount === 0) return undefined;
      return Array.from({ length: QUANTILES }, (_, i) => {
        const us = h.getValueAtPercentile((100 * (i + 0.5)) / QUANTILES);
        return Math.log10(Math.max(1, us) / 1000);
      });
    });
  } catch {
    return undefined;
  }
}

/**
 * The latency histogram of a scenario: the share of requests in each latency bin, bins spaced
 * evenly on a log scale (ten per decade) so a 1 ms hit and a 2 s stall fit one chart. Several
 * histograms share it: coordinated-omission corrected against uncorrected, 200 against 429,
 * hit against miss. Undefined when there is nothing to draw.
 */
export function latencyHistogramSpec(id: string, latency: ScenarioResult['latency']): ChartSpec | undefined {
  const drawn: { label: string; color: string; quantiles: number[] }[] = [];
  for (const [name, label, color] of shown(latency.histograms)) {
    const encoded = latency.histograms[name];
    const quantiles = encoded === undefined ? undefined : logQuantiles(encoded);
    if (!quantiles) continue;
    const named = name === 'all' && latency.corrected ? 'all (corrected)' : label;
    drawn.push({ label: named, color, quantiles });
  }
  if (drawn.length === 0) return undefined;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const d of drawn) {
    low = Math.min(low, d.quantiles[0] as number);
    high = Math.max(high, d.quantiles.at(-1) as number);
  }
  const min = Math.floor(low);
  const max = Math.max(min + 1, Math.ceil(high + 1e-9));
  const bins = (max - min) * BINS_PER_DECADE;
  const series: ChartSeries[] = drawn.map((d) => {
    const shares = new Array<number>(bins).fill(0);
    for (const q of d.quantiles) {
      const bin = Math.min(bins - 1, Math.floor((q - min) * BINS_PER_DECADE));
      shares[bin] = (shares[bin] as number) + 100 / QUANTILES;
    }
    return { label: d.label, color: d.color, values: shares.map((share) => Number(share.toFixed(2))) };
  });
  return {
    id,
    title: 'Latency histogram (log scale, ten bins per decade)',
    xLabel: 'latency',
    yLabel: '% of requests',
    unit: '%',
    xScale: 'log',
    // Each bin at its middle, in milliseconds.
    x: Array.from({ length: bins }, (_, i) =>
      Number((10 ** (min + (i + 0.5) / BINS_PER_DECADE)).toPrecision(4)),
    ),
    series,
  };
}

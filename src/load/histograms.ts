import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
  initWebAssemblySync,
} from 'hdr-histogram-js';

export type { Histogram };

let wasmReady = false;

/**
 * A latency histogram in microseconds. WebAssembly-backed (about twice as fast to record into):
 * its memory lives outside the JS heap, so every histogram must be `destroy()`ed.
 */
export function createHistogram(): Histogram {
  if (!wasmReady) {
    initWebAssemblySync();
    wasmReady = true;
  }
  return build({
    useWebAssembly: true,
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    // One minute; grows past that rather than throwing, so a stuck request is still recorded.
    highestTrackableValue: 60_000_000,
    autoResize: true,
    numberOfSignificantValueDigits: 3,
  });
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/** Decodes a compressed base64 histogram (ours, k6 ingest's, any HdrHistogram's). Destroy it after use. */
export function decodeHistogram(encoded: string): Histogram {
  if (!wasmReady) {
    initWebAssemblySync();
    wasmReady = true;
  }
  let histogram: Histogram;
  try {
    histogram = decodeFromCompressedBase64(encoded, 32, true);
  } catch (err) {
    throw new Error(`not a compressed HDR histogram: ${(err as Error).message}`);
  }
  histogram.autoResize = true;
  return histogram;
}

/** Runs `use` on a decoded histogram and frees it afterwards, whatever happens. */
export function withHistogram<T>(encoded: string, use: (histogram: Histogram) => T): T {
  const histogram = decodeHistogram(encoded);
  try {
    return use(histogram);
  } finally {
    histogram.destroy();
  }
}

/** Exact merge of histograms from several runs or runners: what k6 summaries cannot do. */
export function mergeHistograms(encoded: readonly string[]): string {
  const merged = createHistogram();
  try {
    for (const one of encoded) withHistogram(one, (h) => merged.add(h));
    return encodeHistogram(merged);
  } finally {
    merged.destroy();
  }
}

/** Summary figures of a histogram, in its unit (microseconds for latencies). */
export interface HistogramStats {
  count: number;
  min: number;
  mean: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

export function histogramStats(histogram: Histogram): HistogramStats {
  const count = histogram.totalCount;
  if (count === 0) return { count, min: 0, mean: 0, max: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  return {
    count,
    min: histogram.getValueAtPercentile(0),
    mean: Math.round(histogram.mean),
    max: histogram.maxValue,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p95: histogram.getValueAtPercentile(95),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
  };
}

/** A duration for people: `0.42 ms`, `12 ms`, `1.25 s`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${Number(ms.toFixed(2))} ms`;
  if (ms < 1000) return `${Number(ms.toPrecision(3))} ms`;
  return `${Number((ms / 1000).toPrecision(3))} s`;
}

/** Latencies are recorded in microseconds (HDR histograms need integers) and shown in milliseconds. */
export function formatUs(us: number): string {
  return formatMs(us / 1000);
}

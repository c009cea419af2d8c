import { seededRandom } from './random.js';

export interface BucketEstimate {
  /** Tokens per second. */
  rate: number;
  /** Tokens the bucket held at the start. */
  burst: number;
  /** 95 % intervals from a moving-block bootstrap of the fit's points and of the burst's readings. */
  rateCI: [number, number];
  burstCI: [number, number];
  /** From the first refusal to the last, seconds since the run's start. */
  windowS: [number, number];
  /** Stretches between long silences, each fitted with its own level (see below). */
  segments: number;
}

const RESAMPLES = 400;
const MIN_POINTS = 6;
/** A silence this many times the usual spacing of refusals may have let the bucket fill up. */
const GAP_FACTOR = 10;
const MIN_GAP_S = 0.1;

interface Point {
  /** Bin index of a bin with refusals, and its middle in seconds. */
  bin: number;
  t: number;
  /** Admitted before the middle of the bin. */
  y: number;
  segment: number;
}

/**
 * The slope of the admitted count over time, one level per segment (a fixed-effects fit): the
 * rate holds across a silence, but the count after one may have lost what overflowed the bucket.
 */
function slopeOf(points: readonly Point[], segments: number): number | undefined {
  const n = new Float64Array(segments);
  const mt = new Float64Array(segments);
  const my = new Float64Array(segments);
  for (const p of points) {
    n[p.segment]! += 1;
    mt[p.segment]! += p.t;
    my[p.segment]! += p.y;
  }
  for (let s = 0; s < segments; s++) {
    if (n[s]! > 0) {
      mt[s]! /= n[s]!;
      my[s]! /= n[s]!;
    }
  }
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    const dt = p.t - mt[p.segment]!;
    sxy += dt * (p.y - my[p.segment]!);
    sxx += dt * dt;
  }
  return sxx > 0 ? sxy / sxx : undefined;
}

function percentile(sorted: readonly number[], p: number): number {
  const at = Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
  return sorted[at] as number;
}

/**
 * What the bucket held when it was last full before each refusal of the first segment: at a
 * refusal at t the bucket is empty, so for the last moment s it was full, admitted(s, t] =
 * b + r·(t − s), and for any other s admitted(s, t] is less. So each refusal reads b as the largest
 * admitted(s, t] − r·(t − s) over s before t; their median keeps one jittery refusal from
 * deciding. When the bucket was full at the start and drained at once, s is 0.
 */
function burstReadings(
  points: readonly Point[],
  admitted: readonly number[],
  rate: number,
  binMs: number,
): number[] {
  const values: number[] = [];
  // best = max over boundaries j ≤ bin of (rate·t_j − admitted before j).
  let best = Number.NEGATIVE_INFINITY;
  let before = 0;
  let j = 0;
  for (const p of points) {
    if (p.segment !== 0) break;
    for (; j <= p.bin; j++) {
      best = Math.max(best, (rate * j * binMs) / 1000 - before);
      before += admitted[j] ?? 0;
    }
    values.push(p.y - rate * p.t + best);
  }
  return values;
}

const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

/** `length` indexes into [0, length), drawn in blocks of neighbours, which share timing jitter. */
function blockSample(length: number, random: () => number): number[] {
  const block = Math.min(length, Math.max(2, Math.round(Math.cbrt(length))));
  const sample: number[] = [];
  while (sample.length < length) {
    const start = Math.floor(random() * (length - block + 1));
    for (let b = 0; b < block; b++) sample.push(start + b);
  }
  return sample;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * Infers a token bucket from when requests were admitted and refused. A bucket of `burst`
 * tokens refilled at `rate` holds less than a token whenever it refuses one, so between two
 * refusals it admitted rate × the time between them: the admitted count read at each refusal
 * lies on a line whose slope is the rate. Reading it only at refusals keeps the fit true when the
 * caller stalls (the count dips, but no refusal marks the dip); a silence long enough for the
 * bucket to fill starts a new segment with a level of its own. The burst is then read off the
 * first segment (see burstReadings): after a quiet spell and a spike, the spike's admitted count
 * less rate × its length.
 *
 * `admitted[k]` and `refused[k]` count requests sent in [k·binMs, (k+1)·binMs).
 */
export function inferTokenBucket(
  admitted: readonly number[],
  refused: readonly number[],
  binMs: number,
): BucketEstimate | undefined {
  const raw: { bin: number; t: number; y: number }[] = [];
  let cumulative = 0;
  const bins = Math.max(admitted.length, refused.length);
  for (let k = 0; k < bins; k++) {
    const a = admitted[k] ?? 0;
    // The refusals of a bin happened somewhere in it: read the count at its middle.
    if ((refused[k] ?? 0) > 0) raw.push({ bin: k, t: ((k + 0.5) * binMs) / 1000, y: cumulative + a / 2 });
    cumulative += a;
  }
  if (raw.length < MIN_POINTS) return undefined;
  const gaps = raw
    .slice(1)
    .map((p, i) => p.t - (raw[i] as { t: number }).t)
    .sort((a, b) => a - b);
  const maxGap = Math.max(MIN_GAP_S, GAP_FACTOR * percentile(gaps, 0.5));
  let segment = 0;
  const points: Point[] = raw.map((p, i) => {
    if (i > 0 && p.t - (raw[i - 1] as { t: number }).t > maxGap) segment++;
    return { ...p, segment };
  });
  const segments = segment + 1;
  const rate = slopeOf(points, segments);
  if (rate === undefined) return undefined;

  // The bootstrap redraws the fit's points (for the rate) and the first segment's readings of
  // the burst at that rate (for the burst), both in blocks.
  const random = seededRandom(0x5eed);
  const rates: number[] = [];
  const bursts: number[] = [];
  for (let r = 0; r < RESAMPLES; r++) {
    const resampled = slopeOf(
      blockSample(points.length, random).map((i) => points[i] as Point),
      segments,
    );
    if (resampled === undefined) continue;
    rates.push(resampled);
    const readings = burstReadings(points, admitted, resampled, binMs);
    bursts.push(median(blockSample(readings.length, random).map((i) => readings[i] as number)));
  }
  const interval = (values: number[], fallback: number): [number, number] => {
    values.sort((a, b) => a - b);
    return values.length > 0 ? [percentile(values, 0.025), percentile(values, 0.975)] : [fallback, fallback];
  };
  const burst = median(burstReadings(points, admitted, rate, binMs));
  const rateCI = interval(rates, rate);
  const burstCI = interval(bursts, burst);
  return {
    rate: round(rate, 2),
    burst: round(burst, 1),
    rateCI: [round(rateCI[0], 2), round(rateCI[1], 2)],
    burstCI: [round(burstCI[0], 1), round(burstCI[1], 1)],
    windowS: [round((raw[0] as { t: number }).t, 3), round((raw.at(-1) as { t: number }).t, 3)],
    segments,
  };
}

import { createHistogram } from './histograms.js';

/** The step of the series the report's charts draw: fine enough to show a burst of a few hundred ms. */
export const FINE_STEP_MS = 100;
/** Past this many steps the series is coarsened (2, 5, 10 … steps merged), so results stay small. */
export const MAX_FINE_POINTS = 1500;

/**
 * A run's time series at `stepMs` resolution, one array per measure (columnar, as charting
 * libraries take it): step i covers [i·stepMs, (i+1)·stepMs) since the first scheduled start.
 * Latency percentiles are microseconds (corrected, as `all`).
 */
export interface FineSeries {
  stepMs: number;
  /** How long the last step really lasted: a rate over it divides by this, so the series does not fall at the end. */
  lastStepMs: number;
  sent: number[];
  /** Responses completed in each step, by status code. */
  byStatus: Record<string, number[]>;
  p50: number[];
  p99: number[];
  dropped: number[];
  errors: number[];
  /** Responses by classify() tag (`hit`, `miss`). */
  tags?: Record<string, number[]>;
  /** Throttle runs: requests the gateway admitted, by when they got their connection (the bucket's own time line). */
  admitted?: number[];
}

/** Records the fine series on the engine's hot path: counters in plain arrays, one interval histogram. */
export class FineRecorder {
  private readonly interval = createHistogram();
  private step = 0;
  private readonly sentSteps: number[] = [];
  private readonly statusSteps = new Map<number, number[]>();
  private readonly p50Steps: number[] = [];
  private readonly p99Steps: number[] = [];
  private readonly droppedSteps: number[] = [];
  private readonly errorSteps: number[] = [];
  private readonly tagSteps = new Map<string, number[]>();

  constructor(readonly stepMs = FINE_STEP_MS) {}

  /** Closes every step that ended before `now` (ms since the run's start). */
  advance(now: number): void {
    const target = Math.floor(now / this.stepMs);
    while (this.step < target) this.closeStep();
  }

  sent(now: number): void {
    this.advance(now);
    bumpAt(this.sentSteps, this.step);
  }

  dropped(now: number): void {
    this.advance(now);
    bumpAt(this.droppedSteps, this.step);
  }

  error(now: number): void {
    this.advance(now);
    bumpAt(this.errorSteps, this.step);
  }

  response(now: number, status: number, us: number, tag: string | undefined): void {
    this.advance(now);
    this.interval.recordValue(us);
    let counts = this.statusSteps.get(status);
    if (!counts) {
      counts = [];
      this.statusSteps.set(status, counts);
    }
    bumpAt(counts, this.step);
    if (tag !== undefined) {
      let tagged = this.tagSteps.get(tag);
      if (!tagged) {
        tagged = [];
        this.tagSteps.set(tag, tagged);
      }
      bumpAt(tagged, this.step);
    }
  }

  /** The series up to `endMs`, the last (partial) step included, coarsened to at most MAX_FINE_POINTS. */
  finish(endMs: number): FineSeries {
    this.advance(endMs);
    const length = this.step + (endMs > this.step * this.stepMs ? 1 : 0);
    if (length > this.step) this.closeStep();
    const fill = (values: number[]) => Array.from({ length }, (_, i) => values[i] ?? 0);
    const series: FineSeries = {
      stepMs: this.stepMs,
      lastStepMs: Math.max(1, Math.round(endMs - (length - 1) * this.stepMs)),
      sent: fill(this.sentSteps),
      byStatus: Object.fromEntries(
        [...this.statusSteps].sort(([a], [b]) => a - b).map(([code, v]) => [String(code), fill(v)]),
      ),
      p50: fill(this.p50Steps),
      p99: fill(this.p99Steps),
      dropped: fill(this.droppedSteps),
      errors: fill(this.errorSteps),
      ...(this.tagSteps.size > 0 && {
        tags: Object.fromEntries([...this.tagSteps].map(([tag, v]) => [tag, fill(v)])),
      }),
    };
    return coarsen(series, MAX_FINE_POINTS);
  }

  destroy(): void {
    this.interval.destroy();
  }

  private closeStep(): void {
    const h = this.interval;
    if (h.totalCount > 0) {
      this.p50Steps[this.step] = h.getValueAtPercentile(50);
      this.p99Steps[this.step] = h.getValueAtPercentile(99);
      h.reset();
    }
    this.step++;
  }
}

function bumpAt(values: number[], index: number): void {
  while (values.length <= index) values.push(0);
  values[index] = (values[index] as number) + 1;
}

/** Counts per step of `stepMs`, from counts per bin of `binMs` (a multiple of it or a divisor). */
export function rebin(counts: readonly number[], binMs: number, stepMs: number, length: number): number[] {
  const out = new Array<number>(length).fill(0);
  counts.forEach((n, bin) => {
    const step = Math.min(length - 1, Math.floor((bin * binMs) / stepMs));
    if (n && step >= 0) out[step] = (out[step] as number) + n;
  });
  return out;
}

const FACTORS = [1, 2, 5];

/**
 * Merges neighbouring steps until at most `maxPoints` remain: counts add up, p99 keeps the highest
 * of the merged steps (a spike stays visible), p50 their mean weighted by responses.
 */
export function coarsen(series: FineSeries, maxPoints: number): FineSeries {
  const length = series.sent.length;
  let factor = 1;
  for (let power = 1; length / factor > maxPoints; power *= 10) {
    factor = FACTORS.map((f) => f * power).find((f) => length / f <= maxPoints) ?? 10 * power;
  }
  if (factor === 1) return series;
  const steps = Math.ceil(length / factor);
  const sum = (values: readonly number[]) =>
    Array.from({ length: steps }, (_, i) =>
      values.slice(i * factor, (i + 1) * factor).reduce((a, b) => a + b, 0),
    );
  const responses = Array.from({ length }, (_, i) =>
    Object.values(series.byStatus).reduce((total, v) => total + (v[i] ?? 0), 0),
  );
  const p50 = Array.from({ length: steps }, (_, i) => {
    let weight = 0;
    let total = 0;
    for (let j = i * factor; j < Math.min(length, (i + 1) * factor); j++) {
      weight += responses[j] as number;
      total += (responses[j] as number) * (series.p50[j] as number);
    }
    return weight > 0 ? Math.round(total / weight) : 0;
  });
  const p99 = Array.from({ length: steps }, (_, i) =>
    Math.max(0, ...series.p99.slice(i * factor, (i + 1) * factor)),
  );
  const map = (record: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, sum(v)]));
  const partial = length % factor;
  return {
    stepMs: series.stepMs * factor,
    lastStepMs:
      partial === 0
        ? series.stepMs * (factor - 1) + series.lastStepMs
        : series.stepMs * (partial - 1) + series.lastStepMs,
    sent: sum(series.sent),
    byStatus: map(series.byStatus),
    p50,
    p99,
    dropped: sum(series.dropped),
    errors: sum(series.errors),
    ...(series.tags && { tags: map(series.tags) }),
    ...(series.admitted && { admitted: sum(series.admitted) }),
  };
}

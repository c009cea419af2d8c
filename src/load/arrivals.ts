import { parseDuration } from './duration.js';
import type { Executor } from './scenario.js';

/** A stretch of the schedule whose rate moves linearly; rates are arrivals per millisecond. */
interface Segment {
  durationMs: number;
  from: number;
  to: number;
  /** Arrivals the segment holds (the area under its rate). */
  area: number;
}

/**
 * Intended start times of an open-model run, computed from the executor alone so the target's
 * speed can never slow them down. Walks forward one arrival at a time: memory stays flat however
 * many arrivals the run has.
 *
 * Follows k6: `constant-arrival-rate` starts its first iteration at 0; `ramping-arrival-rate`
 * starts the n-th iteration (n from 1) when the area under the rate curve reaches n.
 */
export class ArrivalClock {
  private n: number;
  private segment = 0;
  private segmentStartMs = 0;
  private areaStart = 0;
  private areaEnd: number;

  constructor(
    private readonly segments: Segment[],
    first: 0 | 1,
    private readonly inclusiveEnd: boolean,
  ) {
    this.n = first;
    this.areaEnd = segments[0]?.area ?? 0;
  }

  /** Milliseconds from the start of the run to the next arrival, or Infinity when there is none. */
  next(): number {
    const n = this.n++;
    const segments = this.segments;
    while (this.segment < segments.length && (this.inclusiveEnd ? n > this.areaEnd : n >= this.areaEnd)) {
      this.segmentStartMs += (segments[this.segment] as Segment).durationMs;
      this.segment++;
      this.areaStart = this.areaEnd;
      this.areaEnd += segments[this.segment]?.area ?? 0;
    }
    const s = segments[this.segment];
    if (!s) return Number.POSITIVE_INFINITY;
    const a = n - this.areaStart;
    const k = (s.to - s.from) / (2 * s.durationMs);
    // Solves k·t² + from·t = a in the form that stays exact when k is 0 or negative.
    const t = k === 0 ? a / s.from : (2 * a) / (s.from + Math.sqrt(Math.max(0, s.from * s.from + 4 * k * a)));
    return this.segmentStartMs + t;
  }
}

export type RunPlan =
  | { model: 'open'; durationMs: number; capacity: number; clock: ArrivalClock; expected: number }
  | { model: 'closed'; durationMs: number; capacity: number };

function segment(durationMs: number, fromPerUnit: number, toPerUnit: number, unitMs: number): Segment {
  // Area from the per-unit figures first, so whole rates over whole durations give whole counts.
  const area = Math.round((((fromPerUnit + toPerUnit) * durationMs) / (2 * unitMs)) * 1e9) / 1e9;
  return { durationMs, from: fromPerUnit / unitMs, to: toPerUnit / unitMs, area };
}

function positive(value: number, what: string): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`${what} must be a positive number, got ${value}`);
  return value;
}

function vus(executor: { preAllocatedVUs: number; maxVUs?: number }): number {
  const capacity = Math.floor(executor.maxVUs ?? executor.preAllocatedVUs);
  return positive(capacity, executor.maxVUs === undefined ? 'preAllocatedVUs' : 'maxVUs');
}

/** Turns an executor into when requests start (open model) or how many loop (closed model). */
export function planRun(executor: Executor): RunPlan {
  switch (executor.executor) {
    case 'constant-arrival-rate': {
      const unitMs = positive(parseDuration(executor.timeUnit ?? '1s'), 'timeUnit');
      const durationMs = positive(parseDuration(executor.duration), 'duration');
      const s = segment(durationMs, positive(executor.rate, 'rate'), executor.rate, unitMs);
      const expected = Math.ceil(s.area);
      return {
        model: 'open',
        durationMs,
        capacity: vus(executor),
        clock: new ArrivalClock([s], 0, false),
        expected,
      };
    }
    case 'ramping-arrival-rate': {
      const unitMs = positive(parseDuration(executor.timeUnit ?? '1s'), 'timeUnit');
      if (executor.stages.length === 0) throw new Error('ramping-arrival-rate needs at least one stage');
      let from = executor.startRate ?? 0;
      if (!(from >= 0)) throw new Error(`startRate must be 0 or more, got ${from}`);
      const segments = executor.stages.map((stage, i) => {
        if (!(stage.target >= 0))
          throw new Error(`stages[${i}].target must be 0 or more, got ${stage.target}`);
        const s = segment(parseDuration(stage.duration), from, stage.target, unitMs);
        from = stage.target;
        return s;
      });
      const durationMs = positive(
        segments.reduce((sum, s) => sum + s.durationMs, 0),
        'the stages’ total duration',
      );
      const expected = Math.floor(segments.reduce((sum, s) => sum + s.area, 0) + 1e-9);
      return {
        model: 'open',
        durationMs,
        capacity: vus(executor),
        clock: new ArrivalClock(segments, 1, true),
        expected,
      };
    }
    case 'constant-vus':
      return {
        model: 'closed',
        durationMs: positive(parseDuration(executor.duration), 'duration'),
        capacity: Math.floor(positive(executor.vus, 'vus')),
      };
  }
}

import type { FineSeries } from './fine-series.js';
import type { HistogramStats } from './histograms.js';
import {
  Measurements,
  type Progress,
  type TagCounts,
  type TagGroup,
  type TimePoint,
} from './measurements.js';
import type { Scenario } from './scenario.js';

/** When a response's request was meant to start, got a connection and completed (ms since the run's start), and which template made it. */
export interface ResponseMeta {
  readonly template: number;
  readonly intended: number;
  readonly connected: number;
  readonly completed: number;
}

/** Tags a response ('hit', 'miss'); see LoadOptions.classify. */
export type Classify = (
  status: number,
  headers: Record<string, string>,
  body: string | undefined,
  meta: ResponseMeta,
) => string | undefined;

/**
 * What the dispatching side reports, in the order it happens: the in-thread run calls a Recorder
 * directly, a worker thread sends the same calls in batches (see worker-run.ts). Times are ms
 * since the run's start. Headers are raw `name, value` pairs, kept only when a classifier runs.
 */
export interface Observer {
  /** An open-model arrival started; its lag is `t - intended`. */
  dispatched(t: number, intended: number): void;
  /** A closed-model iteration started: no intended time to lag behind. */
  started(t: number): void;
  dropped(t: number): void;
  response(
    template: number,
    status: number,
    intended: number,
    connected: number,
    completed: number,
    headers: readonly string[] | null,
    body: string | undefined,
  ): void;
  error(template: number, code: string, intended: number, t: number): void;
  /** In flight when the run was cut: neither response nor error. */
  interrupted(): void;
}

/** What measurements make of a run; the engine adds how it ran (executor, stop reason, transport). */
export interface Recorded {
  totals: {
    intended: number;
    sent: number;
    requests: number;
    responses: number;
    errors: number;
    failed: number;
    dropped: number;
    interrupted: number;
  };
  byStatus: Record<string, number>;
  errorsByCode: Record<string, number>;
  byTag: Record<string, TagCounts>;
  timeseries: TimePoint[];
  fineSeries: FineSeries;
  histograms: Record<string, string>;
  stats: Record<string, HistogramStats>;
}

function expectedTable(expected: Scenario['expectedStatuses']): Uint8Array {
  const table = new Uint8Array(1000);
  const { min, max, extra } = expected ?? { min: 200, max: 399 };
  for (let s = Math.max(0, min); s <= Math.min(999, max); s++) table[s] = 1;
  for (const s of extra ?? []) if (s >= 0 && s < 1000) table[s] = 1;
  return table;
}

function headerObject(raw: readonly string[] | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!raw) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/**
 * Turns observations into measurements, and runs the caller's classify() on every response in the
 * order responses completed, however many threads sent them: the findings' observers (cache
 * versions, throttle admissions) see exactly what a single-threaded run would show them.
 */
export class Recorder implements Observer {
  private readonly measurements: Measurements;
  private readonly templateGroups: TagGroup[][];
  private readonly meta = { template: 0, intended: 0, connected: 0, completed: 0 };
  private flight = 0;

  constructor(
    scenario: Scenario,
    private readonly classify: Classify | undefined,
    progress: ((p: Progress) => void) | undefined,
    plannedS: number,
    /** A classify() that throws ends the run; the first exception is what the run rejects with. */
    private readonly fatal: (err: unknown) => void,
  ) {
    this.measurements = new Measurements(expectedTable(scenario.expectedStatuses), progress, {
      plannedS,
      inFlight: () => this.flight,
    });
    this.templateGroups = scenario.requests.map((t) =>
      Object.entries(t.tags ?? {}).map(([k, v]) => this.measurements.tagGroup(`${k}:${v}`)),
    );
  }

  get sent(): number {
    return this.measurements.sent;
  }

  dispatched(t: number, intended: number): void {
    this.flight++;
    this.measurements.dispatched(t, intended, true);
  }

  started(t: number): void {
    this.flight++;
    this.measurements.dispatched(t, t, false);
  }

  dropped(t: number): void {
    this.measurements.droppedArrival(t);
  }

  response(
    template: number,
    status: number,
    intended: number,
    connected: number,
    completed: number,
    headers: readonly string[] | null,
    body: string | undefined,
  ): void {
    this.flight--;
    const tagged = this.classify
      ? this.classified(template, status, intended, connected, completed, headers, body)
      : undefined;
    this.measurements.response(
      status,
      completed,
      intended,
      connected,
      this.templateGroups[template] as TagGroup[],
      tagged,
    );
  }

  error(template: number, code: string, intended: number, t: number): void {
    this.flight--;
    this.measurements.error(code, t, intended, this.templateGroups[template] as TagGroup[]);
  }

  interrupted(): void {
    this.flight--;
    this.measurements.interrupted++;
  }

  /** Closes every full second up to `t`, for the progress line when nothing else happens. */
  rotate(t: number): void {
    this.measurements.rotate(t);
  }

  private classified(
    template: number,
    status: number,
    intended: number,
    connected: number,
    completed: number,
    headers: readonly string[] | null,
    body: string | undefined,
  ): TagGroup | undefined {
    const meta = this.meta;
    meta.template = template;
    meta.intended = intended;
    meta.connected = connected;
    meta.completed = completed;
    try {
      const tag = (this.classify as Classify)(status, headerObject(headers), body, meta);
      return tag === undefined ? undefined : this.measurements.classifiedGroup(tag);
    } catch (err) {
      this.fatal(err);
      return undefined;
    }
  }

  finish(endedAt: number): Recorded {
    const m = this.measurements;
    m.rotate(endedAt);
    m.close();
    const { histograms, stats } = m.export();
    return {
      totals: {
        intended: m.sent + m.dropped,
        sent: m.sent,
        requests: m.responses + m.errors,
        responses: m.responses,
        errors: m.errors,
        failed: m.failed,
        dropped: m.dropped,
        interrupted: m.interrupted,
      },
      byStatus: m.statusCounts(),
      errorsByCode: Object.fromEntries(m.errorCodes),
      byTag: m.tagCounts(),
      timeseries: m.timeseries,
      fineSeries: m.fine.finish(endedAt),
      histograms,
      stats,
    };
  }

  destroy(): void {
    this.measurements.destroy();
  }
}

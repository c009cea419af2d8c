import type { Observer } from './recorder.js';

/**
 * A worker thread's observations on their way to the main thread: one row of numbers per event in
 * a transferable Float64Array (no object per request), plus, only when a classifier runs, the
 * headers and body of each response beside it. Rows are in the order the worker saw them, so
 * their times never decrease.
 */
export interface ObservationBatch {
  rows: Float64Array;
  count: number;
  /** Every later row of this worker has a time at or after this (ms since the run's start). */
  upTo: number;
  /** Error codes first used in this batch, in the order of their numbers. */
  codes: string[];
  /** Per response row (by row number), when a classifier runs. */
  extras?: Record<number, [readonly string[] | null, string | undefined]>;
}

const WIDTH = 6;
enum Kind {
  Dispatched = 0,
  Started = 1,
  Dropped = 2,
  Response = 3,
  Error = 4,
  Interrupted = 5,
}
/** Rows per batch: a batch also leaves every few ms (see BatchWriter.flush), whichever comes first. */
const ROWS = 2048;

/** The worker's side: an Observer that fills rows and hands full batches to `send`. */
export class BatchWriter implements Observer {
  private readonly rows = new Float64Array(ROWS * WIDTH);
  private count = 0;
  private last = 0;
  private readonly codeNumbers = new Map<string, number>();
  private newCodes: string[] = [];
  private extras: ObservationBatch['extras'];

  constructor(
    private readonly send: (batch: ObservationBatch, transfer: ArrayBuffer[]) => void,
    private readonly keepExtras: boolean,
  ) {}

  private row(kind: Kind, t: number, a: number, b: number, c: number, d: number): void {
    const r = this.rows;
    let o = this.count * WIDTH;
    r[o++] = kind;
    r[o++] = t;
    r[o++] = a;
    r[o++] = b;
    r[o++] = c;
    r[o] = d;
    this.last = t;
    if (++this.count === ROWS) this.flush(t);
  }

  dispatched(t: number, intended: number): void {
    this.row(Kind.Dispatched, t, intended, 0, 0, 0);
  }

  started(t: number): void {
    this.row(Kind.Started, t, 0, 0, 0, 0);
  }

  dropped(t: number): void {
    this.row(Kind.Dropped, t, 0, 0, 0, 0);
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
    if (this.keepExtras) {
      this.extras ??= {};
      this.extras[this.count] = [headers, body];
    }
    this.row(Kind.Response, completed, template, status, intended, connected);
  }

  error(template: number, code: string, intended: number, t: number): void {
    let n = this.codeNumbers.get(code);
    if (n === undefined) {
      n = this.codeNumbers.size;
      this.codeNumbers.set(code, n);
      this.newCodes.push(code);
    }
    this.row(Kind.Error, t, template, n, intended, 0);
  }

  interrupted(): void {
    this.row(Kind.Interrupted, this.last, 0, 0, 0, 0);
  }

  /**
   * Sends what is buffered, and promises that nothing later happens before `upTo`: the time of
   * the last row when the batch is full (more rows of that moment may follow), the clock when
   * called between turns of the loop.
   */
  flush(upTo: number): void {
    // The rows go as a copy of their used part: a batch sent every few ms is mostly small, and
    // the full buffer stays here for the next one instead of being reallocated.
    const rows = this.rows.slice(0, this.count * WIDTH);
    const batch: ObservationBatch = {
      rows,
      count: this.count,
      upTo,
      codes: this.newCodes,
      ...(this.extras && { extras: this.extras }),
    };
    this.send(batch, [rows.buffer as ArrayBuffer]);
    this.count = 0;
    if (this.newCodes.length > 0) this.newCodes = [];
    this.extras = undefined;
  }
}

interface Queue {
  batches: ObservationBatch[];
  /** Next row of batches[0]. */
  row: number;
  upTo: number;
  codes: string[];
}

/**
 * The main thread's side: replays every worker's rows into one observer in time order. A row is
 * replayed only once every worker has promised nothing earlier is still to come (its `upTo`), so
 * the observer sees the events of all threads as one thread would have seen them: per-second
 * series close on the right second, and classify() meets responses in the order they completed.
 */
export class BatchMerge {
  private readonly queues: Queue[];

  constructor(
    workers: number,
    private readonly observer: Observer,
  ) {
    this.queues = Array.from({ length: workers }, () => ({ batches: [], row: 0, upTo: 0, codes: [] }));
  }

  add(worker: number, batch: ObservationBatch): void {
    const q = this.queues[worker] as Queue;
    q.codes.push(...batch.codes);
    if (batch.count > 0) q.batches.push(batch);
    q.upTo = Math.max(q.upTo, batch.upTo);
    this.replay();
  }

  /** A worker that ended will send nothing more. */
  end(worker: number): void {
    (this.queues[worker] as Queue).upTo = Number.POSITIVE_INFINITY;
    this.replay();
  }

  private replay(): void {
    let watermark = Number.POSITIVE_INFINITY;
    for (const q of this.queues) if (q.upTo < watermark) watermark = q.upTo;
    for (;;) {
      let best: Queue | undefined;
      let bestT = watermark;
      for (const q of this.queues) {
        const b = q.batches[0];
        if (!b) continue;
        const t = b.rows[q.row * WIDTH + 1] as number;
        if (t < bestT || (t === bestT && !best)) {
          best = q;
          bestT = t;
        }
      }
      if (!best) return;
      this.replayRow(best);
    }
  }

  private replayRow(q: Queue): void {
    const b = q.batches[0] as ObservationBatch;
    const r = b.rows;
    const n = q.row;
    const o = n * WIDTH;
    const t = r[o + 1] as number;
    const obs = this.observer;
    switch (r[o] as Kind) {
      case Kind.Dispatched:
        obs.dispatched(t, r[o + 2] as number);
        break;
      case Kind.Started:
        obs.started(t);
        break;
      case Kind.Dropped:
        obs.dropped(t);
        break;
      case Kind.Response: {
        const extra = b.extras?.[n];
        obs.response(
          r[o + 2] as number,
          r[o + 3] as number,
          r[o + 4] as number,
          r[o + 5] as number,
          t,
          extra ? extra[0] : null,
          extra ? extra[1] : undefined,
        );
        break;
      }
      case Kind.Error:
        obs.error(r[o + 2] as number, q.codes[r[o + 3] as number] as string, r[o + 4] as number, t);
        break;
      case Kind.Interrupted:
        obs.interrupted();
        break;
    }
    if (++q.row === b.count) {
      q.batches.shift();
      q.row = 0;
    }
  }
}

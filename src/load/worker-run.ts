import { Worker } from 'node:worker_threads';
import type { DispatchEnd, DispatchSetup, StopReason } from './dispatch-run.js';
import { BatchMerge, type ObservationBatch } from './observation-batch.js';
import type { PortableRequests } from './portable-requests.js';
import type { Observer } from './recorder.js';
import type { Scenario } from './scenario.js';

/** What a worker thread is started with: its share of the run, and the requests as data. */
export interface WorkerData {
  setup: Omit<DispatchSetup, 'resolveRequest'>;
  scenario: Scenario;
  requests: PortableRequests;
}

export type WorkerOrder =
  | { type: 'run'; data: WorkerData }
  /** `t0`: the run's start as performance.timeOrigin + performance.now(); `hardEnd`: ms after it. */
  | { type: 'start'; t0: number; hardEnd: number }
  | { type: 'abort' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'batch'; batch: ObservationBatch }
  | { type: 'done'; stopReason: StopReason; endedAt: number; fatal?: string };

/** Threads kept between runs: a warm worker starts on time, a cold one compiles its hot path mid-run. */
const idle: Worker[] = [];

function acquire(): Worker {
  const worker = idle.pop() ?? new Worker(new URL('./engine-worker.js', import.meta.url));
  worker.removeAllListeners('error');
  worker.ref();
  return worker;
}

/** Back to the idle threads, unreferenced so they never keep the process alive; a broken one ends. */
function release(worker: Worker, healthy: boolean): Promise<void> {
  worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
  if (!healthy) return worker.terminate().then(() => undefined);
  worker.unref();
  idle.push(worker);
  worker.once('error', () => idle.splice(idle.indexOf(worker), 1));
  return Promise.resolve();
}

/** Which stop reason speaks for the run when threads stopped for different ones. */
const PRECEDENCE: StopReason[] = ['aborted', 'max-duration', 'max-requests', 'completed'];

/**
 * A run spread over worker threads, one DispatchRun each with its own sockets and share of the
 * schedule. The workers only send and timestamp; their observations come back in batches and are
 * replayed in time order into one observer on this thread, so what is recorded, and what the
 * findings' classify() sees, is what one thread would have seen.
 */
export class WorkerRun {
  private readonly workers: Worker[];
  private readonly merge: BatchMerge;
  private readonly ends: (DispatchEnd | undefined)[];
  private fatal: unknown;
  private started = false;
  private onReady: (() => void) | undefined;
  private onEnd: ((end: DispatchEnd) => void) | undefined;
  private readyCount = 0;
  private readonly broken = new Set<number>();

  constructor(shares: WorkerData[], observer: Observer) {
    this.merge = new BatchMerge(shares.length, observer);
    this.ends = shares.map(() => undefined);
    this.workers = shares.map((data, w) => {
      const worker = acquire();
      worker.on('message', (reply: WorkerReply) => this.reply(w, reply));
      worker.on('error', (err) => {
        this.broken.add(w);
        this.ended(w, { stopReason: 'aborted', endedAt: 0, fatal: err });
      });
      worker.on('exit', () => {
        this.broken.add(w);
        this.ended(w, { stopReason: 'aborted', endedAt: 0, fatal: new Error('an engine worker exited') });
      });
      worker.postMessage({ type: 'run', data } satisfies WorkerOrder);
      return worker;
    });
  }

  /** Resolves once every worker is ready to start; a worker failing to start rejects. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onReady = resolve;
      this.onEnd = (end) => reject(end.fatal);
    });
  }

  start(t0: number, hardEnd: number): Promise<DispatchEnd> {
    this.started = true;
    const order: WorkerOrder = { type: 'start', t0: performance.timeOrigin + t0, hardEnd };
    for (const w of this.workers) w.postMessage(order);
    return new Promise((resolve) => {
      this.onEnd = resolve;
      this.settle();
    });
  }

  readonly abort = (): void => {
    for (const w of this.workers) w.postMessage({ type: 'abort' } satisfies WorkerOrder);
  };

  abortWith(err: unknown): void {
    this.fatal ??= err;
    this.abort();
  }

  /**
   * Gives the threads back: kept for the next run once they ended their share, ended otherwise
   * (a run that never started, a thread that failed).
   */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((worker, w) => release(worker, this.started && !!this.ends[w] && !this.broken.has(w))),
    );
  }

  private reply(w: number, reply: WorkerReply): void {
    if (reply.type === 'batch') this.merge.add(w, reply.batch);
    else if (reply.type === 'ready') {
      if (++this.readyCount === this.workers.length) this.onReady?.();
    } else {
      this.ended(w, {
        stopReason: reply.stopReason,
        endedAt: reply.endedAt,
        ...(reply.fatal !== undefined && { fatal: new Error(reply.fatal) }),
      });
    }
  }

  private ended(w: number, end: DispatchEnd): void {
    if (this.ends[w]) return;
    this.ends[w] = end;
    this.merge.end(w);
    if (end.fatal !== undefined) this.abortWith(end.fatal);
    if (!this.started) this.onEnd?.(end);
    else this.settle();
  }

  private settle(): void {
    if (!this.started || this.ends.some((e) => e === undefined)) return;
    const ends = this.ends as DispatchEnd[];
    this.onEnd?.({
      stopReason: PRECEDENCE.find((r) => ends.some((e) => e.stopReason === r)) ?? 'completed',
      endedAt: Math.max(...ends.map((e) => e.endedAt)),
      ...(this.fatal !== undefined && { fatal: this.fatal }),
    });
    this.onEnd = undefined;
  }
}

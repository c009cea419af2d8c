import { parentPort } from 'node:worker_threads';
import { planRun } from './arrivals.js';
import { DispatchRun } from './dispatch-run.js';
import { BatchWriter } from './observation-batch.js';
import { portableResolver } from './portable-requests.js';
import type { WorkerData, WorkerOrder, WorkerReply } from './worker-run.js';

/** How often a worker sends what it observed, even when little happened: the main thread's replay waits for it. */
const FLUSH_MS = 5;

const port = parentPort as NonNullable<typeof parentPort>;
const post = (reply: WorkerReply, transfer?: ArrayBuffer[]) => port.postMessage(reply, transfer);

let run: DispatchRun | undefined;
let writer: BatchWriter | undefined;

/** One run's share: built on 'run', started on 'start'. The thread stays for the next run, its code warm. */
function prepare(data: WorkerData): void {
  try {
    const w = new BatchWriter(
      (batch, transfer) => post({ type: 'batch', batch }, transfer),
      data.setup.classifyBodyBytes >= 0,
    );
    const resolveRequest = portableResolver(data.requests, data.scenario, data.setup.share.index);
    run = new DispatchRun({ ...data.setup, resolveRequest }, planRun(data.scenario.load), w);
    writer = w;
    post({ type: 'ready' });
  } catch (err) {
    post({ type: 'done', stopReason: 'aborted', endedAt: 0, fatal: (err as Error).message });
  }
}

function start(t0Abs: number, hardEnd: number): void {
  const r = run as DispatchRun;
  const w = writer as BatchWriter;
  // The main thread's start time, moved onto this thread's clock (each thread has its own origin).
  const t0 = t0Abs - performance.timeOrigin;
  const flusher = setInterval(() => w.flush(performance.now() - t0), FLUSH_MS);
  void r.start(t0, hardEnd).then((end) => {
    clearInterval(flusher);
    w.flush(Number.POSITIVE_INFINITY);
    run = writer = undefined;
    const fatal = end.fatal === undefined ? undefined : String((end.fatal as Error)?.message ?? end.fatal);
    post({
      type: 'done',
      stopReason: end.stopReason,
      endedAt: end.endedAt,
      ...(fatal !== undefined && { fatal }),
    });
  });
}

port.on('message', (order: WorkerOrder) => {
  if (order.type === 'run') prepare(order.data);
  else if (order.type === 'start') start(order.t0, order.hardEnd);
  else run?.abort();
});

import { parentPort, workerData } from 'node:worker_threads';
import { planRun } from './arrivals.js';
import { DispatchRun, type DispatchSetup } from './dispatch-run.js';
import { BatchWriter } from './observation-batch.js';
import { portableResolver } from './portable-requests.js';
import type { WorkerData, WorkerOrder, WorkerReply } from './worker-run.js';

/** How often a worker sends what it observed, even when little happened: the main thread's clock waits for it. */
const FLUSH_MS = 5;

const port = parentPort as NonNullable<typeof parentPort>;
const post = (reply: WorkerReply, transfer?: ArrayBuffer[]) => port.postMessage(reply, transfer);
const data = workerData as WorkerData;

try {
  const setup: DispatchSetup = {
    ...data.setup,
    resolveRequest: portableResolver(data.requests, data.scenario, data.setup.share.index),
  };
  const writer = new BatchWriter(
    (batch, transfer) => post({ type: 'batch', batch }, transfer),
    setup.classifyBodyBytes >= 0,
  );
  const run = new DispatchRun(setup, planRun(data.scenario.load), writer);
  port.on('message', (order: WorkerOrder) => {
    if (order.type === 'abort') {
      run.abort();
      return;
    }
    // The main thread's start time, moved onto this thread's clock (each thread has its own origin).
    const t0 = order.t0 - performance.timeOrigin;
    const flusher = setInterval(() => writer.flush(performance.now() - t0), FLUSH_MS);
    void run.start(t0, order.hardEnd).then((end) => {
      clearInterval(flusher);
      writer.flush(Number.POSITIVE_INFINITY);
      const fatal = end.fatal === undefined ? undefined : String((end.fatal as Error)?.message ?? end.fatal);
      post({
        type: 'done',
        stopReason: end.stopReason,
        endedAt: end.endedAt,
        ...(fatal !== undefined && { fatal }),
      });
    });
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'done', stopReason: 'aborted', endedAt: 0, fatal: (err as Error).message });
}

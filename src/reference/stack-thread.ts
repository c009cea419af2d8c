import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../usage-error.js';
import { type ReferenceStack, startReferenceStack } from './stack.js';
import type { StackThreadMessage, WorkerStackOptions } from './stack-worker.js';

/**
 * The worker side of stack-worker.ts: starts every stack it is given, reports their profiles,
 * stops each on `close` with its index, and ends once all are stopped.
 */
const port = parentPort;
if (!port) throw new Error('stack-thread.js runs as a worker thread (see stack-worker.ts)');
const post = (message: StackThreadMessage) => port.postMessage(message);

const started: ReferenceStack[] = [];
try {
  // Side by side: much of a start is waiting (key generation, listening), which others fill.
  const starts = await Promise.allSettled(
    (workerData as WorkerStackOptions[]).map((o) => startReferenceStack(o)),
  );
  for (const start of starts) if (start.status === 'fulfilled') started.push(start.value);
  const failed = starts.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  let open = started.length;
  port.on('message', async (index: number) => {
    await started[index]?.close();
    post({ type: 'closed', index });
    if (--open === 0) port.close();
  });
  post({ type: 'ready', profiles: started.map((s) => s.profile) });
} catch (err) {
  await Promise.all(started.map((s) => s.close()));
  post({ type: 'failed', message: (err as Error).message, usage: err instanceof UsageError });
  port.close();
}

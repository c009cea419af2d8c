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
  for (const options of workerData as WorkerStackOptions[]) started.push(await startReferenceStack(options));
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

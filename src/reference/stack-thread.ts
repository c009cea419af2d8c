import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../usage-error.js';
import { startReferenceStack } from './stack.js';
import type { StackThreadMessage, WorkerStackOptions } from './stack-worker.js';

/** The worker side of stack-worker.ts: starts the stack, reports its profile, stops it on 'close'. */
const port = parentPort;
if (!port) throw new Error('stack-thread.js runs as a worker thread (see stack-worker.ts)');
const post = (message: StackThreadMessage) => port.postMessage(message);

try {
  const stack = await startReferenceStack(workerData as WorkerStackOptions);
  port.once('message', async () => {
    await stack.close();
    post({ type: 'closed' });
  });
  post({ type: 'ready', profile: stack.profile });
} catch (err) {
  post({ type: 'failed', message: (err as Error).message, usage: err instanceof UsageError });
  port.close();
}

import { Worker } from 'node:worker_threads';
import type { Profile } from '../target/profile-schema.js';
import { UsageError } from '../usage-error.js';
import type { ReferenceStackOptions } from './stack.js';

/** What crosses the thread boundary: plain data only, so no clock. */
export type WorkerStackOptions = Omit<ReferenceStackOptions, 'clock'>;

export interface WorkerStack {
  profile: Profile;
  close(): Promise<void>;
}

/** Messages from the stack's thread (stack-thread.ts). */
export type StackThreadMessage =
  | { type: 'ready'; profile: Profile }
  | { type: 'failed'; message: string; usage: boolean }
  | { type: 'closed' };

/**
 * The reference gateway and its probe in a worker thread of their own: under load, the gateway's
 * work never shares the engine's event loop, so neither one's pauses show up as the other's
 * latency. The profile comes back over postMessage; `close` stops both and ends the thread.
 */
export async function startReferenceStackInWorker(options: WorkerStackOptions = {}): Promise<WorkerStack> {
  const worker = new Worker(new URL('./stack-thread.js', import.meta.url), { workerData: options });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const profile = await new Promise<Profile>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the reference stack's thread exited (code ${code})`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (message: StackThreadMessage) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      if (message.type === 'ready') resolve(message.profile);
      else if (message.type === 'failed')
        reject(message.usage ? new UsageError(message.message) : new Error(message.message));
      else reject(new Error('the reference stack closed before it was ready'));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  // Once running, a crash of the thread must not take the run down: requests to it then fail, and say so.
  worker.on('error', (err) =>
    process.stderr.write(`gateproof: the reference stack's thread failed: ${err.message}\n`),
  );
  let closing: Promise<void> | undefined;
  return {
    profile,
    close: () => {
      // The thread's servers close first; then the thread ends, whatever timer the stack left behind.
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => {
          worker.on('message', (message: StackThreadMessage) => {
            if (message.type === 'closed') resolve();
          });
          void exited.then(resolve);
        });
        worker.postMessage('close');
        await closed;
        await worker.terminate();
      })();
      return closing;
    },
  };
}

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
  | { type: 'ready'; profiles: Profile[] }
  | { type: 'failed'; message: string; usage: boolean }
  | { type: 'closed'; index: number };

/**
 * The reference gateway and its probe in a worker thread of their own: under load, the gateway's
 * work never shares the engine's event loop, so neither one's pauses show up as the other's
 * latency. The profile comes back over postMessage; `close` stops both and ends the thread.
 */
export async function startReferenceStackInWorker(options: WorkerStackOptions = {}): Promise<WorkerStack> {
  const [stack] = await startReferenceStacksInWorker([options]);
  return stack as WorkerStack;
}

/**
 * Several stacks, each with its own keys, gateway, probe and issuer, in one thread: a session of
 * many conformance runs (the fault test) pays for one thread and one load of the modules rather
 * than one per stack. No state of a stack is shared with another's (the probe's versions are
 * process-wide on purpose, see probe/server.ts). The thread ends when every stack is closed.
 */
export async function startReferenceStacksInWorker(
  options: readonly WorkerStackOptions[],
): Promise<WorkerStack[]> {
  const worker = new Worker(new URL('./stack-thread.js', import.meta.url), { workerData: options });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const profiles = await new Promise<Profile[]>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the reference stack's thread exited (code ${code})`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (message: StackThreadMessage) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      if (message.type === 'ready') resolve(message.profiles);
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
  let open = profiles.length;
  let gone = false;
  const waiting = new Map<number, () => void>();
  worker.on('message', (message: StackThreadMessage) => {
    if (message.type === 'closed') waiting.get(message.index)?.();
  });
  void exited.then(() => {
    gone = true;
    for (const resolve of waiting.values()) resolve();
  });
  return profiles.map((profile, index) => {
    let closing: Promise<void> | undefined;
    return {
      profile,
      close: () => {
        // The stack's servers close first; the last one ends the thread, whatever timer a stack left behind.
        closing ??= (async () => {
          if (!gone) {
            await new Promise<void>((resolve) => {
              waiting.set(index, resolve);
              worker.postMessage(index);
            });
          }
          if (--open === 0) await worker.terminate();
        })();
        return closing;
      },
    };
  });
}

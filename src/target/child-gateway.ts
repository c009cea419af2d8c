import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 25;
const OUTPUT_TAIL_BYTES = 8_192;

export interface ChildGatewayOptions {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Any HTTP answer from this URL means the gateway is up. */
  readyUrl: string;
  readyTimeoutMs: number;
}

export interface ChildGateway {
  pid: number;
  /** Stops the gateway and every process of its group; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** The gateway exited or never answered; it has been stopped. */
export class ChildGatewayStartError extends Error {
  override name = 'ChildGatewayStartError';
  constructor(
    /** `exited`, `no answer within N s`, or why the command could not run. */
    readonly reason: string,
    /** The end of what it wrote to stdout and stderr. */
    readonly output: string,
  ) {
    super(reason);
  }
}

/**
 * Starts a gateway gateproof runs itself as a child in its own process group: a Ctrl-C at the
 * terminal reaches gateproof, which still needs the gateway to finish the case in flight, and not
 * the gateway; the group is what `stop` (or gateproof's exit, however abrupt) kills, workers included.
 */
export async function startChildGateway(options: ChildGatewayOptions): Promise<ChildGateway> {
  const child = spawn(options.command, options.args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  let output = '';
  // Always drained: a gateway that logs every request would block on a full pipe.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (running) {
      killGroup(child, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
      if (!stopped) killGroup(child, 'SIGKILL');
      await exited;
    }
    // Workers left behind by a parent that died hard.
    killGroup(child, 'SIGKILL');
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  const failure = await Promise.race([
    spawnError.then((err) => `cannot run ${options.command}: ${err.message}`),
    waitUntilAnswering(options.readyUrl, deadline, () => running).then((ready) =>
      ready ? undefined : running ? `no answer within ${options.readyTimeoutMs / 1000} s` : 'exited',
    ),
  ]);
  if (failure === undefined && child.pid !== undefined) return { pid: child.pid, stop };
  await stop();
  throw new ChildGatewayStartError(failure ?? 'exited', output);
}

async function waitUntilAnswering(url: string, deadline: number, running: () => boolean): Promise<boolean> {
  while (Date.now() < deadline && running()) {
    try {
      const res = await request(url, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await res.body.dump();
      return true;
    } catch {
      await sleep(POLL_MS);
    }
  }
  return false;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

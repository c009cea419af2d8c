import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 25;

export interface GatewayProcessOptions {
  /** The gateway's name, for messages: `nginx did not start`. */
  name: string;
  binary: string;
  /** Arguments that keep it in the foreground. */
  args: string[];
  /** A log file it writes its complaints to, besides stderr. */
  errorLog?: string;
  port: number;
  readyTimeoutMs?: number;
}

export interface GatewayProcess {
  pid: number;
  /** Stops the gateway and its workers; resolves once the master has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** The gateway exited or never answered; `message` is one line ending with its first complaint. */
export class GatewayStartError extends Error {
  override name = 'GatewayStartError';
  constructor(
    message: string,
    /** The port was taken between choosing it and the gateway binding it: worth another try. */
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

/**
 * Starts a gateway (nginx, HAProxy) in the foreground as a child in its own process group: a
 * Ctrl-C at the terminal reaches gateproof, which still needs the gateway to finish the case in
 * flight, and not the gateway; the group is what `stop` (or gateproof's exit) kills, workers
 * included.
 */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const child = spawn(options.binary, options.args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4096);
  });
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
    // Workers left behind by a master that died hard.
    killGroup(child, 'SIGKILL');
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? READY_TIMEOUT_MS);
  const failure = await Promise.race([
    spawnError.then((err) => `cannot run ${options.binary}: ${err.message}`),
    waitUntilAnswering(options.port, deadline, () => running).then((ready) =>
      ready
        ? undefined
        : running
          ? `no answer within ${(options.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s`
          : 'exited',
    ),
  ]);
  if (failure === undefined && child.pid !== undefined) return { pid: child.pid, stop };
  await stop();
  const complaint = firstComplaint(options.errorLog, stderr);
  throw new GatewayStartError(
    `${options.name} did not start (${failure})${complaint ? `: ${complaint}` : ''}`,
    /Address already in use/.test(complaint ?? ''),
  );
}

async function waitUntilAnswering(port: number, deadline: number, running: () => boolean): Promise<boolean> {
  while (Date.now() < deadline && running()) {
    try {
      const res = await request(`http://127.0.0.1:${port}/`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
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

/**
 * The first emerg/alert/crit line of the error log (or of stderr), without its timestamp and pid:
 * the first is the cause ("bind() ... Address already in use"), later ones its consequences.
 * nginx writes `[emerg] 12#12: ...`, HAProxy `[ALERT]    (12) : ...`.
 */
function firstComplaint(errorLog: string | undefined, stderr: string): string | undefined {
  const log = errorLog && existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
  const text = `${log}\n${stderr}`;
  const lines = text.split('\n').filter((l) => /\[(emerg|alert|crit)\]/i.test(l));
  const first = lines[0] ?? text.trim().split('\n').at(-1);
  const bare = first
    ?.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '')
    .replace(/\d+#\d+: /, '')
    .replace(/^\[(ALERT|EMERG|CRIT)\]\s*(\(\d+\)\s*:\s*)?/i, '')
    .trim();
  return bare || undefined;
}

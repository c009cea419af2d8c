import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 25;

export interface NginxProcessOptions {
  binary: string;
  prefix: string;
  configFile: string;
  errorLog: string;
  port: number;
  readyTimeoutMs?: number;
}

export interface NginxProcess {
  pid: number;
  /** Stops nginx and its workers; resolves once the master has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** nginx exited or never answered; `message` is one line ending with the error log's last complaint. */
export class NginxStartError extends Error {
  override name = 'NginxStartError';
  constructor(
    message: string,
    /** The port was taken between choosing it and nginx binding it: worth another try. */
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

/**
 * Starts nginx in the foreground as a child in its own process group: a Ctrl-C at the terminal
 * reaches gateproof, which still needs nginx to finish the case in flight, and not nginx; the
 * group is what `stop` (or gateproof's exit) kills, workers included.
 */
export async function startNginx(options: NginxProcessOptions): Promise<NginxProcess> {
  const child = spawn(
    options.binary,
    ['-p', options.prefix, '-e', options.errorLog, '-c', options.configFile, '-g', 'daemon off;'],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
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
  throw new NginxStartError(
    `nginx did not start (${failure})${complaint ? `: ${complaint}` : ''}`,
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
 */
function firstComplaint(errorLog: string, stderr: string): string | undefined {
  const text = `${existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}\n${stderr}`;
  const lines = text.split('\n').filter((l) => /\[(emerg|alert|crit)\]/.test(l));
  const first = lines[0] ?? text.trim().split('\n').at(-1);
  const bare = first
    ?.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '')
    .replace(/\d+#\d+: /, '')
    .trim();
  return bare || undefined;
}

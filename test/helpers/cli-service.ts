import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { REPO } from './cli.js';

const BIN = fileURLToPath(new URL('../../../bin/gateproof.js', import.meta.url));

export interface Service {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  /** Sends SIGTERM and resolves with the exit code and what was printed. */
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts a long-running CLI command and resolves once its stdout holds `ready`. */
export function startService(
  args: string[],
  ready: RegExp,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Service> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, CI: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: Service = {
    child,
    stdout: () => stdout,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      return { code, stdout, stderr };
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready within ${options.timeoutMs ?? 30_000} ms: ${stdout}${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout!.on('data', () => {
      if (ready.test(stdout)) {
        clearTimeout(timer);
        resolve(service);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before ready: ${stderr.trim()}`));
    });
  });
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

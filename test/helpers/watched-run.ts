import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { REPO } from './cli.js';

const BIN = new URL('../../../bin/gateproof.js', import.meta.url).pathname;

export interface WatchedResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The highest resident memory of any one process of the run (gateproof, Playwright's runner, a worker), in MiB. */
  peakMiB: number;
  /** The highest resident memory of gateproof and all its descendants together, in MiB. */
  peakTreeMiB: number;
}

/** Every descendant of `pid` (Playwright's runner, its workers, a browser), read from /proc. */
function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${out[i]}/task`)) {
        const children = readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // The process ended while it was being read.
    }
  }
  return out;
}

function rssKiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
    return line ? Number(line[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs the real CLI as a user would, sampling the memory of its whole process tree every 50 ms,
 * with a hard time limit; `onStdout` sees the console as it is written.
 */
export function watchedRun(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    onStdout?: (text: string, pid: number) => void;
  } = {},
): Promise<WatchedResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let peakTree = 0;
    const sample = setInterval(() => {
      const sizes = tree(child.pid!).map(rssKiB);
      peak = Math.max(peak, ...sizes);
      peakTree = Math.max(
        peakTree,
        sizes.reduce((sum, size) => sum + size, 0),
      );
    }, 50);
    child.stdout.on('data', (d) => {
      stdout += d;
      options.onStdout?.(stdout, child.pid!);
    });
    child.stderr.on('data', (d) => (stderr += d));
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    };
    const timer = setTimeout(kill, options.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(sample);
      // Whatever the run left running in its group (a Playwright runner after a SIGKILL) goes too.
      kill();
      resolve({
        code,
        stdout,
        stderr,
        ms: Date.now() - started,
        peakMiB: Math.round(peak / 1024),
        peakTreeMiB: Math.round(peakTree / 1024),
      });
    });
  });
}

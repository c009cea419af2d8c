import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOutcome } from './classify.js';
import { COVERAGE_ENV } from './instrument.js';

const running = new Set<number>();

/** Stops every run under way, with its process group: for a mutation run that is itself stopped. */
export function stopRuns(): void {
  for (const pid of running) process.kill(-pid, 'SIGKILL');
}

/** Each case's status by id. */
function statuses(file: string): Record<string, string> | undefined {
  if (!existsSync(file)) return undefined;
  const results = JSON.parse(readFileSync(file, 'utf8')) as { cases: { id: string; status: string }[] };
  return Object.fromEntries(results.cases.map((c) => [c.id, c.status]));
}

/**
 * One `gateproof run` of the mirror against the reference gateway, with one mutant active in every
 * thread that loads a decision file (the gateway's), or none and the mutants reached written down. Past `timeoutMs` the whole process group is
 * stopped: a mutant that hangs the gateway is caught by time.
 */
export function runSuites(
  cli: string,
  suites: readonly string[],
  outDir: string,
  timeoutMs: number,
  mutant: { id: string } | { coverageFile: string },
): Promise<RunOutcome & { ms: number }> {
  const args = [cli, 'run', '--no-load', '--suites', suites.join(','), '--out', outDir];
  const env = {
    ...process.env,
    ...('id' in mutant ? { __STRYKER_ACTIVE_MUTANT__: mutant.id } : { [COVERAGE_ENV]: mutant.coverageFile }),
  };
  const started = Date.now();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore', detached: true });
  if (child.pid) running.add(child.pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      if (child.pid) running.delete(child.pid);
      // Whatever the run left behind in its group (a browser, Playwright's runner) goes with it.
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already empty
      }
      const outcome = {
        exitCode,
        timedOut,
        statuses: timedOut ? undefined : statuses(join(outDir, 'results.json')),
      };
      rmSync(outDir, { recursive: true, force: true });
      resolve({ ...outcome, ms: Date.now() - started });
    });
  });
}

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from '../../scenarios/index.js';
import { profileCheckProblems } from '../load/finding-checks.js';
import { shortenScenario } from '../load/shorten-scenario.js';
import { collectResults } from '../results/collect.js';
import { EventWriter, readEvents } from '../results/events.js';
import type { Results } from '../results/model.js';
import { writeRunOutputs } from '../results/write-run.js';
import { openTarget } from '../target/open-target.js';
import { makePrivateDir, sweepStalePrivateDirs } from '../target/private-dir.js';
import { serveResolvedTarget } from '../target/resolved-target.js';
import { secretsOf } from '../target/secrets.js';
import { targetSummary } from '../target/target-summary.js';
import { UsageError } from '../usage-error.js';
import { runScenarios, selectScenarios } from './run-scenarios.js';
import { runSuites, selectSuites } from './run-suites.js';

export interface RunOptions {
  target?: string;
  suites?: string[];
  /** Load scenarios to run after the suites (default: all); `load: false` runs none. */
  scenarios?: string[];
  /** Cut each scenario to this many seconds of offered load (`run`); full length when absent (`load`). */
  scenarioSeconds?: number;
  load?: boolean;
  profile?: 'aws' | 'generic';
  out?: string;
  fault?: string;
  /** `--quiet`: no progress, case lines only for what did not pass. */
  quiet?: boolean;
  /** `--json`: stdout is kept for the summary; everything else goes to stderr. */
  json?: boolean;
  /** The command line as typed, recorded so the report can say how to reproduce the run. */
  command: string;
  signal: AbortSignal;
}

export const TOOL_VERSION = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as {
    version: string;
  }
).version;

/**
 * Playwright's deadline for one case: room for the longest waits of a case (a cache TTL, a quota
 * window) and for a few exchanges, each bounded by the target's timeoutMs.
 */
export function caseTimeoutMs(timeoutMs: number): number {
  return Math.max(60_000, 6 * timeoutMs);
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
}

/**
 * One run: open the target, stream events as cases finish, fold them into results.json and the
 * reports. Whatever happens after the first event (a crash, Ctrl-C), what was measured is
 * written, and the run is marked interrupted.
 */
export async function runGateproof(options: RunOptions): Promise<{ results: Results; outDir: string }> {
  // What a run killed without a chance to clean up left behind goes first, whatever this run does.
  sweepStalePrivateDirs();
  const suites = selectSuites(options.suites);
  const seconds = options.scenarioSeconds;
  const scenarios = (options.load === false ? [] : selectScenarios(options.scenarios)).map((s) =>
    seconds === undefined ? s : shortenScenario(s, seconds),
  );
  const runId = newRunId();
  const outDir = resolve(options.out ?? join('reports', runId));
  mkdirSync(outDir, { recursive: true });
  const eventsFile = join(outDir, 'events.ndjson');
  rmSync(eventsFile, { force: true });

  const target = await openTarget(options.target, {
    ...(options.fault ? { fault: options.fault } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
  const privateDir = makePrivateDir('run');
  const events = new EventWriter(eventsFile, secretsOf(target.profile));
  try {
    const { profile } = target;
    const problems = profileCheckProblems(
      profile,
      SCENARIOS.map((s) => s.id),
    );
    if (problems.length > 0) throw new UsageError(problems[0] as string);
    events.write({
      type: 'run-start',
      run: {
        id: runId,
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        tool: { name: 'gateproof', version: TOOL_VERSION },
        node: process.version,
        command: options.command,
        ...(options.fault ? { fault: options.fault } : {}),
      },
      target: targetSummary(profile),
      // A user's spec files are planned by their cases (the reporter's case-plan), not by a suite name.
      plan: { suites: suites.builtin, scenarios: scenarios.map((s) => s.id) },
    });
    if (suites.builtin.length + suites.paths.length > 0 && !options.signal.aborted) {
      const served = await serveResolvedTarget(join(privateDir, 'target.sock'), profile);
      try {
        await runSuites({
          suites,
          targetSocket: served.socket,
          caseTimeoutMs: caseTimeoutMs(profile.timeoutMs),
          eventsFile,
          outDir,
          signal: options.signal,
          quiet: options.quiet === true,
          linesToStderr: options.json === true,
        });
      } finally {
        await served.close();
      }
    }
    if (scenarios.length && !options.signal.aborted) {
      await runScenarios({
        scenarios,
        profile,
        events,
        signal: options.signal,
        quiet: options.quiet === true,
      });
    }
    events.write({
      type: 'run-end',
      finishedAt: new Date().toISOString(),
      ...(options.signal.aborted ? { interrupted: true } : {}),
    });
  } finally {
    events.close();
    rmSync(privateDir, { recursive: true, force: true });
    await target.close();
  }
  const results = collectResults(readEvents(eventsFile));
  writeRunOutputs(outDir, results);
  return { results, outDir };
}

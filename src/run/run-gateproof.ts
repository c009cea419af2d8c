import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from '../../scenarios/index.js';
import { profileCheckProblems } from '../load/finding-checks.js';
import type { Scenario } from '../load/scenario.js';
import { shortenScenario } from '../load/shorten-scenario.js';
import { collectResults } from '../results/collect.js';
import { EventWriter, readEvents } from '../results/events.js';
import type { Results } from '../results/model.js';
import { writeRunOutputs } from '../results/write-run.js';
import { type OpenTarget, openTargets } from '../target/open-target.js';
import { makePrivateDir, sweepStalePrivateDirs } from '../target/private-dir.js';
import { type ServedTarget, serveResolvedTarget } from '../target/resolved-target.js';
import { secretsOf } from '../target/secrets.js';
import { targetSummary } from '../target/target-summary.js';
import { UsageError } from '../usage-error.js';
import { runScenarios, selectScenarios } from './run-scenarios.js';
import { runSuites, type SuiteSelection, selectSuites } from './run-suites.js';
import { suiteGroups } from './suite-groups.js';

/** One run: a target and what runs against it, with its own events, results and reports. */
export interface TargetRunOptions {
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
  /** The command line as typed, recorded so the report can say how to reproduce the run. */
  command: string;
}

/** What the runs of one session share: the console, the interrupt, the Playwright workers. */
export interface SessionOptions {
  /** `--quiet`: no progress, case lines only for what did not pass. */
  quiet?: boolean;
  /** `--json`: stdout is kept for the summary; everything else goes to stderr. */
  json?: boolean;
  /** No case lines at all: a harness that reads the results (quiet as well). */
  silent?: boolean;
  signal: AbortSignal;
  /** Playwright workers: how many groups of suites (or targets) run side by side (default 2). */
  workers?: number;
}

export type RunOptions = TargetRunOptions & SessionOptions;

export interface RunOutcome {
  results: Results;
  outDir: string;
  timings: RunTimings;
}

/** Where a run's time went, in milliseconds, as the closing summary prints it. */
export interface RunTimings {
  /** Starting (or reaching) the target. */
  target: number;
  /** The suites phase, start to end, all suites side by side. */
  suites: number;
  /** The scenarios phase, and each scenario from its start to the next. */
  scenarios: number;
  scenario: Record<string, number>;
  /** results.json and the reports. */
  reports: number;
  total: number;
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

/** One run, alone in its session. */
export async function runGateproof(options: RunOptions): Promise<RunOutcome> {
  const [outcome] = await runGateproofSession([options], options);
  return outcome as RunOutcome;
}

/** A run being carried out: its target open and served, its events file started. */
interface OpenRun {
  options: TargetRunOptions;
  suites: SuiteSelection;
  scenarios: Scenario[];
  outDir: string;
  eventsFile: string;
  privateDir: string;
  target: OpenTarget;
  events: EventWriter;
  served?: ServedTarget;
  timings: RunTimings;
}

/**
 * Runs in one session: each opens its own target and writes its own events, results.json and
 * reports, exactly as it would alone; their suites share one Playwright runner (each target's
 * projects side by side), then their scenarios run one run after another. Whatever happens after
 * the first event (a crash, Ctrl-C), what was measured is written, and the run is marked
 * interrupted. The fault test runs many faults, each its own gateway, this way.
 */
export async function runGateproofSession(
  runs: readonly TargetRunOptions[],
  session: SessionOptions,
): Promise<RunOutcome[]> {
  // What a run killed without a chance to clean up left behind goes first, whatever this run does.
  sweepStalePrivateDirs();
  const started = performance.now();
  const opened: OpenRun[] = [];
  try {
    opened.push(...(await openRuns(runs)));
    const targetDone = performance.now();
    for (const run of opened) run.timings.target = targetDone - started;
    const withSuites = opened.filter((r) => r.suites.builtin.length + r.suites.paths.length > 0);
    if (withSuites.length > 0 && !session.signal.aborted) {
      for (const run of withSuites) {
        run.served = await serveResolvedTarget(join(run.privateDir, 'target.sock'), run.target.profile);
      }
      await runSuites({
        targets: withSuites.map((run, i) => ({
          name: run.options.fault ?? `target-${i}`,
          targetSocket: run.served!.socket,
          eventsFile: run.eventsFile,
          outDir: run.outDir,
          // Many targets already fill the workers: each one's files in turn, in one worker.
          groups:
            withSuites.length === 1
              ? suiteGroups(run.suites.builtin)
              : [{ suites: run.suites.builtin, oneAtATime: true }],
          specs: run.suites.paths,
        })),
        workers: session.workers ?? 2,
        caseTimeoutMs: Math.max(...withSuites.map((r) => caseTimeoutMs(r.target.profile.timeoutMs))),
        signal: session.signal,
        quiet: session.quiet === true,
        lines: session.silent ? 'none' : session.json ? 'stderr' : 'stdout',
      });
    }
    const suitesDone = performance.now();
    for (const run of opened) {
      run.timings.suites = suitesDone - targetDone;
      if (run.scenarios.length === 0 || session.signal.aborted) continue;
      const scenariosStart = performance.now();
      await runScenarios({
        scenarios: run.scenarios,
        profile: run.target.profile,
        events: run.events,
        signal: session.signal,
        quiet: session.quiet === true || session.silent === true,
        onScenarioEnd: (id, ms) => {
          run.timings.scenario[id] = ms;
        },
      });
      run.timings.scenarios = performance.now() - scenariosStart;
    }
    for (const run of opened) {
      run.events.write({
        type: 'run-end',
        finishedAt: new Date().toISOString(),
        ...(session.signal.aborted ? { interrupted: true } : {}),
      });
    }
  } finally {
    for (const run of opened) {
      run.events.close();
      await run.served?.close();
      rmSync(run.privateDir, { recursive: true, force: true });
      await run.target.close();
    }
  }
  return opened.map((run) => {
    const reportsStart = performance.now();
    const results = collectResults(readEvents(run.eventsFile));
    writeRunOutputs(run.outDir, results);
    const end = performance.now();
    run.timings.reports = end - reportsStart;
    run.timings.total = end - started;
    return { results, outDir: run.outDir, timings: run.timings };
  });
}

/** Opens the runs' targets together and starts their events files; on a bad profile, every target is closed again. */
async function openRuns(runs: readonly TargetRunOptions[]): Promise<OpenRun[]> {
  const planned = runs.map((options) => {
    const seconds = options.scenarioSeconds;
    const scenarios = (options.load === false ? [] : selectScenarios(options.scenarios)).map((s) =>
      seconds === undefined ? s : shortenScenario(s, seconds),
    );
    return { options, suites: selectSuites(options.suites), scenarios };
  });
  const targets = await openTargets(
    runs.map((options) => ({
      spec: options.target,
      options: {
        ...(options.fault ? { fault: options.fault } : {}),
        ...(options.profile ? { profile: options.profile } : {}),
      },
    })),
  );
  const problems = targets.flatMap((t) =>
    profileCheckProblems(
      t.profile,
      SCENARIOS.map((s) => s.id),
    ),
  );
  if (problems.length > 0) {
    await Promise.all(targets.map((t) => t.close()));
    throw new UsageError(problems[0] as string);
  }
  return planned.map(({ options, suites, scenarios }, i) => {
    const target = targets[i] as OpenTarget;
    const runId = newRunId();
    const outDir = resolve(options.out ?? join('reports', runId));
    mkdirSync(outDir, { recursive: true });
    const eventsFile = join(outDir, 'events.ndjson');
    rmSync(eventsFile, { force: true });
    const privateDir = makePrivateDir('run');
    const events = new EventWriter(eventsFile, secretsOf(target.profile));
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
      target: targetSummary(target.profile),
      // A user's spec files are planned by their cases (the reporter's case-plan), not by a suite name.
      plan: { suites: suites.builtin, scenarios: scenarios.map((s) => s.id) },
    });
    const timings = { target: 0, suites: 0, scenarios: 0, scenario: {}, reports: 0, total: 0 };
    return { options, suites, scenarios, outDir, eventsFile, privateDir, target, events, timings };
  });
}

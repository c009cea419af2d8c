import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it, test } from 'node:test';
import { SCENARIOS } from '../scenarios/index.js';
import { EXIT_CODES } from '../src/cli/outcome.js';
import { FAULTS as CATALOG, type Fault } from '../src/reference/faults.js';
import type { Results } from '../src/results/model.js';
import { runGateproofSession } from '../src/run/run-gateproof.js';
import { availableSuites } from '../src/run/run-suites.js';
import { gateproof } from './helpers/cli.js';

/**
 * Every case must be able to fail, and every fault must be caught by exactly the cases it
 * declares: a new case that no fault breaks, or a fault that breaks more or less than it says,
 * fails here. A fault runs against the suites of the cases it declares (running every suite under
 * every fault would not fit in CI); GATEPROOF_FAULT_SUITES narrows the run while developing.
 *
 * Each fault is a whole run of its own (its own reference gateway, events, results.json and
 * verdict), as `gateproof run --fault` makes it; a session carries BATCH of them at once, their
 * suites side by side in one Playwright runner, which spares a CLI, a runner and a report process
 * per fault (232 faults took 15 minutes one process each).
 */

const FAULTS: readonly Fault[] = CATALOG;
const FAILED = new Set(['fail', 'optional_fail']);
const ONLY = process.env.GATEPROOF_FAULT_SUITES?.split(',');
const ALL = ONLY ?? availableSuites();
const suiteOf = (id: string) => id.split('.')[0]!;
const suitesOf = (fault: Fault) => [...new Set(fault.breaks.map(suiteOf))].filter((s) => ALL.includes(s));
/** A fault only scenarios catch still runs the suite of its family, so that a case it broke would show. */
const SCENARIO_FAULT_SUITE = 'apikey';
/** Faults per session: each holds a gateway in a thread until its session ends. */
const BATCH = 24;
/**
 * Fault runs mostly wait (on their gateway, the browser, a WebSocket timeout), so five at a time
 * still leave 2 cores partly idle: the 36 WebSocket faults took 5 min 26 s three at a time and
 * 3 min 41 s five at a time, at 0.75 of a core.
 */
const WORKERS = 5;

const CASE_FAULTS = FAULTS.filter((f) => suitesOf(f).length > 0);
const CLEAN = 'clean';
const batches: string[][] = [];
for (let i = 0; i < CASE_FAULTS.length; i += BATCH) {
  batches.push(CASE_FAULTS.slice(i, i + BATCH).map((f) => f.name));
}
// The faithful run rides in the first session: every case, no fault.
batches[0] = [CLEAN, ...(batches[0] ?? [])];
const sessions = new Map<number, Promise<Map<string, Results>>>();

/** The results of a fault's run (or the clean one), from its session, started on first demand. */
function resultsOf(name: string): Promise<Results> {
  const index = batches.findIndex((b) => b.includes(name));
  let session = sessions.get(index);
  if (!session) {
    session = runSession(batches[index]!);
    sessions.set(index, session);
  }
  return session.then((all) => all.get(name)!);
}

async function runSession(names: string[]): Promise<Map<string, Results>> {
  const out = mkdtempSync(join(tmpdir(), 'gp-faults-'));
  const runs = names.map((name) => {
    const fault = FAULTS.find((f) => f.name === name);
    return {
      suites: fault ? suitesOf(fault) : ALL,
      load: false,
      out: join(out, name),
      command: fault ? `gateproof run --no-load --fault ${name}` : 'gateproof run --no-load',
      ...(fault ? { fault: name } : {}),
    };
  });
  const outcomes = await runGateproofSession(runs, {
    silent: true,
    workers: WORKERS,
    signal: new AbortController().signal,
  });
  rmSync(out, { recursive: true, force: true });
  return new Map(outcomes.map((o, i) => [names[i]!, o.results]));
}

/** What went wrong, for an assertion's message: every case that did not pass, and why. */
function notPassed(results: Results): string {
  return results.cases
    .filter((c) => c.status !== 'pass' && c.status !== 'skip')
    .map((c) => `${c.status} ${c.id}: ${c.message ?? ''}`)
    .join('\n');
}

let clean: Results;

before(async () => {
  clean = await resultsOf(CLEAN);
  assert.equal(clean.summary.verdict, 'pass', notPassed(clean));
});

test('every declared broken case exists, and every case is broken by some fault', () => {
  const ids = new Set(clean.cases.map((c) => c.id));
  const declared = new Set(FAULTS.flatMap((f) => f.breaks).filter((id) => ALL.includes(suiteOf(id))));
  for (const id of declared) assert.ok(ids.has(id), `a fault declares ${id}, which no suite has`);
  const unbroken = [...ids].filter((id) => !declared.has(id));
  assert.deepEqual(unbroken, [], 'cases no fault can make fail');
});

describe('each fault', () => {
  for (const fault of CASE_FAULTS) {
    it(`--fault ${fault.name} fails exactly ${fault.breaks.join(', ')}`, async () => {
      const suites = suitesOf(fault);
      const results = await resultsOf(fault.name);
      const failed = results.cases
        .filter((c) => FAILED.has(c.status))
        .map((c) => c.id)
        .sort();
      const expected = fault.breaks.filter((id) => suites.includes(suiteOf(id))).sort();
      assert.deepEqual(failed, expected, notPassed(results));
      // Only a broken core case fails the run; a fault caught by `check` cases alone exits 0.
      const core = expected.some((id) => clean.cases.find((c) => c.id === id)?.level === 'core');
      assert.equal(EXIT_CODES[results.summary.verdict], core ? 1 : 0, notPassed(results));
      assert.equal(results.run.fault, fault.name);
      assert.deepEqual([...new Set(results.cases.map((c) => c.suite))].sort(), [...suites].sort());
    });
  }
});

/** A whole `gateproof run` through the CLI, as a user types it. */
async function run(
  suites: string[],
  args: string[],
): Promise<{ code: number | null; results: Results; log: string }> {
  const out = mkdtempSync(join(tmpdir(), 'gp-fault-'));
  const result = await gateproof(['run', '--suites', suites.join(','), '--out', out, ...args], {
    timeoutMs: 300_000,
  });
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  rmSync(out, { recursive: true, force: true });
  return { code: result.code, results, log: result.stdout + result.stderr };
}

/**
 * A fault of a promise only traffic shows (a bucket's burst) is caught by scenario checks: under
 * it, exactly its declared scenarios fail among the scenarios of their kind, and no case fails.
 * The same scenarios pass against the faithful gateway in test/verdict-scenarios.test.ts.
 */
describe('each scenario fault', () => {
  const faults = FAULTS.filter((f) => (f.scenarios?.length ?? 0) > 0 && ALL.includes(SCENARIO_FAULT_SUITE));
  for (const fault of faults) {
    const declared = [...(fault.scenarios ?? [])].sort();
    const kinds = new Set(SCENARIOS.filter((s) => declared.includes(s.id)).map((s) => s.kind));
    const scenarios = SCENARIOS.filter((s) => kinds.has(s.kind)).map((s) => s.id);
    it(`--fault ${fault.name} fails exactly the scenarios ${declared.join(', ')}`, async () => {
      const { code, results, log } = await run(
        [...new Set([SCENARIO_FAULT_SUITE, ...suitesOf(fault)])],
        ['--scenarios', scenarios.join(','), '--fault', fault.name],
      );
      const failedCases = results.cases.filter((c) => FAILED.has(c.status)).map((c) => c.id);
      assert.deepEqual(failedCases, [...fault.breaks].sort(), log.slice(-2000));
      const failed = results.scenarios
        .filter((s) => s.verdict === 'fail')
        .map((s) => s.id)
        .sort();
      assert.deepEqual(failed, declared, log.slice(-2000));
      for (const id of declared) {
        const scenario = results.scenarios.find((s) => s.id === id);
        assert.ok(
          scenario?.checks?.some((c) => c.ok === false),
          `${id} fails by a finding check, not only a threshold`,
        );
      }
      assert.equal(code, 1);
    });
  }
});

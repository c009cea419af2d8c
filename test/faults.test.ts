import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it, test } from 'node:test';
import { SCENARIOS } from '../scenarios/index.js';
import { FAULTS as CATALOG, type Fault } from '../src/reference/faults.js';
import type { Results } from '../src/results/model.js';
import { availableSuites } from '../src/run/run-suites.js';
import { gateproof } from './helpers/cli.js';

/**
 * Every case must be able to fail, and every fault must be caught by exactly the cases it
 * declares: a new case that no fault breaks, or a fault that breaks more or less than it says,
 * fails here. A fault runs against the suites of the cases it declares (running every suite under
 * every fault would not fit in CI); GATEPROOF_FAULT_SUITES narrows the run while developing.
 */

const FAULTS: readonly Fault[] = CATALOG;
const FAILED = new Set(['fail', 'optional_fail']);
const ONLY = process.env.GATEPROOF_FAULT_SUITES?.split(',');
const ALL = ONLY ?? availableSuites();
const suiteOf = (id: string) => id.split('.')[0]!;
const suitesOf = (fault: Fault) => [...new Set(fault.breaks.map(suiteOf))].filter((s) => ALL.includes(s));
/** A fault only scenarios catch still runs the suite of its family, so that a case it broke would show. */
const SCENARIO_FAULT_SUITE = 'apikey';
let clean: Results;

async function run(
  suites: string[],
  args: string[] = ['--no-load'],
): Promise<{ code: number | null; results: Results; log: string }> {
  const out = mkdtempSync(join(tmpdir(), 'gp-fault-'));
  const result = await gateproof(['run', '--suites', suites.join(','), '--out', out, ...args], {
    timeoutMs: 300_000,
  });
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  return { code: result.code, results, log: result.stdout + result.stderr };
}

before(async () => {
  ({ results: clean } = await run(ALL));
  assert.equal(clean.summary.verdict, 'pass');
});

test('every declared broken case exists, and every case is broken by some fault', () => {
  const ids = new Set(clean.cases.map((c) => c.id));
  const declared = new Set(FAULTS.flatMap((f) => f.breaks).filter((id) => ALL.includes(suiteOf(id))));
  for (const id of declared) assert.ok(ids.has(id), `a fault declares ${id}, which no suite has`);
  const unbroken = [...ids].filter((id) => !declared.has(id));
  assert.deepEqual(unbroken, [], 'cases no fault can make fail');
});

// A fault run mostly waits on the gateway and the browser, so two at a time use the machine better.
describe('each fault', { concurrency: 2 }, () => {
  for (const fault of FAULTS.filter((f) => suitesOf(f).length > 0)) {
    it(`--fault ${fault.name} fails exactly ${fault.breaks.join(', ')}`, async () => {
      const suites = suitesOf(fault);
      const { code, results, log } = await run(suites, ['--no-load', '--fault', fault.name]);
      const failed = results.cases
        .filter((c) => FAILED.has(c.status))
        .map((c) => c.id)
        .sort();
      const expected = fault.breaks.filter((id) => suites.includes(suiteOf(id))).sort();
      assert.deepEqual(failed, expected, log.slice(-2000));
      // Only a broken core case fails the run; a fault caught by `check` cases alone exits 0.
      const core = expected.some((id) => clean.cases.find((c) => c.id === id)?.level === 'core');
      assert.equal(code, core ? 1 : 0);
      assert.equal(results.run.fault, fault.name);
    });
  }
});

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

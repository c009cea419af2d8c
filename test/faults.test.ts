import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it, test } from 'node:test';
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
let clean: Results;

async function run(
  suites: string[],
  args: string[] = [],
): Promise<{ code: number | null; results: Results; log: string }> {
  const out = mkdtempSync(join(tmpdir(), 'gp-fault-'));
  const result = await gateproof(['run', '--suites', suites.join(','), '--no-load', '--out', out, ...args], {
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
      const { code, results, log } = await run(suites, ['--fault', fault.name]);
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

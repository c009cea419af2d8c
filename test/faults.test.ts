import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { FAULTS as CATALOG, type Fault } from '../src/reference/faults.js';
import type { Results } from '../src/results/model.js';
import { gateproof } from './helpers/cli.js';

/**
 * Every case must be able to fail, and every fault must be caught by exactly the cases it
 * declares: a new case that no fault breaks, or a fault that breaks more or less than it says,
 * fails here.
 */

const FAULTS: readonly Fault[] = CATALOG;
const FAILED = new Set(['fail', 'optional_fail']);
const SUITES = process.env.GATEPROOF_FAULT_SUITES ?? 'apikey,quota';
let clean: Results;

async function run(args: string[]): Promise<{ code: number | null; results: Results; log: string }> {
  const out = mkdtempSync(join(tmpdir(), 'gp-fault-'));
  const result = await gateproof(['run', '--suites', SUITES, '--no-load', '--out', out, ...args]);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  return { code: result.code, results, log: result.stdout + result.stderr };
}

before(async () => {
  ({ results: clean } = await run([]));
  assert.equal(clean.summary.verdict, 'pass');
});

test('every declared broken case exists, and every case in the suites is broken by some fault', () => {
  const ids = new Set(clean.cases.map((c) => c.id));
  const suites = SUITES.split(',');
  const declared = new Set(
    FAULTS.flatMap((f) => f.breaks).filter((id) => suites.includes(id.split('.')[0]!)),
  );
  for (const id of declared) assert.ok(ids.has(id), `a fault declares ${id}, which no suite has`);
  const unbroken = [...ids].filter((id) => !declared.has(id));
  assert.deepEqual(unbroken, [], 'cases no fault can make fail');
});

for (const fault of FAULTS) {
  test(`--fault ${fault.name} fails exactly ${fault.breaks.join(', ')}`, async () => {
    const { code, results, log } = await run(['--fault', fault.name]);
    const suites = SUITES.split(',');
    const failed = results.cases
      .filter((c) => FAILED.has(c.status))
      .map((c) => c.id)
      .sort();
    const expected = fault.breaks
      .filter((id) => suites.includes(id.split('.')[0]!))
      .slice()
      .sort();
    assert.deepEqual(failed, expected, log.slice(-2000));
    assert.equal(code, expected.length ? 1 : 0);
    assert.equal(results.run.fault, fault.name);
  });
}

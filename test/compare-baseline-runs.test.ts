import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAULTS } from '../src/reference/faults.js';
import { gateproof } from './helpers/cli.js';

/**
 * Baselines from real runs: a run of the reference gateway with a fault is a regression against a
 * clean one, naming the cases the fault breaks; two clean runs are not.
 */
test('compare --baseline: a fault run regresses against a clean one, two clean runs do not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-baseline-runs-'));
  const run = async (name: string, extra: string[] = []) => {
    const out = join(dir, name);
    const res = await gateproof(['run', '--suites', 'quota', '--no-load', '--out', out, ...extra], {
      timeoutMs: 180_000,
    });
    assert.ok(res.code === 0 || res.code === 1, res.stderr);
    return out;
  };
  const clean = await run('clean');
  const again = await run('again');
  const fault = await run('fault', ['--fault', 'quota-off-by-one']);

  const bad = await gateproof(['compare', '--baseline', clean, fault, '--out', join(dir, 'bad')]);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  // The cases the fault declares are exactly those that newly fail.
  const breaks = FAULTS.find((f) => f.name === 'quota-off-by-one')!.breaks;
  assert.match(
    bad.stdout,
    new RegExp(
      `^gateproof: REGRESSION against the baseline reference \\(clean\\): ${breaks.length} newly failing cases`,
    ),
  );
  for (const id of breaks) {
    assert.match(bad.stdout, new RegExp(`reference \\(fault\\): ${id.replace(/\./g, '\\.')} newly fails`));
  }
  assert.match(readFileSync(join(dir, 'bad', 'compare.md'), 'utf8'), /^## ❌ gateproof: REGRESSION/);

  const good = await gateproof([
    'compare',
    '--baseline',
    clean,
    again,
    '--label',
    'before',
    '--label',
    'after',
    '--out',
    join(dir, 'good'),
  ]);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.equal(
    good.stdout,
    `gateproof: no regression against the baseline before (compared 2 runs) → ${join(dir, 'good', 'compare.html')}\n`,
  );
});

test('compare --baseline: a bucket refilling twice as fast changes the throttle figures, named as a regression', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-baseline-throttle-'));
  const run = async (name: string, extra: string[] = []) => {
    const out = join(dir, name);
    const res = await gateproof(
      [
        'run',
        '--suites',
        'apikey',
        '--scenarios',
        'throttle-steady',
        '--scenario-seconds',
        '3',
        '--out',
        out,
        ...extra,
      ],
      { timeoutMs: 180_000 },
    );
    assert.ok([0, 1, 3].includes(res.code ?? -1), res.stderr);
    return out;
  };
  const clean = await run('clean');
  const fault = await run('fault', ['--fault', 'throttle-rate-doubled']);
  const res = await gateproof(['compare', '--baseline', clean, fault, '--out', join(dir, 'cmp')]);
  assert.equal(res.code, 1, res.stdout + res.stderr);
  // Offered twice the declared rate, the clean gateway refuses about half; the faulty one almost none.
  assert.match(
    res.stdout,
    /reference \(fault\): throttle-steady share of 429 [\d.]+ % → [\d.]+ %, −[\d.]+ points/,
  );
  const json = JSON.parse(readFileSync(join(dir, 'cmp', 'compare.json'), 'utf8'));
  const share = json.baseline.figures.find((f: { figure: string }) => f.figure === 'share of 429');
  assert.equal(share.regression, true);
});

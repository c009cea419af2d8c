import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, type RunOutcome } from '../bench/mutation/classify.js';
import type { MutantInfo } from '../bench/mutation/mutant.js';
import { faultCatalogueLines, sampleMutants, touchesFaults } from '../bench/mutation/sample.js';

const mutant = (file: string, n: number, original = `x${n}`): MutantInfo => ({
  id: `${file}-${n}`,
  file,
  line: n + 1,
  mutator: 'ConditionalExpression',
  original,
  replacement: 'true',
});
const many = (file: string, count: number) => Array.from({ length: count }, (_, n) => mutant(file, n));

test('a sample is stratified by file in proportion to its mutants, exactly the size asked', () => {
  const all = [...many('a.ts', 600), ...many('b.ts', 300), ...many('c.ts', 100)];
  const sample = sampleMutants(all, 150, 1);
  assert.equal(sample.length, 150);
  const count = (file: string) => sample.filter((m) => m.file === file).length;
  assert.deepEqual([count('a.ts'), count('b.ts'), count('c.ts')], [90, 45, 15]);
});

test('the seed decides which mutants, the same seed the same ones whatever the order given', () => {
  const all = [...many('a.ts', 200), ...many('b.ts', 50)];
  const ids = (s: MutantInfo[]) => s.map((m) => m.id).sort();
  assert.deepEqual(ids(sampleMutants(all, 25, 3)), ids(sampleMutants([...all].reverse(), 25, 3)));
  assert.notDeepEqual(ids(sampleMutants(all, 25, 3)), ids(sampleMutants(all, 25, 4)));
  assert.equal(sampleMutants(all, 1000, 3).length, 250);
});

test('mutants of the fault switch and of the fault catalogue are left out; others are kept', () => {
  const source = [
    'const a = 1;',
    'export const JWT_FAULTS = [',
    "  { name: 'x' },",
    '] as const satisfies readonly Fault[];',
    'ok();',
  ].join('\n');
  const catalogue = faultCatalogueLines(source);
  assert.deepEqual(catalogue, [[2, 4]]);
  const names = new Set(['quota-off-by-one']);
  assert.equal(touchesFaults(mutant('f.ts', 2, "'x'"), names, catalogue), true);
  assert.equal(touchesFaults(mutant('f.ts', 9, "gw.fault === 'a'"), names, catalogue), true);
  assert.equal(touchesFaults(mutant('f.ts', 9, "'quota-off-by-one'"), names, catalogue), true);
  assert.equal(touchesFaults(mutant('f.ts', 9, "'QUOTA_EXCEEDED'"), names, catalogue), false);
  assert.equal(touchesFaults(mutant('f.ts', 9, '{\n if (fault) x();\n y();\n}'), names, catalogue), false);
});

test('a mutant is killed by a changed case, another exit code, missing results or a timeout', () => {
  const baseline: RunOutcome = {
    exitCode: 0,
    timedOut: false,
    statuses: { 'a.b.c': 'pass', 'a.b.d': 'pass' },
  };
  assert.equal(classify(baseline, baseline).killed, false);
  const failed = classify(baseline, {
    exitCode: 1,
    timedOut: false,
    statuses: { 'a.b.c': 'fail', 'a.b.d': 'pass' },
  });
  assert.deepEqual(failed, { killed: true, by: 'cases', detail: 'a.b.c pass→fail' });
  assert.equal(classify(baseline, { exitCode: 2, timedOut: false }).killed, true);
  assert.equal(
    classify(baseline, { exitCode: 3, timedOut: false, statuses: baseline.statuses }).killed,
    true,
  );
  assert.deepEqual(classify(baseline, { exitCode: null, timedOut: true }), {
    killed: true,
    by: 'timeout',
    detail: 'run exceeded its time limit',
  });
  const lost = classify(baseline, { exitCode: 0, timedOut: false, statuses: { 'a.b.c': 'pass' } });
  assert.equal(lost.killed && lost.by, 'cases');
});

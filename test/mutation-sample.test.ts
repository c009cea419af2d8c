import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, type RunOutcome } from '../bench/mutation/classify.js';
import { faultOnlySpans, insideAny, offsetsOf } from '../bench/mutation/fault-spans.js';
import type { MutantInfo } from '../bench/mutation/mutant.js';
import { sampleMutants } from '../bench/mutation/sample.js';

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

test('code only a fault runs or decides is told apart from the decisions around it', () => {
  const source = [
    "export const JWT_FAULTS = [{ name: 'x' }] as const;",
    'function leak(v) { return v + 1; }',
    'export function step(key, fault, relax) {',
    "  if (fault === 'apikey-any' && key) return leak(key);",
    '  const lookupFailed = key.id === 0;',
    "  if (fault === 'fails-open' && lookupFailed) return 200;",
    "  if (key.name === undefined && fault === 'query-ok') return 201;",
    "  if (!key || (!key.enabled && fault !== 'disabled-ok')) return 403;",
    "  const status = fault === 'wrong-body' ? 'THROTTLED' : 'QUOTA';",
    '  if (key.hash !== 1 && !relax.trustHash) return 401;',
    '  if (relax.prefix === true && key.sig.length > 3) return 402;',
    "  switch (fault) { case 'prefix': return key.startsWith('a'); default: return status; }",
    '}',
    'function bill(key, fault) {',
    "  if (fault !== 'refund') { if (key) return 1; return 2; }",
    '  key.refund(key.used > 0);',
    '}',
  ].join('\n');
  const spans = faultOnlySpans('f.ts', source);
  const only = (text: string, nth = 0) => {
    let at = -1;
    for (let i = 0; i <= nth; i++) at = source.indexOf(text, at + 1);
    return insideAny([at, at + text.length], spans);
  };
  assert.equal(only("{ name: 'x' }"), true, 'the catalogue');
  assert.equal(only('return leak(key);'), true, 'guarded by fault === ');
  assert.equal(only('v + 1'), true, 'called only under a fault');
  assert.equal(only('key.id === 0'), true, 'used only under a fault');
  assert.equal(only('key.name === undefined'), true, 'decides only beside a fault switch');
  assert.equal(only("fault !== 'disabled-ok'"), true, 'the switch itself');
  assert.equal(only("'THROTTLED'"), true);
  assert.equal(only('!relax.trustHash'), true);
  assert.equal(only('!key'), false, 'the decisions stay');
  assert.equal(only('!key.enabled'), false);
  assert.equal(only("'QUOTA'"), false);
  assert.equal(only('key.hash !== 1'), false);
  assert.equal(only('key.sig.length > 3'), true);
  assert.equal(only('return 403;'), false);
  assert.equal(only("key.startsWith('a')"), true, 'a case of switch (fault)');
  assert.equal(only('return status;'), false, 'its default');
  assert.equal(only('key.used > 0'), true, 'after an if (fault !== ...) that returns');
  assert.equal(only('return 2;'), false);
  assert.deepEqual(
    offsetsOf('ab\ncd', { start: { line: 1, column: 0 }, end: { line: 1, column: 2 } }),
    [3, 5],
  );
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

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resultsJsonSchema, writeResultsSchema } from '../src/results/json-schema.js';
import { resultsSchema } from '../src/results/model.js';
import { RESULTS_SCHEMA_FILE } from '../src/results/schema-file.js';
import { validateResults } from '../src/results/validate.js';
import { readResults, writeRunOutputs } from '../src/results/write-run.js';
import { sampleResults } from './results-sample.js';

test('the committed results.schema.json is what the model generates', () => {
  const committed = JSON.parse(readFileSync(RESULTS_SCHEMA_FILE, 'utf8'));
  assert.deepEqual(
    committed,
    resultsJsonSchema(),
    'src/results/results.schema.json is stale: run `npm run schema`',
  );
});

test('writeResultsSchema writes the generated schema, with its id and title', () => {
  const file = writeResultsSchema(join(mkdtempSync(join(tmpdir(), 'gp-schema-')), 'schema.json'));
  const written = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(written, resultsJsonSchema());
  assert.equal(written.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(written.title, 'gateproof/results@2');
  assert.match(String(written.$id), /^https:\/\//);
});

test('a run with every status validates against the shipped schema and the zod model', () => {
  const results = sampleResults();
  assert.deepEqual(validateResults(JSON.parse(JSON.stringify(results))), []);
  assert.equal(resultsSchema.safeParse(results).success, true);
  assert.deepEqual(results.summary.counts, {
    pass: 1,
    fail: 1,
    optional_fail: 1,
    skip: 1,
    setup_fail: 1,
    harness_fail: 1,
  });
  assert.equal(results.summary.verdict, 'fail');
  // What was seen broken comes first; what could not be set up follows as a reason, never hidden.
  assert.deepEqual(results.summary.reasons, [
    '1 core case(s) failed: apikey.sample.fail-1',
    'scenario throttle-above-limit failed: http_req_duration: p(99)<200 (value 2.5)',
    '1 claimed core case(s) are setup_fail: quota.sample.setup-fail-1; first: no tiny-quota key',
    '1 claimed core case(s) are harness_fail: quota.sample.harness-fail-1; first: probe unreachable',
  ]);
});

test('a results@1 file is still read, as @2 with no reasons', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-v1-'));
  const v1 = JSON.parse(JSON.stringify(sampleResults()));
  v1.schema = 'gateproof/results@1';
  delete v1.summary.reasons;
  writeFileSync(join(dir, 'results.json'), JSON.stringify(v1));
  const read = readResults(join(dir, 'results.json'));
  assert.equal(read.schema, 'gateproof/results@2');
  assert.equal(read.summary.verdict, 'fail');
  assert.deepEqual(read.summary.reasons, []);
});

test('validation reports each problem on one line with its path', () => {
  const broken = JSON.parse(JSON.stringify(sampleResults()));
  broken.cases[0].status = 'flaky';
  broken.cases[1].surprise = true;
  delete broken.run.node;
  const problems = validateResults(broken);
  assert.ok(problems.includes('/run: missing property "node"'), problems.join('\n'));
  assert.ok(problems.includes('/cases/1: unknown property "surprise"'), problems.join('\n'));
  assert.ok(
    problems.some((p) => p.startsWith('/cases/0/status: must be equal to one of the allowed values')),
  );
  for (const p of problems) assert.doesNotMatch(p, /\n/);
});

test('writeRunOutputs refuses an invalid results object, naming the first problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-invalid-'));
  const broken = { ...sampleResults(), schema: 'gateproof/results@0' } as unknown as ReturnType<
    typeof sampleResults
  >;
  assert.throws(
    () => writeRunOutputs(dir, broken),
    /^Error: refusing to write an invalid results\.json: \/schema: /,
  );
});

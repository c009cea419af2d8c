import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resultsJsonSchema, writeResultsSchema } from '../src/results/json-schema.js';
import { resultsSchema } from '../src/results/model.js';
import { RESULTS_SCHEMA_FILE } from '../src/results/schema-file.js';
import { validateResults } from '../src/results/validate.js';
import { writeRunOutputs } from '../src/results/write-run.js';
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
  assert.equal(written.title, 'gateproof/results@1');
  assert.match(String(written.$id), /^https:\/\//);
});

test('a run with every status validates against the shipped schema and the zod model', () => {
  const results = sampleResults();
  assert.deepEqual(validateResults(JSON.parse(JSON.stringify(results))), []);
  assert.equal(resultsSchema.safeParse(results).success, true);
  assert.deepEqual(results.summary, {
    counts: { pass: 1, fail: 1, optional_fail: 1, skip: 1, setup_fail: 1, harness_fail: 1 },
    verdict: 'fail',
  });
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

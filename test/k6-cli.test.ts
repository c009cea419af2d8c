import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateResults } from '../src/results/validate.js';
import { gateproof, REPO } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'gp-k6-cli-'));
const fixture = (name: string) => join(REPO, 'test', 'fixtures', 'k6', name);

function assertOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${result.stderr}`);
  assert.match(lines[0]!, pattern);
}

test('gateproof k6 ingest: two runners’ points give results.json that validates and index.html; a failed threshold exits 1', async () => {
  const out = join(tmp, 'run');
  const result = await gateproof([
    'k6',
    'ingest',
    fixture('throttle-steady-runner-0.json'),
    fixture('throttle-steady-runner-1.json.gz'),
    '--out',
    out,
  ]);
  // The slow runner's 429s break the scenario's p(99)<100 on them.
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /1 scenario, fail/);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.deepEqual(validateResults(results), []);
  assert.equal(results.scenarios[0].source, 'k6');
  assert.ok(existsSync(join(out, 'index.html')));
  assert.match(results.run.command, /^gateproof k6 ingest /);
});

test('gateproof k6 ingest: bad input is one line and exit code 2', async () => {
  const write = (name: string, text: string) => {
    const file = join(tmp, name);
    writeFileSync(file, text);
    return file;
  };
  const out = join(tmp, 'bad');
  assertOneLine(
    await gateproof(['k6', 'ingest', write('a.txt', 'GET / 200\n'), '--out', out]),
    /a\.txt: not JSON/,
  );
  assertOneLine(
    await gateproof(['k6', 'ingest', write('b.json', '{"data": [1, 2]}'), '--out', out]),
    /b\.json: not a k6 output/,
  );
  assertOneLine(await gateproof(['k6', 'ingest', write('c.json', ''), '--out', out]), /c\.json: empty/);
  assertOneLine(await gateproof(['k6', 'ingest', fixture('throttle-steady-summary.json')]), /--out/);
  assertOneLine(
    await gateproof(['k6', 'export', '--out', join(tmp, 'x'), '--parallelism', '0']),
    /positive integer/,
  );
  assert.equal(existsSync(out), false, 'nothing written for bad input');
});

test('gateproof k6 export writes every scenario and its TestRun', async () => {
  const out = join(tmp, 'k6');
  const result = await gateproof(['k6', 'export', '--out', out, '--parallelism', '8']);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(existsSync(join(out, 'lib', 'gateproof.ts')) && existsSync(join(out, 'tsconfig.json')));
  assert.match(readFileSync(join(out, 'testrun-throttle-steady.yaml'), 'utf8'), /parallelism: 8/);
  assert.match(readFileSync(join(out, 'cache-hit-ratio.ts'), 'utf8'), /executor: 'constant-arrival-rate'/);
});

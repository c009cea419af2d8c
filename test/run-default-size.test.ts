import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Results } from '../src/results/model.js';
import { gateproof } from './helpers/cli.js';

/**
 * What a default run may write: a budget per case (its evidence: each exchange's headers and a
 * bounded body) and a fixed part for the scenarios, the page's code and its charts. It grows with
 * the suites, so adding cases is not a reason to cut evidence, but one case keeping megabytes is
 * still caught.
 */
const BUDGET = (cases: number) => 2_500 * cases + 250_000;

/** Every folder under `dir` that holds nothing. */
function emptyDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory()) return [];
    const path = join(dir, entry.name);
    return readdirSync(path).length === 0 ? [path] : emptyDirs(path);
  });
}

test('a default run (every suite and scenario) writes results.json and index.html within a budget per case, and no empty folder', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'gp-default-')), 'run');
  const res = await gateproof(['run', '--quiet', '--out', out], { timeoutMs: 480_000 });
  // The verdict is not the point here (a loaded machine may fail a latency threshold); the files are.
  assert.ok(res.code === 0 || res.code === 1, res.stdout + res.stderr);
  const cases = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results).cases.length;
  for (const file of ['results.json', 'index.html', 'events.ndjson']) {
    const size = statSync(join(out, file)).size;
    assert.ok(size < BUDGET(cases), `${file} is ${size} bytes for ${cases} cases`);
  }
  assert.deepEqual(emptyDirs(out), []);
  // --quiet: no progress and no line per passing case; the closing summary and the last line.
  assert.doesNotMatch(res.stdout, /✓ pass {10}/);
  assert.doesNotMatch(res.stderr, /\(last second\)/);
  assert.match(res.stdout, /^scenarios$/m);
  assert.match(res.stdout, /gateproof: (PASS|FAIL) \(/);
});

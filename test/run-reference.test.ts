import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Results } from '../src/results/model.js';
import { validateResults } from '../src/results/validate.js';
import { gateproof } from './helpers/cli.js';

/** The "done when": a fresh run against the embedded reference gateway passes. */
for (const profile of ['aws', 'generic'] as const) {
  test(`gateproof run --profile ${profile} against the reference gateway passes with every case`, async () => {
    const out = mkdtempSync(join(tmpdir(), `gp-run-${profile}-`));
    const result = await gateproof([
      'run',
      '--suites',
      'apikey,quota',
      '--no-load',
      '--profile',
      profile,
      '--out',
      out,
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    for (const file of ['results.json', 'index.html', 'junit.xml', 'summary.md', 'events.ndjson']) {
      assert.ok(existsSync(join(out, file)), file);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    assert.deepEqual(validateResults(results), []);
    const bySuite = (s: string) => results.cases.filter((c) => c.suite === s);
    assert.ok(bySuite('apikey').length >= 9 && bySuite('quota').length >= 6, `${results.cases.length} cases`);
    const expected = profile === 'aws' ? ['pass'] : ['pass', 'skip'];
    const odd = results.cases.filter((c) => !expected.includes(c.status));
    assert.deepEqual(
      odd.map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`),
      [],
    );
    if (profile === 'aws') assert.ok(results.cases.length >= 15);
    assert.equal(results.summary.verdict, 'pass');
  });
}

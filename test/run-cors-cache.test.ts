import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Results } from '../src/results/model.js';
import { validateResults } from '../src/results/validate.js';
import { gateproof } from './helpers/cli.js';

/**
 * Issue 4's "done when": CORS and the stage cache pass against the reference gateway, and the
 * browser cases were decided by a real browser. Skipped or set-up-failed browser cases fail this
 * test: CI installs Chromium (.ci/run), so a run without one is a broken run, not a pass.
 */

function readResults(out: string): Results {
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
}

test('gateproof run --suites cors,cache passes every case, at least 5 of them decided by the browser', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gp-cors-cache-'));
  const result = await gateproof(['run', '--suites', 'cors,cache', '--no-load', '--out', out]);
  assert.equal(result.code, 0, result.stdout.slice(-3000) + result.stderr);
  const results = readResults(out);
  assert.deepEqual(validateResults(results), []);
  assert.deepEqual(
    results.cases.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`),
    [],
  );
  assert.ok(results.cases.length >= 30, `${results.cases.length} cases`);
  assert.ok(results.cases.filter((c) => c.suite === 'cache').length >= 10);

  const browser = results.cases.filter((c) => c.id.startsWith('cors.browser.'));
  assert.ok(browser.length >= 5, `${browser.length} browser cases`);
  for (const c of browser) {
    const verdicts = c.evidence.filter((e) =>
      /^browser \(page on http:\/\/127\.0\.0\.1:\d+/.test(e.note ?? ''),
    );
    assert.ok(verdicts.length > 0, `${c.id}: no browser verdict in its evidence`);
  }
  const blocked = browser.flatMap((c) => c.evidence).filter((e) => /: blocked\n/.test(e.note ?? ''));
  assert.ok(
    blocked.length > 0 && blocked.every((e) => /blocked by CORS policy/.test(e.note ?? '')),
    "every blocked fetch carries the browser's own CORS message",
  );
});

test('without a browser the browser cases are setup_fail with the reason, never pass', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gp-no-browser-'));
  const result = await gateproof(['run', '--suites', 'cors', '--no-load', '--out', out], {
    env: { GATEPROOF_BROWSER: '/nonexistent/chromium' },
  });
  const results = readResults(out);
  const browser = results.cases.filter((c) => c.id.startsWith('cors.browser.'));
  assert.ok(browser.length >= 5);
  for (const c of browser) {
    assert.equal(c.status, 'setup_fail', `${c.id}: ${c.status}`);
    assert.match(c.message ?? '', /GATEPROOF_BROWSER=\/nonexistent\/chromium is not an executable file/);
  }
  const others = results.cases.filter((c) => !c.id.startsWith('cors.browser.'));
  assert.deepEqual(
    others.filter((c) => c.status !== 'pass').map((c) => c.id),
    [],
  );
  // Setup failures are never the gateway's, but claimed core cases that did not run leave the run
  // incomplete, never a pass: exit code 3, and the reason first.
  assert.equal(result.code, 3, result.stdout.slice(-2000));
  assert.equal(results.summary.verdict, 'incomplete');
  assert.match(results.summary.reasons[0] ?? '', /claimed core case\(s\) are setup_fail: cors\.browser\./);
});

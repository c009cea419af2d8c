import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { toJUnit } from '../src/results/junit.js';
import { toMarkdown } from '../src/results/markdown.js';
import { validateResults } from '../src/results/validate.js';
import { writeRunOutputs } from '../src/results/write-run.js';
import { sampleResults, tagsOutside } from './results-sample.js';

/** Characters XML 1.0 does not allow anywhere in a document. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the test.
const ILLEGAL_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/;

test('JUnit: one testsuite per suite, one testcase per case, each status mapped', () => {
  const xml = toJUnit(sampleResults());
  assert.ok(
    xml.startsWith(
      '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gateproof reference" tests="8" failures="3" errors="2" skipped="1"',
    ),
  );
  // The verdict comes first, with why.
  assert.match(
    xml,
    /<testsuites [^>]*>\n {2}<testsuite name="verdict" tests="1" failures="1" errors="0"[^>]*>\n {4}<testcase classname="gateproof.verdict" name="gateproof: FAIL" time="0.000">\n {6}<failure message="FAIL: 1 core case\(s\) failed: apikey.sample.fail-1" type="fail">/,
  );
  assert.match(xml, /<testsuite name="apikey" tests="3" failures="1" errors="0" skipped="0"/);
  assert.match(xml, /<testsuite name="quota" tests="2" failures="0" errors="2" skipped="0"/);
  assert.match(
    xml,
    /<testcase classname="gateproof.apikey" name="apikey.sample.pass-1: a pass case" time="0.013"\/>/,
  );
  assert.match(xml, /<failure message="expected 403, got 200 [^"]*" type="fail">/);
  assert.match(xml, /<skipped message="feature jwt not claimed"\/>/);
  assert.match(xml, /<error message="no tiny-quota key" type="setup_fail">/);
  assert.match(xml, /<error message="probe unreachable" type="harness_fail">/);
  assert.match(
    xml,
    /<system-out>optional_fail \(allowed, not counted\): allowed but not optimal<\/system-out>/,
  );
  assert.match(xml, /<testsuite name="scenarios" tests="1" failures="1"/);
  assert.match(
    xml,
    /name="throttle-above-limit: constant rate above the plan throttle" time="3.000">\n\s*<failure message="failed: http_req_duration p\(99\)&lt;200" type="threshold">/,
  );
});

test('JUnit: hostile evidence comes out escaped and the document stays legal XML', () => {
  const xml = toJUnit(sampleResults());
  assert.ok(!xml.includes('<script'), 'no raw tag from the target');
  assert.ok(!xml.includes('<img'));
  assert.ok(!xml.includes(']]>'), 'no raw CDATA end');
  assert.doesNotMatch(xml, ILLEGAL_XML);
  assert.ok(xml.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(xml.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(
    xml.includes('\\u0000\\u0007\\u001b[31m\\u007f\\ud800'),
    'control characters are shown, not dropped',
  );
  assert.ok(xml.includes('&lt; x-evil: '), 'the response headers are in the failure text');
  const tags = ['?xml', 'testsuites', 'testsuite', 'testcase', 'failure', 'error', 'skipped', 'system-out'];
  assert.deepEqual(tagsOutside(xml, tags), []);
});

test('Markdown: verdict, counts, suites, what did not pass, scenario findings, how to reproduce', () => {
  const md = toMarkdown(sampleResults());
  assert.ok(
    md.startsWith('## ❌ gateproof: FAIL\n\n- 1 core case(s) failed: apikey.sample.fail-1\n'),
    md.slice(0, 200),
  );
  assert.ok(md.includes('| pass | fail | optional_fail | skip | setup_fail | harness_fail |\n| --- |'));
  assert.ok(md.includes('| 1 | 1 | 1 | 1 | 1 | 1 |'));
  assert.ok(md.includes('| apikey | 3 | 1 | 1 | 1 | 0 | 0 | 0 |'));
  assert.ok(md.includes('| quota | 2 | 0 | 0 | 0 | 0 | 1 | 1 |'));
  assert.ok(md.includes('| **fail** | `apikey.sample.fail-1` a fail case | expected 403, got 200'));
  assert.ok(
    md.includes(
      '| harness\\_fail | `quota.sample.harness-fail-1` a harness\\_fail case | probe unreachable |',
    ),
  );
  assert.ok(md.includes('#### ❌ throttle-above-limit: constant rate above the plan throttle'));
  assert.ok(md.includes('- ❌ `http_req_duration p(99)<200` (value 2.5)'), 'a threshold names its metric');
  assert.ok(md.includes('| throttle.rate | 50.04 |'));
  assert.ok(md.includes('latency (corrected for coordinated omission): p50 0.81 ms, p99 2.5 ms'));
  assert.ok(
    md.includes('### Reproduce\n\n```sh\ngateproof run --suites apikey,quota --out reports/run-sample\n```'),
  );
});

test('Markdown: target text cannot open HTML, break a table cell or start code', () => {
  const md = toMarkdown(sampleResults());
  assert.ok(!md.includes('<script'));
  assert.ok(!md.includes('<img'));
  assert.ok(md.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(
    md.includes('\\]\\]&gt; \\\\u0000\\\\u0007\\\\u001b\\[31m\\\\u007f\\\\ud800'),
    'control characters shown, brackets inert',
  );
  const failedRow = md.split('\n').find((line) => line.startsWith('| **fail** |'))!;
  assert.equal(failedRow.split(/(?<!\\)\|/).length, 5, 'three cells, no stray pipe');
  const hostile = sampleResults();
  hostile.cases[1]!.message = 'a | b `code` [link](javascript:x) *em*';
  const row = toMarkdown(hostile)
    .split('\n')
    .find((line) => line.startsWith('| **fail** |'))!;
  assert.ok(row.endsWith('| a \\| b \\`code\\` \\[link\\](javascript:x) \\*em\\* |'), row);
});

test('writeRunOutputs writes four files, results.json valid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-out-'));
  const files = writeRunOutputs(dir, sampleResults());
  assert.deepEqual(
    files.map((f) => f.slice(dir.length + 1)),
    ['results.json', 'junit.xml', 'summary.md', 'index.html'],
  );
  assert.deepEqual(validateResults(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))), []);
});

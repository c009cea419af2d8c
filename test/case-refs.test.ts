import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { refLinks } from '../src/report/ref-links.js';
import { isRefLink, refLink } from '../src/results/ref-link.js';
import type { CaseMeta } from '../src/run/case-meta.js';
import { CASE_ANNOTATION } from '../src/run/case-meta.js';
import { REPO } from './helpers/cli.js';

interface ListedSuite {
  specs?: { tests: { annotations: { type: string; description?: string }[] }[] }[];
  suites?: ListedSuite[];
}

/** Every built-in case's declaration, as Playwright lists it (nothing runs). */
function builtinCases(): CaseMeta[] {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const config = join(REPO, 'dist/src/run/playwright.config.js');
  const out = execFileSync(process.execPath, [cli, 'test', '--config', config, '--list', '--reporter=json'], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, GATEPROOF_TARGETS: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const cases: CaseMeta[] = [];
  const walk = (suite: ListedSuite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests) {
        const meta = t.annotations.find((a) => a.type === CASE_ANNOTATION)?.description;
        if (meta) cases.push(JSON.parse(meta) as CaseMeta);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of (JSON.parse(out) as { suites: ListedSuite[] }).suites) walk(suite);
  return cases;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchors(file: string): Set<string> {
  const text = readFileSync(join(REPO, file), 'utf8');
  return new Set(
    [...text.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

test("every built-in case's refs are links, and every docs link names a section that exists", () => {
  const cases = builtinCases();
  assert.ok(cases.length > 100, `${cases.length} cases listed`);
  const notLinks = cases.flatMap((c) => c.refs.filter((r) => !isRefLink(r)).map((r) => `${c.id}: ${r}`));
  assert.deepEqual(notLinks, [], 'refs that are not links');
  assert.deepEqual(
    cases.filter((c) => c.refs.length === 0).map((c) => c.id),
    [],
    'cases without refs',
  );
  const missing = new Set<string>();
  for (const ref of cases.flatMap((c) => c.refs)) {
    const docs = /^(docs\/[\w-]+\.md)#(.+)$/.exec(ref);
    if (docs && !anchors(docs[1]!).has(docs[2]!)) missing.add(ref);
  }
  assert.deepEqual([...missing], [], 'docs sections that do not exist');
});

test('short refs become RFC, CVE and docs links', () => {
  assert.equal(refLink('RFC 6750 §3'), 'https://www.rfc-editor.org/rfc/rfc6750#section-3');
  assert.equal(refLink('RFC 7515 §4.1.11'), 'https://www.rfc-editor.org/rfc/rfc7515#section-4.1.11');
  assert.equal(refLink('CVE-2022-21449'), 'https://www.cve.org/CVERecord?id=CVE-2022-21449');
  assert.equal(refLink('aws-semantics.md#cors'), 'docs/cases.md#cors');
  assert.equal(
    refLink('https://fetch.spec.whatwg.org/#http-cors-protocol'),
    'https://fetch.spec.whatwg.org/#http-cors-protocol',
  );
  assert.equal(refLink('something else'), 'something else');
});

test('the report renders refs as escaped links, and anything but https or the docs as text', () => {
  const out = refLinks([
    'docs/cases.md#cors',
    'https://example.com/?a="><script>',
    'javascript:alert(1)',
    '<b>mine</b>',
  ]).html;
  assert.match(
    out,
    /<a href="file:\/\/[^"]+\/docs\/cases\.md#cors" rel="noreferrer">docs\/cases\.md#cors<\/a>/,
  );
  assert.match(out, /<a href="https:\/\/example\.com\/\?a=&quot;&gt;&lt;script&gt;" rel="noreferrer">/);
  assert.doesNotMatch(out, /href="javascript/);
  assert.match(out, /javascript:alert\(1\)/);
  assert.match(out, /&lt;b&gt;mine&lt;\/b&gt;/);
  assert.doesNotMatch(out, /<script>|<b>/);
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderCompareHtml } from '../src/report/compare-html.js';
import { toCompareMarkdown } from '../src/report/compare-markdown.js';
import { buildComparison, type CompareInput } from '../src/report/compare-model.js';
import { summarize } from '../src/results/collect.js';
import type { Results } from '../src/results/model.js';
import { gateproof } from './helpers/cli.js';
import { HOSTILE, sampleResults, tagsOutside } from './results-sample.js';

/** A second vendor: fewer cases, other outcomes, and a scenario with throttle and cache findings. */
function otherRun(): Results {
  const base = sampleResults();
  const cases = base.cases
    .filter((c) => c.suite !== 'quota')
    .map((c) =>
      c.status === 'fail' ? { ...c, status: 'pass' as const, message: undefined, evidence: [] } : c,
    );
  cases.push({
    id: 'cors.preflight.allowed-origin',
    suite: 'cors',
    title: 'a preflight from an allowed origin is answered',
    level: 'core',
    status: 'pass',
    durationMs: 2,
    evidence: [],
    refs: [],
  });
  const scenario = {
    ...base.scenarios[0]!,
    findings: {
      throttle: {
        declaredRate: 200,
        declaredBurst: 100,
        inferredRate: 198.6,
        inferredBurst: 101,
        share429: 0.25,
        p99Us429: 900,
      },
      cache: { hitRatio: 0.9, hitP50Us: 400, missP50Us: 1900, invalidationVisibleMs: 12 },
    },
    thresholds: [],
  };
  return {
    ...base,
    run: { ...base.run, id: 'run-nginx', command: 'gateproof run --target nginx --out B' },
    target: {
      ...base.target,
      name: 'nginx',
      kind: 'nginx',
      vendor: 'nginx',
      version: '1.22.1',
      profile: 'generic',
      features: { declared: ['apikey', 'cors'], detected: [] },
    },
    cases,
    scenarios: [scenario],
    summary: summarize(cases, [scenario]),
  };
}

const runs: CompareInput[] = [
  { source: 'reports/A', results: sampleResults() },
  { source: 'reports/B', results: otherRun() },
];

test('rows are the union of cases by suite; a case a run lacks is absent', () => {
  const c = buildComparison(runs);
  assert.equal(c.schema, 'gateproof/compare@1');
  assert.deepEqual(
    c.columns.map((col) => [col.target.name, col.target.vendor, col.target.version, col.target.profile]),
    [
      ['reference', 'gateproof', '0.1.0', 'aws'],
      ['nginx', 'nginx', '1.22.1', 'generic'],
    ],
  );
  assert.deepEqual(
    c.suites.map((s) => s.name),
    ['apikey', 'jwt', 'quota', 'cors'],
  );
  const row = (id: string) => c.suites.flatMap((s) => s.cases).find((r) => r.id === id)!;
  assert.deepEqual(
    row('apikey.sample.fail-1').cells.map((x) => x.status),
    ['fail', 'pass'],
  );
  assert.deepEqual(
    row('quota.sample.setup-fail-1').cells.map((x) => x.status),
    ['setup_fail', 'absent'],
  );
  assert.deepEqual(
    row('cors.preflight.allowed-origin').cells.map((x) => x.status),
    ['absent', 'pass'],
  );
  assert.deepEqual(c.columns[0]!.suites.apikey!.counts.pass, 1);
  assert.equal(c.columns[0]!.suites.apikey!.total, 3);
  assert.equal(c.columns[1]!.suites.quota, undefined);
  assert.equal(c.columns[1]!.run.command, 'gateproof run --target nginx --out B');
});

test('scenario figures side by side: declared vs inferred throttle, 429 share, p99, cache', () => {
  const [scenario] = buildComparison(runs).scenarios;
  const figure = (name: string) => scenario!.figures.find((f) => f.name === name)?.values;
  assert.deepEqual(figure('throttle.declaredRate'), [null, 200]);
  assert.deepEqual(figure('throttle.inferredRate'), [null, 198.6]);
  assert.deepEqual(figure('throttle.inferredBurst'), [null, 101]);
  assert.deepEqual(figure('share429'), [50 / 300, 0.25], 'from the status counts when no finding says');
  assert.deepEqual(figure('throttle.p99Us429'), [null, 900]);
  assert.equal(figure('throttle.p50Us429'), undefined, 'a figure no run has is left out');
  assert.deepEqual(figure('latency.p99'), [2500, 2500]);
  assert.deepEqual(figure('cache.hitRatio'), [null, 0.9]);
  assert.deepEqual(figure('cache.invalidationVisibleMs'), [null, 12]);
  assert.deepEqual(scenario!.verdicts, ['fail', 'pass']);
  const finding = (name: string) => scenario!.findings.find((f) => f.name === name)?.values;
  assert.deepEqual(finding('throttle.rate'), ['50.04', null]);
  assert.deepEqual(finding('cache.missP50Us'), [null, '1900']);
});

test('compare.html: self-contained, both columns, evidence in each cell, how to reproduce', () => {
  const page = renderCompareHtml(runs);
  assert.ok(page.startsWith('<!doctype html>'));
  assert.ok(page.includes('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;'));
  assert.doesNotMatch(page, /<[^>]*\s(src|action|srcset)=/i);
  assert.doesNotMatch(page, /href="(?!#)/, 'links stay on the page');
  assert.doesNotMatch(page, /<script(?! type="application\/json")/);
  assert.ok(page.includes('<th class="target" id="target-2"><b>nginx</b>\n<small>nginx 1.22.1</small>'));
  assert.ok(page.includes('<tr class="differs" id="case-apikey.sample.fail-1">'));
  assert.ok(page.includes('<td class="cell absent">absent</td>'));
  assert.match(
    page,
    /<td class="cell"><details><summary><span class="status status-fail">fail<\/span><\/summary>/,
  );
  assert.ok(page.includes('<td class="num">198.6 /s</td>'));
  assert.ok(page.includes('<td class="num">25 %</td>'));
  assert.ok(page.includes('<pre><code>gateproof run --target nginx --out B</code></pre>'));
  assert.ok(page.includes('<td><code>cors-browser</code>') === false, 'only claimed features are listed');
});

test('compare.html escapes everything that came from a target', () => {
  const hostile = otherRun();
  hostile.target = { ...hostile.target, name: HOSTILE, vendor: HOSTILE, version: HOSTILE, baseUrl: HOSTILE };
  hostile.run = { ...hostile.run, command: HOSTILE };
  hostile.cases[0] = { ...hostile.cases[0]!, title: HOSTILE, message: HOSTILE };
  hostile.scenarios[0] = { ...hostile.scenarios[0]!, id: HOSTILE, findings: { [HOSTILE]: HOSTILE } };
  const page = renderCompareHtml([{ source: HOSTILE, results: hostile }, ...runs]);
  const allowed = [
    'html',
    'head',
    'meta',
    'title',
    'style',
    'body',
    'header',
    'h1',
    'h2',
    'h3',
    'small',
    'p',
    'b',
  ];
  const markup = [
    ...allowed,
    'main',
    'section',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'span',
    'details',
  ];
  const problems = tagsOutside(page, [
    ...markup,
    'summary',
    'pre',
    'code',
    'label',
    'input',
    'a',
    'article',
    'footer',
    'script',
    'div',
    'ul',
    'li',
  ]);
  assert.deepEqual(problems.slice(0, 3), []);
  assert.ok(!page.includes('<script>alert'));
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(page.includes('\\u0000'), 'control characters are shown, not sent raw');
});

test('gateproof compare writes compare.json and compare.html; bad input is one line, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-compare-'));
  for (const [name, results] of [
    ['A', sampleResults()],
    ['B', otherRun()],
  ] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'results.json'), JSON.stringify(results));
  }
  const out = join(dir, 'C');
  const ok = await gateproof(['compare', join(dir, 'A'), join(dir, 'B'), '--out', out]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, `gateproof: compared 2 runs → ${join(out, 'compare.html')}\n`);
  const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
  assert.equal(json.columns.length, 2);
  assert.ok(readFileSync(join(out, 'compare.html'), 'utf8').includes('<b>nginx</b>'));

  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'bad', 'results.json'), JSON.stringify({ ...sampleResults(), schema: 'other' }));
  mkdirSync(join(dir, 'garbage'));
  writeFileSync(join(dir, 'garbage', 'results.json'), '{not json');
  for (const [args, message] of [
    [[join(dir, 'A'), join(dir, 'missing')], `${join(dir, 'missing')}: no results.json`],
    [[join(dir, 'bad')], `${join(dir, 'bad', 'results.json')}: /schema:`],
    [[join(dir, 'garbage')], `${join(dir, 'garbage', 'results.json')}: not JSON`],
  ] as const) {
    const res = await gateproof(['compare', ...args, '--out', out]);
    assert.equal(res.code, 2, res.stderr);
    assert.ok(res.stderr.startsWith(`gateproof: ${message}`), res.stderr);
    assert.equal(res.stderr.split('\n').length, 2, 'one line');
  }
  const noOut = await gateproof(['compare', join(dir, 'A')]);
  assert.equal(noOut.code, 2);
});

/** The sample run with a throttle scenario whose figures can be moved. */
function throttled(inferredBurst: number, share429: number, durationS = 3): Results {
  const base = sampleResults();
  const scenario = {
    ...base.scenarios[0]!,
    durationS,
    findings: {
      throttle: { declaredRate: 200, declaredBurst: 100, inferredRate: 199, inferredBurst, share429 },
      cache: { hitRatio: 0.9, invalidationVisibleMs: 40 },
    },
  };
  return { ...base, scenarios: [scenario], summary: summarize(base.cases, [scenario]) };
}

test('a baseline comparison names newly failing and passing cases and each figure past its limit', () => {
  const before = throttled(100, 0.5);
  const after = throttled(210, 0.52);
  const flipped = after.cases.find((c) => c.status === 'pass')!;
  flipped.status = 'fail';
  flipped.message = 'now broken';
  const fixed = after.cases.find((c) => c.status === 'fail' && c.id !== flipped.id)!;
  fixed.status = 'pass';
  const c = buildComparison(
    [
      { source: 'reports/A', results: before },
      { source: 'reports/B', results: after },
    ],
    { baseline: true },
  );
  assert.deepEqual(
    c.columns.map((col) => col.label),
    ['reference (A)', 'reference (B)'],
    'two runs of one target get distinct names',
  );
  const b = c.baseline!;
  assert.equal(b.regression, true);
  assert.deepEqual(
    b.newlyFailing.map((x) => [x.id, x.from, x.to]),
    [[flipped.id, 'pass', 'fail']],
  );
  assert.deepEqual(
    b.newlyPassing.map((x) => x.id),
    [fixed.id],
  );
  const burst = b.figures.find((f) => f.figure === 'inferred burst')!;
  assert.deepEqual([burst.baseline, burst.value, burst.relative, burst.regression], [100, 210, 1.1, true]);
  const share = b.figures.find((f) => f.figure === 'share of 429')!;
  assert.equal(share.regression, false, 'two points of 429 share are within the limit');
  assert.match(b.reasons[0]!, new RegExp(`${flipped.id} newly fails`));
  assert.match(b.reasons[1]!, /inferred burst 100 → 210, \+110 \(\+110 %\), limit: change ≤ 25 % either way/);
  assert.deepEqual(c.warnings, []);

  const same = buildComparison(
    [
      { source: 'A', results: throttled(100, 0.5) },
      { source: 'B', results: throttled(104, 0.51, 10) },
    ],
    { baseline: true, labels: ['before', 'after'] },
  );
  assert.equal(same.baseline!.regression, false);
  assert.deepEqual(
    same.columns.map((col) => col.label),
    ['before', 'after'],
  );
  assert.match(same.warnings[0]!, /ran for different lengths \(before 3 s, after 10 s\)/);
  const md = toCompareMarkdown(same);
  assert.match(
    md.split('\n')[0]!,
    /^## ✅ gateproof: no regression against the baseline before \(compared 2 runs\)$/,
  );
  assert.match(md, /not like for like/);
  assert.match(
    renderCompareHtml(
      [{ source: 'A', results: before }],
      buildComparison([{ source: 'A', results: before }]),
    ),
    /compared 1 run;/,
  );
});

test('gateproof compare --baseline exits 1 on a regression and says so first in every output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-baseline-'));
  const after = throttled(100, 0.5);
  after.cases.find((c) => c.status === 'pass')!.status = 'fail';
  for (const [name, results] of [
    ['A', throttled(100, 0.5)],
    ['B', after],
  ] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'results.json'), JSON.stringify(results));
  }
  const out = join(dir, 'out');
  const res = await gateproof(['compare', '--baseline', join(dir, 'A'), join(dir, 'B'), '--out', out]);
  assert.equal(res.code, 1, res.stderr);
  assert.match(
    res.stdout,
    /^gateproof: REGRESSION against the baseline reference \(A\): 1 newly failing case/,
  );
  assert.match(readFileSync(join(out, 'compare.md'), 'utf8'), /^## ❌ gateproof: REGRESSION/);
  assert.match(
    readFileSync(join(out, 'compare.html'), 'utf8'),
    /<main>\n<section id="verdict"><h2><span class="badge fail" id="regression">REGRESSION/,
  );
  assert.equal(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')).baseline.regression, true);
  const clean = await gateproof(['compare', '--baseline', join(dir, 'A'), join(dir, 'A'), '--out', out]);
  assert.equal(clean.code, 0, clean.stdout);
  for (const args of [
    ['--limit', 'p99=fast'],
    ['--limit', 'nonsense=1'],
    ['--label', 'only-one'],
  ]) {
    const bad = await gateproof([
      'compare',
      '--baseline',
      join(dir, 'A'),
      join(dir, 'B'),
      ...args,
      '--out',
      out,
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(bad.stderr.split('\n').length, 2, 'one line');
  }
});

test('a scenario whose threshold or check newly fails is a regression, named with what failed', () => {
  const before = throttled(100, 0.5);
  before.scenarios[0] = {
    ...before.scenarios[0]!,
    thresholds: before.scenarios[0]!.thresholds.map((t) => ({ ...t, ok: true })),
    checks: [{ metric: 'throttle.burst', expr: 'within(declared, 10%)', ok: true }],
    verdict: 'pass',
  };
  const after = throttled(100, 0.5);
  after.scenarios[0] = {
    ...before.scenarios[0]!,
    checks: [{ metric: 'throttle.burst', expr: 'within(declared, 10%)', ok: false }],
    verdict: 'fail',
  };
  const c = buildComparison(
    [
      { source: 'A', results: before },
      { source: 'B', results: after },
    ],
    { baseline: true, labels: ['main', 'branch'] },
  );
  assert.equal(c.baseline!.regression, true);
  assert.deepEqual(
    c.baseline!.newlyFailingScenarios.map((x) => [x.id, x.from, x.to, x.message]),
    [['throttle-above-limit', 'pass', 'fail', 'throttle.burst within(declared, 10%)']],
  );
  assert.match(c.baseline!.reasons[0]!, /^branch: scenario throttle-above-limit newly fails/);
});

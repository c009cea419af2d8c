import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHART_SCRIPT } from '../src/report/chart-script.js';
import { renderIndexHtml } from '../src/report/html.js';
import { UPLOT } from '../src/report/uplot-source.js';
import type { Results } from '../src/results/model.js';
import { HOSTILE, sampleResults, tagsOutside } from './results-sample.js';

const page = renderIndexHtml(sampleResults());

test('the page is self-contained: strict CSP, nothing fetched, no external fonts', () => {
  assert.ok(page.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'));
  assert.ok(
    page.includes(
      `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;unsafe-inline&#39;; img-src data:">`,
    ),
  );
  assert.doesNotMatch(
    page,
    /<[^>]*\s(src|href|action|srcset)=/i,
    'no attribute that loads or links anything',
  );
  assert.doesNotMatch(page, /@import|url\(|@font-face/);
  // The only scripts that run are authored here: uPlot and the script that draws the charts.
  const running = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.deepEqual(running, [UPLOT.script, CHART_SCRIPT]);
  assert.doesNotMatch(page, /<script(?! type="application\/json"|>)/, 'no other script');
  assert.doesNotMatch(page, /<link\b/);
});

test('the page shows the verdict, target, counts, cases by suite, scenarios and how to reproduce', () => {
  assert.ok(page.includes('<span class="badge fail" id="verdict">FAIL</span> reference</h1>'));
  for (const fact of [
    '<dt>vendor</dt><dd>gateproof</dd>',
    '<dt>mode</dt><dd>in-process</dd>',
    '<dt>profile</dt><dd>aws</dd>',
  ]) {
    assert.ok(page.includes(fact), fact);
  }
  assert.ok(page.includes('<dt>base URL</dt><dd><code>http://127.0.0.1:1/prod</code></dd>'));
  assert.ok(page.includes('<dt>declared features</dt><dd>apikey, quota</dd>'));
  assert.ok(page.includes('<dt>detected features</dt><dd>apikey</dd>'));
  for (const status of ['pass', 'fail', 'optional_fail', 'skip', 'setup_fail', 'harness_fail']) {
    assert.ok(page.includes(`<li class="status-${status}"><b>1</b>${status}</li>`), status);
  }
  for (const suite of ['apikey', 'jwt', 'quota'])
    assert.ok(page.includes(`<h3 id="suite-${suite}">${suite} `), suite);
  assert.ok(page.includes('<tr class="row-fail" id="case-apikey.sample.fail-1">'));
  assert.ok(page.includes('<details><summary>evidence (1 exchange)</summary>'));
  assert.ok(page.includes('<td class="num">12.5 ms</td>'));
  assert.ok(page.includes('<article class="scenario" id="scenario-throttle-above-limit">'));
  assert.ok(page.includes('<p class="verdict-card fail">'), 'the scenario opens with its finding in words');
  const charts = [...page.matchAll(/class="gp-chart-data" data-for="([^"]+)">([^<]*)</g)];
  assert.deepEqual(
    charts.map((m) => m[1]),
    ['chart-0-requests', 'chart-0-latency'],
  );
  const requests = JSON.parse(charts[0]![2]!) as { series: { label: string }[] };
  assert.ok(!requests.series.some((s) => s.label === 'dropped'), 'no drop line when nothing was dropped');
  const dropping = sampleResults();
  dropping.scenarios[0]!.timeseries[1]!.dropped = 4;
  assert.match(renderIndexHtml(dropping), /"label":"dropped"/);
  assert.ok(page.includes('<td><code>throttle.rate</code></td><td>50.04</td>'));
  assert.ok(page.includes('<td><code>p(99)&lt;200</code></td>'));
  assert.ok(
    page.includes('<pre><code>gateproof run --suites apikey,quota --out reports/run-sample</code></pre>'),
  );
});

test('everything from the target is escaped, in text and in attributes', () => {
  assert.ok(!page.includes('<script>alert(1)'));
  assert.ok(!page.includes('<img'));
  assert.ok(!page.includes('\u0000') && !page.includes('\u0007') && !page.includes('\u001b'));
  assert.ok(
    page.includes(
      '&lt; x-evil: &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; ]]&gt; \\u0000\\u0007\\u001b[31m\\u007f\\ud800 &#39; end',
    ),
  );
  assert.ok(page.includes('origin reached: 0 ('));
  assert.ok(page.includes('contract violation: body.message: &lt;script&gt;'));

  const hostile: Results = sampleResults();
  hostile.target.name = HOSTILE;
  hostile.cases[0]!.id = `apikey.x"onmouseover="alert(1)`;
  hostile.cases[0]!.suite = `apikey'><svg onload=alert(1)>`;
  hostile.run.command = `gateproof run </code></pre><script>alert(1)</script>`;
  hostile.scenarios[0]!.totals.byStatus = { '<b>200</b>': 1 };
  hostile.scenarios[0]!.timeseries[0]!.byStatus = { '"><script>': 3 };
  const evil = renderIndexHtml(hostile);
  assert.ok(!evil.includes('<script>alert'));
  assert.ok(!evil.includes('"><script>'));
  assert.ok(!evil.includes('<svg onload'));
  assert.ok(!evil.includes('<b>200'));
  assert.ok(evil.includes('id="case-apikey.x&quot;onmouseover=&quot;alert(1)"'));
  assert.ok(evil.includes(`<title>gateproof fail: &lt;script&gt;alert(1)&lt;/script&gt;`));
  const allowed =
    'html head meta title style body header h1 h2 h3 h4 span p main section dl dt dd code ul li b table thead tbody tr th td details summary pre small article figure figcaption div noscript label input footer script'.split(
      ' ',
    );
  // uPlot's own code is not markup; everything else on the page is.
  const markup = (p: string) => p.replace(/<script>[\s\S]*?<\/script>/g, '');
  assert.deepEqual(tagsOutside(markup(page), allowed), []);
  assert.deepEqual(tagsOutside(markup(evil), allowed), []);
});

test('embedded JSON cannot close its script element and parses back', () => {
  const hostile = sampleResults();
  hostile.run.id = '</script><script>alert(1)</script>';
  const evil = renderIndexHtml(hostile);
  const match = /<script type="application\/json" id="gateproof-summary">([^<]*)<\/script>/.exec(evil);
  assert.ok(match, 'one script element, no "<" inside');
  const summary = JSON.parse(match[1]!);
  assert.equal(summary.run, '</script><script>alert(1)</script>');
  assert.equal(summary.verdict, 'fail');
  assert.deepEqual(summary.counts, hostile.summary.counts);
});

test('a run without cases or scenarios still renders, and an interrupted run says so', () => {
  const empty = sampleResults();
  empty.cases = [];
  empty.scenarios = [];
  empty.run.interrupted = true;
  delete empty.run.command;
  const out = renderIndexHtml(empty);
  assert.ok(out.includes('<p>No cases ran.</p>'));
  assert.ok(out.includes('The run was interrupted'));
  assert.ok(out.includes('did not record its command line'));
  assert.ok(!out.includes('id="scenarios"'));
});

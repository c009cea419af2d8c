import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from '@playwright/test';
import { renderCompareHtml } from '../src/report/compare-html.js';
import { renderIndexHtml } from '../src/report/html.js';
import { summarize } from '../src/results/collect.js';
import type { Evidence, Results } from '../src/results/model.js';
import { BROWSER_ARGS, findBrowser } from '../src/run/browser-executable.js';
import { findNginx } from '../src/target/nginx/nginx-binary.js';
import { gateproof, REPO } from './helpers/cli.js';
import { bucketPoints } from './helpers/k6-bucket-points.js';
import { sampleResults } from './results-sample.js';

/**
 * The reports in a real browser: each is one file that loads nothing, logs no error, and shows
 * what a hostile target sent as text, never as markup that runs.
 */

const ARTIFACTS = join(REPO, 'test-results');
const browserPath = findBrowser();
const noBrowser = 'reason' in browserPath ? browserPath.reason : false;

let browser: Browser | undefined;
let runs: { index: string; compare: string; targets: number } | undefined;

function nginxInstalled(): boolean {
  try {
    findNginx();
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  if (noBrowser) return;
  browser = await chromium.launch({
    executablePath: 'path' in browserPath ? browserPath.path : '',
    args: BROWSER_ARGS,
  });
});

after(async () => {
  await browser?.close();
});

/** Real runs: the reference gateway, and nginx when it is installed, then their comparison. */
async function realRuns(): Promise<NonNullable<typeof runs>> {
  if (runs) return runs;
  const dir = mkdtempSync(join(tmpdir(), 'gp-browser-'));
  const targets = nginxInstalled() ? ['reference', 'nginx'] : ['reference'];
  const dirs: string[] = [];
  for (const target of targets) {
    const out = join(dir, target);
    const res = await gateproof([
      'run',
      '--target',
      target,
      '--suites',
      'apikey,quota',
      '--no-load',
      '--out',
      out,
    ]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    dirs.push(out);
  }
  const compared = await gateproof(['compare', ...dirs, '--out', join(dir, 'compare')]);
  assert.equal(compared.code, 0, compared.stderr);
  runs = {
    index: join(dirs[0]!, 'index.html'),
    compare: join(dir, 'compare', 'compare.html'),
    targets: dirs.length,
  };
  return runs;
}

interface Visit {
  problems: string[];
  dialogs: string[];
  pwned: unknown;
  text: string;
}

/**
 * Opens a report from disk, unfolds every <details> and ticks the filters, and reports any console
 * error, page error, failed request, request for anything but the page itself, or dialog.
 */
async function visit(file: string, screenshot: string): Promise<Visit> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(file).href;
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request for ${r.url()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 15_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    await page.evaluate(() => {
      document.querySelectorAll('details').forEach((d) => {
        d.open = true;
      });
    });
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point: what a reader sees.
    const text = await page.locator('body').innerText();
    // The filters are CSS only; ticking them must not break anything either.
    for (const box of await page.locator('input[type=checkbox]').all()) await box.check();
    const pwned = await page.evaluate(() => (window as { __pwned?: unknown }).__pwned);
    return { problems, dialogs, pwned, text };
  } finally {
    await page.close();
  }
}

test('index.html of a real run opens without error and shows its verdict', { skip: noBrowser }, async () => {
  const { index } = await realRuns();
  const seen = await visit(index, 'report-index.png');
  assert.deepEqual(seen.problems, []);
  assert.match(seen.text, /PASS/);
  assert.match(seen.text, /apikey\.reject\.missing/);
  assert.match(seen.text, /gateproof run --target reference/);
});

test('compare.html of real runs opens without error and shows every target', {
  skip: noBrowser,
}, async () => {
  const { compare, targets } = await realRuns();
  const seen = await visit(compare, 'report-compare.png');
  assert.deepEqual(seen.problems, []);
  assert.match(seen.text, /reference/);
  if (targets > 1) assert.match(seen.text, /nginx \d+\.\d+/);
  assert.match(seen.text, /quota\.concurrency\.burst/);
});

/**
 * A throttle report with a bucket to infer, whatever the machine's load: k6 points of a known
 * bucket (nginx.yaml's plan, 200/s and 100), ingested with that profile, written as a run is.
 */
async function bucketReport(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gp-bucket-report-'));
  const files = bucketPoints(dir, { rate: 200, burst: 100 });
  const out = join(dir, 'run');
  const res = await gateproof([
    'k6',
    'ingest',
    ...files,
    '--target',
    join(REPO, 'targets', 'nginx.yaml'),
    '--out',
    out,
  ]);
  assert.ok(res.code === 0 || res.code === 1, res.stdout + res.stderr);
  return join(out, 'index.html');
}

/** The bucket chart's data as the page holds it. */
async function bucketSeries(page: Page): Promise<Map<string, (number | null)[]>> {
  const spec = JSON.parse(
    (await page.locator('script[data-for="chart-0-bucket"]').textContent()) ?? '{}',
  ) as {
    series: { label: string; values: (number | null)[] }[];
  };
  return new Map(spec.series.map((s) => [s.label.split(':')[0]!, s.values]));
}

const drawnWithValues = (values: (number | null)[] | undefined) =>
  values?.some((v) => typeof v === 'number' && v > 0) === true;

test('the throttle chart draws the declared and the inferred bucket, and hovering shows values', {
  skip: noBrowser,
}, async () => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  try {
    await page.goto(pathToFileURL(await bucketReport()).href, { waitUntil: 'load' });
    const figure = page.locator('#chart-0-bucket-figure');
    await figure.scrollIntoViewIfNeeded();
    assert.equal(await page.locator('#chart-0-bucket').getAttribute('data-drawn'), 'true');
    const series = await bucketSeries(page);
    for (const label of ['admitted (cumulative)', 'declared bucket', 'inferred bucket']) {
      assert.ok(drawnWithValues(series.get(label)), `${label} is drawn with values`);
    }
    const legend = figure.locator('.u-legend');
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point: what a reader sees.
    assert.match((await legend.innerText()).replace(/\s+/g, ' '), /declared bucket.*inferred bucket/);
    assert.match(
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point: what a reader sees.
      await page.locator('p.verdict-card').first().innerText(),
      /^declared 200\/s, burst 100; measured [\d.]+\/s \[[\d.]+, [\d.]+\], burst [\d.]+/,
    );
    const box = await figure.locator('.u-over').boundingBox();
    assert.ok(box, 'the plot area is on the page');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const values = await figure.locator('.u-legend .u-value').allInnerTexts();
    assert.ok(
      values.slice(1).filter((v) => /\d/.test(v)).length >= 3,
      `hovering shows the values under the cursor: ${values.join(' | ')}`,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await figure.screenshot({ path: join(ARTIFACTS, 'report-throttle-chart.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'report-throttle.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a real throttle run draws its admitted requests against the declared bucket', {
  skip: noBrowser,
}, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'gp-throttle-')), 'run');
  const res = await gateproof(
    ['run', '--suites', 'apikey', '--scenarios', 'throttle-steady', '--scenario-seconds', '2', '--out', out],
    { timeoutMs: 180_000 },
  );
  // The verdict does not matter here (a loaded machine may fail a latency threshold); the chart does.
  assert.ok([0, 1, 3].includes(res.code ?? -1), res.stdout + res.stderr);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(pathToFileURL(join(out, 'index.html')).href, { waitUntil: 'load' });
    assert.equal(await page.locator('#chart-0-bucket').getAttribute('data-drawn'), 'true');
    const series = await bucketSeries(page);
    assert.ok(drawnWithValues(series.get('admitted (cumulative)')));
    assert.ok(drawnWithValues(series.get('declared bucket')));
    // Under a heavy load the run may refuse too little to fit a bucket; when it fits one, it is drawn.
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const inferred = (results.scenarios[0]!.findings.throttle as { inferredRate: number | null })
      .inferredRate;
    assert.equal(drawnWithValues(series.get('inferred bucket')), inferred !== null);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page
      .locator('#chart-0-bucket-figure')
      .screenshot({ path: join(ARTIFACTS, 'report-engine-bucket.png') });
  } finally {
    await page.close();
  }
});

/** Markup that would run, or change the page, if any of it reached the document unescaped. */
const PAYLOAD = [
  `<script>window.__pwned='script'</script>`,
  `"><img src=x onerror="window.__pwned='img'">`,
  `'><svg onload="window.__pwned='svg'">`,
  `</pre></details></td></tr></table><script>window.__pwned='breakout'</script>`,
  `</script><script>window.__pwned='json'</script>`,
  `<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>`,
  `<a href="javascript:window.__pwned='href'">x</a>`,
  `<style>body{display:none}</style>`,
  `<!-- ]]> --> \u0000\u001b[31m`,
].join(' ');

function hostileRun(): Results {
  const base = sampleResults();
  const evidence: Evidence = {
    request: { method: 'GET', url: `http://127.0.0.1:1/x?q=${PAYLOAD}`, headers: { 'x-probe': PAYLOAD } },
    response: {
      status: 403,
      headers: { 'x-evil': PAYLOAD, 'content-type': 'text/html' },
      body: PAYLOAD,
      durationMs: 1,
    },
    origin: { reached: 0, note: PAYLOAD },
    contractViolations: [PAYLOAD],
    note: PAYLOAD,
  };
  const cases = base.cases.map((c) => ({ ...c, title: PAYLOAD, message: PAYLOAD, evidence: [evidence] }));
  const scenarios = base.scenarios.map((s) => ({
    ...s,
    title: PAYLOAD,
    findings: { [PAYLOAD]: PAYLOAD, throttle: { declaredRate: 10, inferredRate: 9 } },
    // A status the target made up reaches a chart's legend, which uPlot writes as text.
    timeseries: s.timeseries.map((p) => ({ ...p, byStatus: { [PAYLOAD]: 1 } })),
    thresholds: [{ expr: PAYLOAD, metric: PAYLOAD, ok: false }],
  }));
  return {
    ...base,
    run: { ...base.run, command: PAYLOAD, fault: PAYLOAD },
    target: {
      ...base.target,
      name: PAYLOAD,
      kind: PAYLOAD,
      vendor: PAYLOAD,
      version: PAYLOAD,
      mode: PAYLOAD,
      baseUrl: PAYLOAD,
      features: { declared: [PAYLOAD], detected: [PAYLOAD] },
    },
    cases,
    scenarios,
    summary: summarize(cases, scenarios),
  };
}

test('a hostile target cannot run script in either report', { skip: noBrowser }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-hostile-'));
  const results = hostileRun();
  const index = join(dir, 'index.html');
  const compare = join(dir, 'compare.html');
  writeFileSync(index, renderIndexHtml(results));
  writeFileSync(
    compare,
    renderCompareHtml([
      { source: PAYLOAD, results },
      { source: 'reports/sample', results: sampleResults() },
    ]),
  );
  for (const [file, shot] of [
    [index, 'report-hostile-index.png'],
    [compare, 'report-hostile-compare.png'],
  ] as const) {
    const seen = await visit(file, shot);
    assert.equal(seen.pwned, undefined, `${shot}: script ran`);
    assert.deepEqual(seen.dialogs, [], `${shot}: a dialog opened`);
    assert.deepEqual(seen.problems, [], `${shot}: nothing may be fetched or fail`);
    assert.ok(seen.text.includes(`<script>window.__pwned='script'</script>`), `${shot}: shown as text`);
    assert.ok(seen.text.includes(`onerror="window.__pwned='img'"`), `${shot}: shown as text`);
  }
});

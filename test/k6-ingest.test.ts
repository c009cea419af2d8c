import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type IngestOptions, ingestK6 } from '../src/k6/ingest.js';
import { createHistogram, withHistogram } from '../src/load/histograms.js';
import type { Scenario } from '../src/load/scenario.js';
import type { Results, ScenarioResult } from '../src/results/model.js';
import { validateResults } from '../src/results/validate.js';
import { writeRunOutputs } from '../src/results/write-run.js';
import { UsageError } from '../src/usage-error.js';
import { gateproof, REPO } from './helpers/cli.js';
import { bucketPoints } from './helpers/k6-bucket-points.js';

const FIXTURES = join(REPO, 'test', 'fixtures', 'k6');
const fixture = (name: string) => join(FIXTURES, name);
const RUNNERS = [fixture('throttle-steady-runner-0.json'), fixture('throttle-steady-runner-1.json.gz')];
const tmp = mkdtempSync(join(tmpdir(), 'gp-k6-ingest-'));

const throttleSteady: Scenario = {
  id: 'throttle-steady',
  title: 'steady rate above the plan throttle',
  kind: 'throttle',
  load: { executor: 'constant-arrival-rate', rate: 20, duration: '30s', preAllocatedVUs: 20 },
  requests: [{ route: 'throttled', apiKey: 'valid', tags: { key: 'valid' } }],
  thresholds: {
    http_req_duration: ['p(99)<250'],
    http_req_failed: ['rate<0.05'],
    'http_req_failed{key:valid}': ['rate<0.02'],
    'dropped_iterations{key:valid}': ['count<1'],
  },
  expectedStatuses: { min: 200, max: 399, extra: [429] },
};
const cacheHitRatio: Scenario = {
  id: 'cache-hit-ratio',
  title: 'hit ratio over Zipf keys',
  kind: 'cache',
  load: { executor: 'constant-arrival-rate', rate: 10, duration: '3s', preAllocatedVUs: 5 },
  requests: [
    { route: 'cached', keys: { param: 'id', distribution: 'zipf', count: 4 }, tags: { path: 'zipf' } },
  ],
  thresholds: { 'http_req_duration{tag:hit}': ['p(95)<50'] },
};

/** The one scenario of a result, asserted present. */
function only(results: Results): ScenarioResult {
  assert.equal(results.scenarios.length, 1);
  return results.scenarios[0]!;
}

const k6Findings = (s: ScenarioResult) => s.findings.k6 as Record<string, unknown>;

function options(extra: Partial<IngestOptions> = {}): IngestOptions {
  return {
    scenarios: [throttleSteady, cacheHitRatio],
    run: { id: 'k6-test', tool: { name: 'gateproof', version: 'test' } },
    ...extra,
  };
}

/** The raw points of the fixtures, read independently of the ingester. */
function rawPoints(file: string, metric: string): { value: number; tags: Record<string, string> }[] {
  const bytes = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line))
    .filter((line) => line.type === 'Point' && line.metric === metric)
    .map((line) => ({ value: line.data.value, tags: line.data.tags }));
}

test('two runners’ --out json lines merge into one exact histogram: p99 is that of all raw points together', async () => {
  const results = await ingestK6(RUNNERS, options());
  assert.deepEqual(validateResults(JSON.parse(JSON.stringify(results))), []);
  const s = only(results);
  assert.equal(s.source, 'k6');
  assert.equal(s.executor, 'constant-arrival-rate');
  assert.equal(s.latency.corrected, false);

  const durations = RUNNERS.flatMap((f) => rawPoints(f, 'http_req_duration'));
  const answered = durations.filter((p) => p.tags.status !== '0');
  const all = createHistogram();
  for (const p of answered) all.recordValue(Math.round(p.value * 1000));
  const expectedP99 = all.getValueAtPercentile(99);
  all.destroy();
  assert.equal(s.latency.percentiles?.p99, expectedP99);
  assert.equal(
    withHistogram(s.latency.histograms.all!, (h) => h.getValueAtPercentile(99)),
    expectedP99,
  );
  // And within HDR's precision (3 significant digits) of the exact p99 of the sorted values.
  const sorted = answered.map((p) => p.value * 1000).sort((a, b) => a - b);
  const exact = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
  assert.ok(Math.abs(expectedP99 - exact) <= exact * 0.001, `${expectedP99} vs ${exact}`);

  const byStatus: Record<string, number> = {};
  for (const p of answered) byStatus[p.tags.status!] = (byStatus[p.tags.status!] ?? 0) + 1;
  assert.deepEqual(s.totals.byStatus, byStatus);
  assert.ok(byStatus['429']! > 0 && byStatus['503'] === 1);
  assert.equal(s.totals.requests, durations.length);
  const failed = RUNNERS.flatMap((f) => rawPoints(f, 'http_req_failed')).filter((p) => p.value === 1);
  assert.equal(s.totals.errors, failed.length);
  const dropped = RUNNERS.flatMap((f) => rawPoints(f, 'dropped_iterations'));
  assert.equal(s.totals.dropped, dropped.length);
  assert.ok(
    s.latency.histograms['status:429'] && s.latency.histograms['status:2xx'] && s.latency.histograms.error,
  );

  assert.equal(
    s.timeseries.reduce((n, p) => n + p.sent, 0),
    durations.length,
  );
  assert.deepEqual(
    s.timeseries.map((p) => p.t),
    s.timeseries.map((_, i) => i),
  );
  assert.ok(s.durationS > 3 && s.durationS < 5, `durationS ${s.durationS}`);
  assert.deepEqual(s.findings.k6, {
    runners: 2,
    latencySource: 'points',
    percentilesExact: true,
    transportErrors: 1,
    thresholdsNotEvaluated: ['dropped_iterations{key:valid}'],
  });
  assert.deepEqual(
    s.thresholds.map(({ metric, expr, ok }) => ({ metric, expr, ok })),
    [
      { metric: 'http_req_duration', expr: 'p(99)<250', ok: expectedP99 < 250_000 },
      { metric: 'http_req_failed', expr: 'rate<0.05', ok: failed.length / durations.length < 0.05 },
      // Every point of the fixtures carries the template's tag: the tag's failure rate is the whole one.
      {
        metric: 'http_req_failed{key:valid}',
        expr: 'rate<0.02',
        ok: failed.length / durations.length < 0.02,
      },
    ],
  );
  assert.ok(s.latency.histograms['key:valid'], 'a template tag gets its histogram');
  assert.equal(results.target.baseUrl, 'https://gw.example.com');
  assert.equal(results.run.startedAt, s.startedAt);

  const out = join(tmp, 'points');
  writeRunOutputs(out, results);
  assert.ok(existsSync(join(out, 'index.html')));
  assert.deepEqual(validateResults(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))), []);
});

test('cache hits travel as gateproof_cache_latency{cache}: read back as the tag:hit and tag:miss histograms', async () => {
  const file = fixture('cache-hit-ratio-runner-0.json.gz');
  const results = await ingestK6([file], options());
  const s = only(results);
  const cache = rawPoints(file, 'gateproof_cache_latency');
  const hits = cache.filter((p) => p.tags.cache === 'hit').length;
  assert.ok(hits > 0 && hits < cache.length);
  // The same findings.cache the engine writes, as far as k6's points can tell them.
  const found = s.findings.cache as Record<string, unknown>;
  assert.deepEqual(
    [found.hits, found.misses, found.hitRatio, found.hitRatioIsLowerBound, found.invalidationVisibleMs],
    [hits, cache.length - hits, Number((hits / cache.length).toFixed(4)), true, null],
  );
  assert.ok((found.hitP50Us as number) > 0 && (found.missP50Us as number) > 0);
  assert.equal(
    s.timeseries.reduce((n, p) => n + (p.tags?.hit ?? 0), 0),
    hits,
  );
  assert.equal(
    withHistogram(s.latency.histograms['tag:hit']!, (h) => h.totalCount),
    hits,
  );
  assert.ok(s.latency.histograms['path:zipf'], 'a template tag gets its histogram');
  assert.deepEqual(
    s.thresholds.map(({ metric, expr }) => ({ metric, expr })),
    [{ metric: 'http_req_duration{tag:hit}', expr: 'p(95)<50' }],
  );
});

test('a handleSummary JSON alone: its own percentiles, thresholds and the scenario named by a submetric', async () => {
  const results = await ingestK6([fixture('throttle-steady-summary.json')], options());
  assert.deepEqual(validateResults(JSON.parse(JSON.stringify(results))), []);
  const s = only(results);
  assert.equal(s.id, 'throttle-steady');
  assert.deepEqual(s.totals, { requests: 600, byStatus: { 429: 118 }, errors: 3, dropped: 2 });
  assert.deepEqual(s.latency.percentiles, {
    p50: 14222,
    p90: 41559,
    p95: 63102,
    p99: 188422,
    'p99.9': 540118,
    max: 612043,
  });
  assert.deepEqual(s.latency.histograms, {});
  assert.deepEqual(s.timeseries, []);
  assert.equal(s.durationS, 30.041);
  assert.equal(k6Findings(s).percentilesExact, true);
  assert.deepEqual(
    s.thresholds.map(({ metric, expr, ok }) => `${metric} ${expr} ${ok}`),
    [
      'http_req_duration p(99)<250 true',
      'http_req_duration{scenario:throttle-steady} p(95)<100 true',
      'http_req_failed rate<0.01 true',
      'http_reqs{status:429} count<300 true',
    ],
  );
});

test('summaries of two runners do not merge: only the maximum is kept, and the findings say so', async () => {
  const results = await ingestK6(
    [fixture('throttle-steady-summary.json'), fixture('throttle-steady-summary-export.json')],
    options({ scenario: 'throttle-steady' }),
  );
  assert.deepEqual(validateResults(JSON.parse(JSON.stringify(results))), []);
  const s = only(results);
  assert.deepEqual(s.latency.percentiles, { max: 1203553 });
  const k6 = k6Findings(s);
  assert.equal(k6.percentilesExact, false);
  assert.match(String(k6.percentilesNote), /do not merge/);
  assert.deepEqual(s.totals, { requests: 1200, byStatus: { 429: 118 }, errors: 8, dropped: 6 });
  // --summary-export's `true` means failed: its p(99) of 403 ms broke p(99)<250.
  const verdicts = Object.fromEntries(s.thresholds.map((t) => [`${t.metric} ${t.expr}`, t.ok]));
  assert.equal(verdicts['http_req_duration p(99)<250'], false);
  assert.equal(verdicts['http_req_failed rate<0.01'], true);
  assert.equal(s.verdict, 'fail');
  assert.equal(results.summary.verdict, 'fail');
});

test('points win over summaries of the same scenario; the summaries are counted as not used', async () => {
  const results = await ingestK6([...RUNNERS, fixture('throttle-steady-summary.json')], options());
  assert.equal(k6Findings(only(results)).summariesNotUsed, 1);
});

test('bad input is one UsageError line naming the file', async () => {
  const write = (name: string, text: string) => {
    const file = join(tmp, name);
    writeFileSync(file, text);
    return file;
  };
  const cases: [string, RegExp][] = [
    [write('empty.json', ''), /empty\.json: empty$/],
    [write('blank.json', '\n\n'), /blank\.json: empty$/],
    [write('not-json.txt', 'hello\nworld\n'), /not-json\.txt: not JSON/],
    [write('other.json', '{"metrics": {"x": "y"}}'), /other\.json: not a k6 output/],
    [
      write(
        'bad-line.json',
        `${readFileSync(RUNNERS[0]!, 'utf8').split('\n').slice(0, 3).join('\n')}\n{"metric":"http_req_duration",\n`,
      ),
      /bad-line\.json:4: not JSON/,
    ],
    [join(tmp, 'missing.json'), /missing\.json: cannot be read/],
  ];
  for (const [file, message] of cases) {
    await assert.rejects(ingestK6([file], options()), (err: Error) => {
      assert.ok(err instanceof UsageError, `${file}: ${err.message}`);
      assert.match(err.message, message);
      assert.equal(err.message.includes('\n'), false);
      return true;
    });
  }
  await assert.rejects(
    ingestK6([fixture('throttle-steady-summary-export.json')], options()),
    /pass --scenario ID/,
  );
  await assert.rejects(
    ingestK6(RUNNERS, options({ scenarios: [cacheHitRatio] })),
    /'throttle-steady' is not a gateproof scenario/,
  );
});

test('from raw points of two runners, ingest infers the token bucket as the engine does', async () => {
  const files = bucketPoints(mkdtempSync(join(tmpdir(), 'gp-k6-bucket-')), { rate: 100, burst: 50 });
  const results = await ingestK6(files, options({ declaredThrottle: { rateLimit: 100, burstLimit: 50 } }));
  const s = only(results);
  const throttle = s.findings.throttle as Record<string, number | null | [number, number]>;
  assert.equal(throttle.declaredRate, 100);
  assert.equal(throttle.declaredBurst, 50);
  const rate = throttle.inferredRate as number;
  const burst = throttle.inferredBurst as number;
  assert.ok(Math.abs(rate - 100) < 5, `inferred rate ${rate}`);
  assert.ok(Math.abs(burst - 50) < 8, `inferred burst ${burst}`);
  const [low, high] = throttle.rateCI as [number, number];
  assert.ok(low <= rate && rate <= high);
  assert.ok((throttle.share429 as number) > 0.5);
  // The admitted series the report's bucket chart draws, on the fine series' own steps.
  const fine = s.fineSeries!;
  assert.equal(fine.stepMs, 100);
  assert.equal(fine.admitted!.length, fine.sent.length);
  assert.equal(
    fine.admitted!.reduce((a, b) => a + b, 0),
    s.totals.byStatus['200'],
  );
});

test('gateproof k6 ingest of the throttle fixtures reports the inferred rate and burst', async () => {
  const out = join(tmp, 'cli-bucket');
  const res = await gateproof(['k6', 'ingest', ...RUNNERS, '--out', out]);
  assert.ok(res.code === 0 || res.code === 1, res.stderr);
  assert.match(res.stdout, /throttle-steady: .*measured [\d.]+\/s \[[\d.]+, [\d.]+\], burst [\d.]+/);
  const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  const throttle = written.scenarios[0]!.findings.throttle as Record<string, unknown>;
  assert.equal(typeof throttle.inferredRate, 'number');
  assert.equal(typeof throttle.inferredBurst, 'number');
});

test('a WebSocket scenario from two runners: round trips, connecting and pushes as exact merged histograms, connections counted', async () => {
  const websocket: Scenario = {
    id: 'ws-hold',
    title: 'connections held',
    kind: 'websocket',
    load: { executor: 'constant-arrival-rate', rate: 10, duration: '2s', preAllocatedVUs: 20, maxVUs: 20 },
    requests: [],
    websocket: { hold: '2s', messagesPerSecond: 1, pushesPerSecond: 2 },
    thresholds: { ws_roundtrip: ['p(99)<900'], ws_connect_failed: ['rate<0.1'], ws_push: ['p(50)<100'] },
  };
  const start = Date.parse('2026-01-01T00:00:00Z');
  const line = (metric: string, i: number, value: number | boolean, tags: Record<string, string> = {}) =>
    JSON.stringify({
      type: 'Point',
      metric,
      data: { time: new Date(start + i * 10).toISOString(), value, tags: { scenario: 'ws-hold', ...tags } },
    });
  const roundTrips = Array.from({ length: 400 }, (_, i) => 1 + ((i * 37) % 997));
  const files = [0, 1].map((runner) => {
    const lines: string[] = [];
    roundTrips.forEach((ms, i) => {
      // Runner 0 gets the low half of the values, runner 1 the high: neither one's p99 is the merged one.
      if (ms < 500 === (runner === 0)) lines.push(line('ws_roundtrip', i, ms));
    });
    for (let i = 0; i < 10; i++) {
      lines.push(line('ws_connecting', i, 5 + runner * 10 + i));
      lines.push(line('ws_connect_failed', i, runner === 1 && i === 9 ? 1 : 0));
      lines.push(line('ws_msgs_sent', i, 4));
      lines.push(line('ws_session_duration', i, 4000));
    }
    for (let i = 0; i < 3; i++) {
      lines.push(line('http_req_duration', i, 2, { status: '200', name: 'ws-push' }));
      lines.push(line('ws_push', i, 20 + i));
    }
    const file = join(tmp, `ws-runner-${runner}.json`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  });
  const s = only(await ingestK6(files, options({ scenarios: [websocket] })));
  const merged = createHistogram();
  for (const ms of roundTrips) merged.recordValue(ms * 1000);
  const p99 = merged.getValueAtPercentile(99);
  merged.destroy();
  assert.equal(s.latency.percentiles?.p99, p99, 'the p99 of every round trip of both runners together');
  assert.equal(
    withHistogram(s.latency.histograms.ws_connecting!, (h) => h.totalCount),
    20,
  );
  const ws = s.findings.websocket as {
    connections: { attempted: number; opened: number; sessions: number };
    messages: { sent: number; answered: number };
    pushes: { delivered: number };
  };
  assert.deepEqual(ws.connections, { attempted: 20, opened: 19, sessions: 20 });
  assert.deepEqual([ws.messages.sent, ws.messages.answered, ws.pushes.delivered], [80, 400, 6]);
  assert.deepEqual(s.totals.byStatus, { 101: 19, 200: 6 });
  assert.equal(s.totals.requests, 26, 'every upgrade tried and every push');
  assert.deepEqual(
    s.thresholds.map((t) => [t.metric, t.ok]),
    [
      ['ws_roundtrip', false],
      ['ws_connect_failed', true],
      ['ws_push', true],
    ],
  );
  assert.deepEqual(validateResults(await ingestK6(files, options({ scenarios: [websocket] }))), []);
});

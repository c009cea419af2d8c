import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { planRun } from '../src/load/arrivals.js';
import { parseDuration } from '../src/load/duration.js';
import { type EngineResult, type LoadOptions, type RequestSpec, runLoad } from '../src/load/engine.js';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  histogramStats,
  mergeHistograms,
  withHistogram,
} from '../src/load/histograms.js';
import { progressView } from '../src/load/progress.js';
import type { Executor, Scenario } from '../src/load/scenario.js';
import { toScenarioResult } from '../src/load/scenario-result.js';
import { evaluateThresholds, type ThresholdMetrics, thresholdMetrics } from '../src/load/thresholds.js';
import { scenarioSchema } from '../src/results/model.js';
import { type EngineTarget, startEngineTarget } from './helpers/engine-target.js';

let target: EngineTarget;
let origin: string;

before(async () => {
  target = await startEngineTarget();
  origin = target.origin;
});

after(() => target.stop());

function scenario(load: Executor, extra: Partial<Scenario> = {}): Scenario {
  return {
    id: 'engine-test',
    title: 'engine test',
    kind: 'latency',
    load,
    requests: [{ route: 'open' }],
    ...extra,
  };
}

const get = (path: string): RequestSpec => ({ method: 'GET', path, headers: {} });

function run(s: Scenario, path: string, options: Partial<LoadOptions> = {}): Promise<EngineResult> {
  const spec = get(path);
  return runLoad({
    origin,
    scenario: s,
    resolveRequest: () => spec,
    limits: { maxDurationS: 20, maxRequests: 100_000 },
    ...options,
  });
}

describe('arrival schedules', () => {
  test('k6 durations parse to milliseconds', () => {
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.throws(() => parseDuration('10'), /invalid duration '10'/);
    assert.throws(() => parseDuration('10sx'), /invalid duration/);
  });

  test('constant-arrival-rate starts at 0 and spaces arrivals evenly, timeUnit included', () => {
    const plan = planRun({
      executor: 'constant-arrival-rate',
      rate: 30,
      timeUnit: '1m',
      duration: '10s',
      preAllocatedVUs: 1,
    });
    assert.equal(plan.model, 'open');
    if (plan.model !== 'open') return;
    const times: number[] = [];
    for (let t = plan.clock.next(); Number.isFinite(t); t = plan.clock.next()) times.push(t);
    assert.deepEqual(times, [0, 2000, 4000, 6000, 8000]);
    assert.equal(plan.expected, 5);
  });

  test('ramping-arrival-rate follows the area under its stages, as k6 does', () => {
    const plan = planRun({
      executor: 'ramping-arrival-rate',
      startRate: 0,
      stages: [
        { target: 100, duration: '1s' },
        { target: 100, duration: '1s' },
        { target: 0, duration: '1s' },
      ],
      preAllocatedVUs: 10,
    });
    if (plan.model !== 'open') throw new Error('open model expected');
    const times: number[] = [];
    for (let t = plan.clock.next(); Number.isFinite(t); t = plan.clock.next()) times.push(t);
    assert.ok(
      times.every((t, i) => i === 0 || t > (times[i - 1] as number)),
      'start times increase',
    );
    // The n-th arrival comes when the area reaches n: the 50th exactly at the end of the ramp.
    const upTo = (ms: number) => times.filter((t) => t <= ms + 1e-6).length;
    assert.deepEqual([upTo(1000), upTo(2000), upTo(3000)], [50, 150, 200]);
    assert.ok(Math.abs((times[0] as number) - Math.sqrt(20_000)) < 1e-9, `first arrival at ${times[0]} ms`);
    assert.equal(plan.expected, 200);
  });

  test('bad executors are refused in one line', () => {
    assert.throws(
      () => planRun({ executor: 'constant-arrival-rate', rate: 0, duration: '1s', preAllocatedVUs: 1 }),
      /rate must be a positive number/,
    );
    assert.throws(
      () => planRun({ executor: 'constant-vus', vus: 2, duration: 'soon' }),
      /invalid duration 'soon'/,
    );
  });
});

describe('histograms', () => {
  test('round-trip through compressed base64 and merge exactly', () => {
    const a = createHistogram();
    const b = createHistogram();
    try {
      for (let v = 1; v <= 1000; v++) a.recordValue(v * 100);
      for (let v = 1; v <= 1000; v++) b.recordValue(1_000_000 + v);
      const encodedA = encodeHistogram(a);
      withHistogram(encodedA, (copy) => {
        assert.equal(copy.totalCount, 1000);
        assert.equal(copy.getValueAtPercentile(99), a.getValueAtPercentile(99));
        // Encoding keeps each value's bucket: the max comes back as its bucket's highest value.
        assert.ok(copy.maxValue >= a.maxValue && copy.maxValue <= a.maxValue * 1.001);
      });
      const merged = decodeHistogram(mergeHistograms([encodedA, encodeHistogram(b)]));
      try {
        assert.equal(merged.totalCount, 2000);
        assert.equal(merged.getValueAtPercentile(25), a.getValueAtPercentile(50));
        const { count, max } = histogramStats(merged);
        assert.equal(count, 2000);
        assert.ok(max >= b.maxValue && max <= b.maxValue * 1.001);
      } finally {
        merged.destroy();
      }
    } finally {
      a.destroy();
      b.destroy();
    }
    assert.throws(() => decodeHistogram('not base64 at all'), /not a compressed HDR histogram/);
  });
});

describe('thresholds', () => {
  function metrics(): ThresholdMetrics {
    const all = createHistogram();
    const hit = createHistogram();
    try {
      for (let i = 1; i <= 100; i++) all.recordValue(i * 1000); // 1..100 ms
      for (let i = 1; i <= 10; i++) hit.recordValue(i * 100); // 0.1..1 ms
      return {
        histograms: {
          all: encodeHistogram(all),
          'status:200': encodeHistogram(all),
          'tag:hit': encodeHistogram(hit),
        },
        requests: 100,
        failed: 3,
        dropped: 4,
        durationS: 2,
      };
    } finally {
      all.destroy();
      hit.destroy();
    }
  }

  test("k6 expressions evaluate in k6's units", () => {
    const outcomes = evaluateThresholds(
      {
        http_req_duration: ['p(99)<100', 'p(50)<10', 'avg<60', 'med<=51', 'max<100', 'min>=1'],
        'http_req_duration{status:200}': ['p(90)<95'],
        'http_req_duration{tag:hit}': ['p(99)<2'],
        'http_req_duration{status:503}': ['p(99)<1'],
        http_req_failed: ['rate<0.05', 'rate<0.01'],
        dropped_iterations: ['count<5', 'rate<1'],
        http_reqs: ['count>=100'],
        'http_reqs{tag:hit}': ['count==10'],
      },
      metrics(),
    );
    const verdicts = Object.fromEntries(outcomes.map((o) => [`${o.metric} ${o.expr}`, o.ok]));
    assert.deepEqual(verdicts, {
      'http_req_duration p(99)<100': true,
      'http_req_duration p(50)<10': false,
      'http_req_duration avg<60': true,
      'http_req_duration med<=51': true,
      'http_req_duration max<100': false,
      'http_req_duration min>=1': true,
      'http_req_duration{status:200} p(90)<95': true,
      'http_req_duration{tag:hit} p(99)<2': true,
      'http_req_duration{status:503} p(99)<1': true,
      'http_req_failed rate<0.05': true,
      'http_req_failed rate<0.01': false,
      'dropped_iterations count<5': true,
      'dropped_iterations rate<1': false,
      'http_reqs count>=100': true,
      'http_reqs{tag:hit} count==10': true,
    });
    const failed = outcomes.find((o) => o.expr === 'rate<0.01');
    assert.equal(failed?.value, 0.03);
  });

  test('unsupported metrics and expressions are refused in one line', () => {
    assert.throws(
      () => evaluateThresholds({ vus: ['value<2'] }, metrics()),
      /threshold metric 'vus' is not supported/,
    );
    assert.throws(() => evaluateThresholds({ http_req_failed: ['p(99)<2'] }, metrics()), /not valid/);
    assert.throws(() => evaluateThresholds({ http_req_duration: ['p(99)'] }, metrics()), /not valid/);
  });
});

describe('load engine', () => {
  test('constant-arrival-rate at 200/s for 2 s sends 400 requests, tagged by template and by classify()', async () => {
    const s = scenario(
      { executor: 'constant-arrival-rate', rate: 200, duration: '2s', preAllocatedVUs: 50, maxVUs: 100 },
      {
        requests: [
          { route: 'cached', tags: { path: 'hit' } },
          { route: 'cached', tags: { path: 'miss' } },
        ],
        thresholds: { http_req_duration: ['p(99)<1000'], http_req_failed: ['rate<0.01'] },
      },
    );
    const specs = { hit: get('/hit'), miss: get('/miss') };
    const result = await runLoad({
      origin,
      scenario: s,
      resolveRequest: (template) => (template.tags?.path === 'hit' ? specs.hit : specs.miss),
      limits: { maxDurationS: 10, maxRequests: 10_000 },
      classify: (_status, headers, body) =>
        headers['x-cache'] === 'Hit' && body === 'cached body' ? 'hit' : 'miss',
      classifyBodyBytes: 64,
    });
    assert.equal(result.stopReason, 'completed');
    assert.equal(result.totals.intended, 400);
    assert.ok(Math.abs(result.totals.sent - 400) <= 8, `sent ${result.totals.sent}`);
    assert.equal(result.totals.requests, result.totals.sent);
    assert.deepEqual(result.byStatus, { 200: result.totals.sent });
    assert.equal(result.totals.errors, 0);
    assert.ok(result.durationS >= 1.99 && result.durationS < 3, `duration ${result.durationS}`);
    for (const name of [
      'all',
      'uncorrected',
      'lag',
      'status:2xx',
      'status:200',
      'tag:hit',
      'tag:miss',
      'path:hit',
    ]) {
      assert.ok(result.histograms[name], `histogram ${name}`);
    }
    assert.equal(result.byTag['tag:hit']?.byStatus['200'], result.byTag['path:hit']?.byStatus['200']);
    assert.equal(result.byTag['path:hit']?.failed, 0);
    const tagged = result.timeseries.reduce((sum, p) => sum + (p.tags?.hit ?? 0) + (p.tags?.miss ?? 0), 0);
    assert.equal(tagged, result.totals.responses, 'every classified response is in the per-second tags');
    assert.ok(Math.abs((result.stats['tag:hit']?.count ?? 0) - 200) <= 4);
    const perSecond = result.timeseries.filter((p) => p.t < 2).map((p) => p.sent);
    assert.equal(perSecond.length, 2);
    for (const sent of perSecond) assert.ok(Math.abs(sent - 200) <= 8, `per-second sent ${perSecond}`);
    assert.ok((result.stats.lag?.p50 ?? Infinity) < 5000, `start lag p50 ${result.stats.lag?.p50} us`);

    const thresholds = evaluateThresholds(s.thresholds ?? {}, thresholdMetrics(result));
    const section = scenarioSchema.parse(toScenarioResult(s, result, { note: 'test' }, thresholds));
    assert.equal(section.verdict, 'pass');
    assert.equal(section.latency.corrected, true);
    assert.equal(section.totals.requests, result.totals.requests);
    assert.equal((section.findings.engine as { stopReason: string }).stopReason, 'completed');
  });

  test('a target that cannot keep up shows dropped arrivals and corrected latency, not a lower rate', async () => {
    // 2 sockets × 200 ms serve 10 requests/s; 50/s are offered; 10 slots may wait for a socket.
    const result = await run(
      scenario({ executor: 'constant-arrival-rate', rate: 50, duration: '2s', preAllocatedVUs: 10 }),
      '/slow/200',
      { connections: 2 },
    );
    assert.equal(result.totals.intended, 100);
    assert.ok(result.totals.dropped >= 50, `dropped ${result.totals.dropped}`);
    assert.equal(result.totals.sent + result.totals.dropped, 100);
    const corrected = result.stats.all;
    const uncorrected = result.stats.uncorrected;
    assert.ok(corrected && uncorrected);
    assert.ok(uncorrected.p50 >= 190_000, `uncorrected p50 ${uncorrected.p50}`);
    assert.ok(uncorrected.p99 < 400_000, `uncorrected p99 ${uncorrected.p99}`);
    assert.ok(corrected.p99 > 2 * uncorrected.p99, `corrected p99 ${corrected.p99} vs ${uncorrected.p99}`);
    assert.ok(result.timeseries.some((p) => p.dropped > 0));
  });

  test('ramping-arrival-rate sends what its stages intend', async () => {
    const result = await run(
      scenario({
        executor: 'ramping-arrival-rate',
        startRate: 0,
        stages: [
          { target: 200, duration: '500ms' },
          { target: 200, duration: '500ms' },
        ],
        preAllocatedVUs: 20,
      }),
      '/fast',
    );
    assert.equal(result.totals.intended, 150);
    assert.ok(result.totals.sent >= 147, `sent ${result.totals.sent}`);
    // The ramp's 50 in the first 500 ms, the plateau's 100 in the next 500 ms.
    assert.ok((result.timeseries[0]?.sent ?? 0) >= 145, JSON.stringify(result.timeseries));
  });

  test('constant-vus runs a closed loop, pipelined on few sockets', async () => {
    const s = scenario({ executor: 'constant-vus', vus: 8, duration: '1s' });
    const result = await run(s, '/fast', { connections: 2, pipelining: 4 });
    assert.equal(result.model, 'closed');
    assert.equal(result.stopReason, 'completed');
    assert.ok(result.totals.requests > 100, `requests ${result.totals.requests}`);
    assert.equal(result.totals.dropped, 0);
    assert.equal(result.histograms.lag, undefined);
    assert.deepEqual(result.transport, { connections: 2, pipelining: 4, slots: 8, workers: 1 });
    assert.equal(toScenarioResult(s, result, {}, []).latency.corrected, false);
  });

  test('maxRequests and maxDurationS bound the run whatever the executor says', async () => {
    const long: Executor = {
      executor: 'constant-arrival-rate',
      rate: 1000,
      duration: '30s',
      preAllocatedVUs: 20,
    };
    const byCount = await run(scenario(long), '/fast', { limits: { maxDurationS: 10, maxRequests: 100 } });
    assert.equal(byCount.stopReason, 'max-requests');
    assert.equal(byCount.totals.sent, 100);
    const capped = await run(scenario(long, { maxRequests: 50 }), '/fast');
    assert.equal(capped.totals.sent, 50);

    const started = performance.now();
    const byTime = await run(scenario({ executor: 'constant-vus', vus: 2, duration: '30s' }), '/slow/50', {
      limits: { maxDurationS: 1, maxRequests: 100_000 },
    });
    const elapsed = performance.now() - started;
    assert.equal(byTime.stopReason, 'max-duration');
    assert.ok(elapsed < 1300, `ran ${elapsed} ms`);
    assert.ok(byTime.totals.requests > 10);
  });

  test('an abort stops the run and returns a valid partial result', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 700);
    const s = scenario({
      executor: 'constant-arrival-rate',
      rate: 100,
      duration: '30s',
      preAllocatedVUs: 50,
    });
    const result = await run(s, '/slow/300', { signal: controller.signal });
    assert.equal(result.stopReason, 'aborted');
    assert.equal(result.interrupted, true);
    assert.ok(result.durationS < 1.5, `duration ${result.durationS}`);
    assert.ok(result.totals.responses > 0, 'responses before the abort are kept');
    assert.ok(result.totals.interrupted > 0, 'requests in flight are counted as interrupted');
    assert.equal(result.totals.errors, 0);
    assert.equal(result.totals.sent, result.totals.requests + result.totals.interrupted);
    scenarioSchema.parse(toScenarioResult(s, result, {}, []));
  });

  test('timeouts are errors, counted by code', async () => {
    // A closed loop of 2 that stops after 100 ms: its first two requests time out, nothing follows.
    const s = scenario({ executor: 'constant-vus', vus: 2, duration: '100ms' });
    const result = await run(s, '/slow/5000', {
      timeoutMs: 200,
      gracefulStopS: 3,
    });
    assert.equal(result.totals.errors, 2, JSON.stringify(result.totals));
    assert.equal(result.totals.failed, 2);
    assert.deepEqual(result.errorsByCode, { UND_ERR_HEADERS_TIMEOUT: 2 });
    assert.ok(result.histograms.error);
    assert.deepEqual(result.byStatus, {});
    // No answer at all: every threshold reads 0 and holds, so the silence itself must fail.
    const vacuous = evaluateThresholds({ http_req_duration: ['p(99)<500'] }, thresholdMetrics(result));
    assert.equal(vacuous[0]?.ok, true);
    const section = toScenarioResult(s, result, {}, vacuous);
    assert.equal(section.verdict, 'fail');
    assert.equal(section.checks?.at(-1)?.note, 'the gateway answered none of the 2 requests sent');
  });

  test('unexpected statuses count as failed, expectedStatuses included', async () => {
    const s = scenario({ executor: 'constant-vus', vus: 2, duration: '200ms' });
    const plain = await run({ ...s, requests: [{ route: 'open', tags: { key: 'a' } }] }, '/status/429');
    assert.equal(plain.totals.failed, plain.totals.requests);
    assert.equal(plain.byTag['key:a']?.failed, plain.totals.requests, 'failed per tag group too');
    assert.ok(plain.histograms['status:429'] && plain.histograms['status:4xx']);
    const expected = await run(
      { ...s, expectedStatuses: { min: 200, max: 399, extra: [429] } },
      '/status/429',
    );
    assert.equal(expected.totals.failed, 0);
  });

  test('traffic goes to the origin only', async () => {
    const s = scenario({ executor: 'constant-vus', vus: 1, duration: '1s' });
    const elsewhere = { method: 'GET', path: 'http://example.com/', headers: {} };
    await assert.rejects(
      runLoad({
        origin,
        scenario: s,
        resolveRequest: () => elsewhere,
        limits: { maxDurationS: 2, maxRequests: 10 },
      }),
      /only paths on 127\.0\.0\.1:\d+ are allowed/,
    );
    const spoofed = { method: 'GET', path: '/', headers: { Host: 'example.com' } };
    await assert.rejects(
      runLoad({
        origin,
        scenario: s,
        resolveRequest: () => spoofed,
        limits: { maxDurationS: 2, maxRequests: 10 },
      }),
      /Host header other than/,
    );
    await assert.rejects(run(s, '/', { origin: 'ftp://127.0.0.1/' }), /must be http: or https:/);
    await assert.rejects(
      run(s, '/', { origin: `${origin}/prod` }),
      /has a path: pass http:\/\/127\.0\.0\.1:\d+ and put '\/prod'/,
    );
  });
});

describe('progress', () => {
  test('without a terminal, plain lines every few seconds and a last one', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    const view = progressView('throttle-steady', { stream, everyS: 2 });
    for (let s = 1; s <= 5; s++) {
      view.update({
        elapsedS: s,
        plannedS: 5,
        sent: s * 100,
        byStatus: { 200: s * 90, 429: s * 10 },
        dropped: 0,
        errors: 0,
        inFlight: 1,
        p99: 12_345,
      });
    }
    // The last line is the run's real totals (what completed after the last full second, the whole run's p99).
    view.stop({
      durationS: 5.4,
      requests: 520,
      byStatus: { 200: 460, 429: 60 },
      dropped: 0,
      errors: 0,
      p99: 29_600,
    });
    assert.deepEqual(
      lines.map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['throttle-steady 2/5s', 'throttle-steady 4/5s', 'throttle-steady done'],
    );
    assert.match(lines[1] ?? '', /sent 400 200:360 429:40 dropped 0 errors 0 p99 12\.3ms \(last second\)\n$/);
    assert.equal(
      lines[2],
      'throttle-steady done in 5.4s: 520 requests 200:460 429:60 dropped 0 errors 0 p99 29.6ms\n',
    );
  });

  test('the engine reports progress every second', async () => {
    const seen: number[] = [];
    await run(
      scenario({ executor: 'constant-arrival-rate', rate: 50, duration: '1200ms', preAllocatedVUs: 5 }),
      '/fast',
      {
        onProgress: (p) => seen.push(p.elapsedS),
      },
    );
    assert.deepEqual(seen, [1]);
  });
});

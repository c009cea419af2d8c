import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type EngineResult, type LoadOptions, runLoad } from '../src/load/engine.js';
import type { Scenario } from '../src/load/scenario.js';
import { ThrottleObserver } from '../src/load/throttle-findings.js';
import { type EngineTarget, startEngineTarget } from './helpers/engine-target.js';

let target: EngineTarget;

before(async () => {
  target = await startEngineTarget();
});

after(() => target.stop());

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

function open(rate: number, extra: Partial<Scenario> = {}): Scenario {
  return {
    id: 'workers-test',
    title: 'workers test',
    kind: 'latency',
    load: { executor: 'constant-arrival-rate', rate, duration: '2s', preAllocatedVUs: 20, maxVUs: 200 },
    requests: [
      { route: 'open', tags: { path: 'ok' } },
      { route: 'open', tags: { path: 'refused' } },
    ],
    ...extra,
  };
}

function run(s: Scenario, options: Partial<LoadOptions>): Promise<EngineResult> {
  return runLoad({
    origin: target.origin,
    scenario: s,
    requests: {
      specs: [
        { method: 'GET', path: '/status/200' },
        { method: 'GET', path: '/status/429' },
      ],
    },
    limits: { maxDurationS: 20, maxRequests: 100_000 },
    ...options,
  });
}

describe('load engine on worker threads', () => {
  test('two workers share one schedule: every count merged is the sum of its parts', async () => {
    const result = await run(open(400), { workers: 2 });
    assert.equal(result.transport.workers, 2);
    assert.deepEqual(result.transport, { connections: 200, pipelining: 1, slots: 200, workers: 2 });
    assert.equal(result.stopReason, 'completed');
    assert.equal(result.totals.intended, 800);
    // A stall of the shared machine may drop a few arrivals; whatever happens, every one is counted.
    const { sent, dropped, responses } = result.totals;
    assert.equal(sent + dropped, 800);
    assert.ok(dropped < 80, `dropped ${dropped}`);
    assert.equal(responses, sent);
    const ok = result.byStatus['200'] ?? 0;
    const refused = result.byStatus['429'] ?? 0;
    assert.equal(ok + refused, sent);
    // The weighted round robin runs over the global arrival index: half each, whichever thread sent it.
    if (dropped === 0) assert.deepEqual(result.byStatus, { 200: 400, 429: 400 });
    assert.equal(result.byTag['path:ok']?.byStatus['200'], ok);
    assert.equal(result.byTag['path:refused']?.byStatus['429'], refused);
    assert.equal(result.totals.failed, refused);
    assert.equal(result.stats.all?.count, sent);
    assert.equal(result.stats.uncorrected?.count, sent);
    assert.equal(result.stats.lag?.count, sent);
    assert.equal(result.stats['status:200']?.count, ok);
    assert.equal(result.stats['status:429']?.count, refused);
    assert.equal(sum(result.timeseries.map((p) => p.sent)), sent);
    assert.equal(sum(result.timeseries.map((p) => p.dropped)), dropped);
    assert.equal(sum(result.timeseries.map((p) => sum(Object.values(p.byStatus)))), sent);
    assert.equal(sum(result.fineSeries.sent), sent);
    // Both threads keep the schedule's shape: every second gets its 400.
    for (const p of result.timeseries.filter((p) => p.t < 2))
      assert.ok(Math.abs(p.sent + p.dropped - 400) <= 8, `second ${p.t}: ${p.sent} + ${p.dropped}`);
  });

  test('arrivals a worker has no slot for are dropped and counted, never queued', async () => {
    // 2 workers × 1 socket × 200 ms serve 10 requests/s; 50/s are offered; 5 slots per worker.
    const s = open(50, {
      load: { executor: 'constant-arrival-rate', rate: 50, duration: '2s', preAllocatedVUs: 10 },
      requests: [{ route: 'open' }],
    });
    const result = await runLoad({
      origin: target.origin,
      scenario: s,
      requests: { specs: [{ method: 'GET', path: '/slow/200' }] },
      limits: { maxDurationS: 20, maxRequests: 1000 },
      connections: 2,
      workers: 2,
    });
    assert.equal(result.transport.workers, 2);
    assert.equal(result.totals.intended, 100);
    assert.equal(result.totals.sent + result.totals.dropped, 100);
    assert.ok(result.totals.dropped >= 50, `dropped ${result.totals.dropped}`);
    assert.equal(sum(result.timeseries.map((p) => p.dropped)), result.totals.dropped);
    assert.equal(sum(result.fineSeries.dropped), result.totals.dropped);
    const corrected = result.stats.all;
    const uncorrected = result.stats.uncorrected;
    assert.ok(
      corrected && uncorrected && corrected.p99 > 2 * uncorrected.p99,
      JSON.stringify({ corrected, uncorrected }),
    );
  });

  test('classify() sees every response once, in the order they completed, and the throttle findings match one thread', async () => {
    const findings = async (workers: number) => {
      const s = open(300, { kind: 'throttle', expectedStatuses: { min: 200, max: 399, extra: [429] } });
      const throttle = new ThrottleObserver(s);
      let last = Number.NEGATIVE_INFINITY;
      let seen = 0;
      const result = await run(s, {
        workers,
        classify: (status, headers, body, meta) => {
          assert.ok(meta.completed >= last, `completed ${meta.completed} after ${last}`);
          assert.ok(meta.connected <= meta.completed && meta.intended <= meta.completed);
          last = meta.completed;
          seen++;
          return throttle.classify(status, headers, body, meta);
        },
      });
      assert.equal(result.transport.workers, workers);
      assert.equal(seen, result.totals.responses);
      const f = throttle.findings(
        {
          dropped: result.totals.dropped,
          responses: result.totals.responses,
          byStatus: result.byStatus,
          stats: result.stats,
        },
        { rateLimit: 150, burstLimit: 10 },
        2,
      );
      return {
        admitted: f.admitted,
        share429: f.share429,
        rateLimitHeaders: f.rateLimitHeaders,
        byStatus: result.byStatus,
      };
    };
    const one = await findings(1);
    const two = await findings(2);
    // Unless the shared machine dropped an arrival, both runs answered the same 600 requests.
    if (sum(Object.values(one.byStatus)) === 600 && sum(Object.values(two.byStatus)) === 600) {
      assert.deepEqual(two, one);
      assert.deepEqual(two.byStatus, { 200: 300, 429: 300 });
    }
    assert.equal(two.admitted, two.byStatus['200']);
  });

  test('an abort stops every worker and returns what was measured until then, progress included', async () => {
    const controller = new AbortController();
    const seconds: number[] = [];
    const s = open(400, {
      load: {
        executor: 'constant-arrival-rate',
        rate: 400,
        duration: '30s',
        preAllocatedVUs: 20,
        maxVUs: 200,
      },
    });
    setTimeout(() => controller.abort(), 1500);
    const result = await run(s, {
      workers: 2,
      signal: controller.signal,
      onProgress: (p) => seconds.push(p.elapsedS),
    });
    assert.equal(result.stopReason, 'aborted');
    assert.equal(result.interrupted, true);
    assert.ok(result.durationS < 5, `duration ${result.durationS}`);
    assert.ok(result.totals.sent > 200, `sent ${result.totals.sent}`);
    assert.equal(result.totals.intended, result.totals.sent + result.totals.dropped);
    assert.equal(
      result.totals.sent,
      result.totals.responses + result.totals.errors + result.totals.interrupted,
    );
    assert.ok(seconds.includes(1), `progress ${seconds}`);
  });

  test('a request that leaves the origin stops a worker run with the one-line reason', async () => {
    await assert.rejects(
      runLoad({
        origin: target.origin,
        scenario: open(400),
        requests: {
          specs: [
            { method: 'GET', path: 'http://elsewhere.example/' },
            { method: 'GET', path: '/' },
          ],
        },
        limits: { maxDurationS: 5, maxRequests: 1000 },
        workers: 2,
      }),
      /only paths on 127\.0\.0\.1:\d+ are allowed/,
    );
  });

  test('workers need the requests as data; one thread takes either form, never both', async () => {
    const spec = { method: 'GET', path: '/status/200' };
    const base = {
      origin: target.origin,
      scenario: open(10),
      limits: { maxDurationS: 5, maxRequests: 100 },
    };
    await assert.rejects(
      runLoad({ ...base, resolveRequest: () => spec, workers: 2 }),
      /^Error: workers above 1 need the requests as data/,
    );
    await assert.rejects(
      runLoad({ ...base, resolveRequest: () => spec, requests: { specs: [spec, spec] } }),
      /give the engine resolveRequest or requests, one of them/,
    );
    await assert.rejects(
      runLoad({ ...base, requests: { specs: [spec] }, workers: 2 }),
      /requests.specs has 1 requests for 2 templates/,
    );
  });
});

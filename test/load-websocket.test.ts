import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { websocketConnections } from '../scenarios/websocket-connections.js';
import { withHistogram } from '../src/load/histograms.js';
import { runScenario } from '../src/load/run-scenario.js';
import type { Scenario } from '../src/load/scenario.js';
import { shortenScenario } from '../src/load/shorten-scenario.js';
import { ScenarioSetupError } from '../src/load/target-requests.js';
import { startReferenceStackInWorker, type WorkerStack } from '../src/reference/stack-worker.js';
import { scenarioChartSpecs } from '../src/report/scenario-charts.js';
import { scenarioSchema } from '../src/results/model.js';
import { scenarioSentence } from '../src/results/scenario-sentence.js';

/** The shipped scenario, small: 200 connections at 200 a second, each held 3 s. */
const small: Scenario = {
  ...websocketConnections,
  load: {
    executor: 'constant-arrival-rate',
    rate: 200,
    timeUnit: '1s',
    duration: '1s',
    preAllocatedVUs: 200,
    maxVUs: 200,
  },
  websocket: { hold: '3s', messagesPerSecond: 2, pushesPerSecond: 50 },
  // Loose: this checks the executor, not the machine's speed under the other tests.
  thresholds: { ws_connect_failed: ['rate<0.05'], ws_roundtrip: ['p(99)<5000'] },
};

interface WsFindings {
  connections: { attempted: number; opened: number; held: number; peakOpen: number; closedByGateway: object };
  messages: { sent: number; answered: number; unanswered: number };
  pushes: { sent: number; delivered: number; misdelivered: number; byStatus: Record<string, number> };
}

const countOf = (encoded: string | undefined) => (encoded ? withHistogram(encoded, (h) => h.totalCount) : 0);

describe('the WebSocket load executor against the reference', () => {
  let stack: WorkerStack;
  before(async () => {
    stack = await startReferenceStackInWorker();
  });
  after(async () => {
    await stack?.close();
  });

  test('opens every connection, holds them together, and measures connect, round trip and push', async () => {
    const result = scenarioSchema.parse(await runScenario(small, stack.profile));
    const ws = result.findings.websocket as WsFindings;
    assert.equal(ws.connections.attempted, 200);
    assert.equal(ws.connections.opened, 200, JSON.stringify(ws));
    assert.equal(ws.connections.held, 200, 'every connection held to its end, none closed by the gateway');
    assert.deepEqual(ws.connections.closedByGateway, {});
    // Connections arrive over 1 s and all close 3 s after the last: all of them are open at once.
    assert.ok(ws.connections.peakOpen >= 190, `peak ${ws.connections.peakOpen}`);
    // At least one a connection: how many more depends on how late this busy machine opened them.
    assert.ok(ws.messages.sent >= 200, `messages sent ${ws.messages.sent}`);
    assert.equal(ws.messages.answered + ws.messages.unanswered, ws.messages.sent);
    assert.ok(ws.messages.unanswered <= ws.messages.sent * 0.01, JSON.stringify(ws.messages));
    assert.ok(ws.pushes.sent >= 50, `pushes ${ws.pushes.sent}`);
    assert.equal(ws.pushes.byStatus['200'], ws.pushes.sent);
    assert.equal(ws.pushes.misdelivered, 0);
    assert.equal(countOf(result.latency.histograms.ws_connecting), 200);
    assert.equal(countOf(result.latency.histograms.all), ws.messages.answered);
    assert.equal(countOf(result.latency.histograms.ws_push), ws.pushes.delivered);
    assert.equal(result.totals.byStatus['101'], 200);
    assert.ok(
      result.timeseries.some((s) => (s.tags?.open ?? 0) >= 190),
      'the series shows them open',
    );
    const connections = scenarioChartSpecs(result, 0).find((c) => c.id === 'chart-0-connections');
    assert.ok(
      connections?.series[0]?.values.some((n) => (n ?? 0) >= 190),
      'the report charts them open',
    );
    // What summary.md and the report say of it.
    assert.match(
      scenarioSentence(result),
      /^200 of 200 connections opened, \d+ open at once; connect p99 [\d.]+ m?s; round trip p99 [\d.]+ m?s; push p99 [\d.]+ m?s: holds$/,
    );
    assert.deepEqual(
      result.thresholds.map((t) => [t.metric, t.ok]),
      [
        ['ws_connect_failed', true],
        ['ws_roundtrip', true],
      ],
    );
  });

  test('a hold past the target maximum connection duration is refused before any connection', async () => {
    const tooLong = { ...small, websocket: { ...small.websocket!, hold: '30s' } };
    await assert.rejects(runScenario(tooLong, stack.profile), (err: Error) => {
      assert.ok(err instanceof ScenarioSetupError);
      assert.match(err.message, /maximum connection duration \(8 s\)/);
      return true;
    });
  });
});

test('pushes the gateway delivers to every connection are counted as misdelivered', async () => {
  const stack = await startReferenceStackInWorker({ fault: 'websocket-push-broadcast' });
  try {
    const scenario: Scenario = {
      ...small,
      load: { ...small.load, rate: 20, preAllocatedVUs: 20, maxVUs: 20 } as Scenario['load'],
      websocket: { hold: '3s', messagesPerSecond: 1, pushesPerSecond: 5 },
    };
    const ws = (await runScenario(scenario, stack.profile)).findings.websocket as WsFindings;
    assert.ok(ws.pushes.delivered > 0);
    assert.ok(ws.pushes.misdelivered >= ws.pushes.delivered, JSON.stringify(ws.pushes));
  } finally {
    await stack.close();
  }
});

test('gateproof run cuts the hold with the arrivals: what is left of the limit, at least a second', () => {
  const cut = shortenScenario(websocketConnections, 3);
  assert.deepEqual(cut.load, websocketConnections.load, 'the 2 s of arrivals fit');
  assert.equal(cut.websocket?.hold, '1000ms');
  assert.equal(
    shortenScenario(websocketConnections, 10).websocket?.hold,
    '4000ms',
    'a hold that fits is kept',
  );
  assert.equal(shortenScenario(websocketConnections, 1).websocket?.hold, '1000ms', 'never under a second');
});

import { Agent, request } from 'undici';
import { signRequest } from '../auth/sigv4-sign.js';
import type { ScenarioResult } from '../results/model.js';
import type { Profile } from '../target/profile-schema.js';
import { planRun } from './arrivals.js';
import { parseDuration } from './duration.js';
import type { ScenarioRunOptions } from './run-scenario.js';
import type { Scenario } from './scenario.js';
import { scenarioVerdictOf } from './scenario-result.js';
import { ScenarioSetupError } from './target-requests.js';
import { evaluateThresholds } from './thresholds.js';
import { runWebSocketLoad, type WsEngineResult } from './ws-engine.js';
import { wsLatencies, wsLatencyFindings } from './ws-latency-findings.js';

/**
 * Runs a WebSocket scenario against the profile's `websocket` API: connections admitted as its
 * `$connect` wants them (the valid API key, the authorizer's allow token), round trips on route
 * `echo`, pushes signed by its @connections manager. The result has the scenario model's shape:
 * `totals.requests` counts upgrades and pushes (statuses 101 and the pushes' 200 side by side),
 * `latency.histograms.all` is the round trip, `ws_connecting` and `ws_push` the others.
 */

/** Past the arrivals, the hold, the drain and a reply's timeout, a run gets this long before the hard stop. */
const SLACK_S = 5;

function webSocketInput(scenario: Scenario, profile: Profile, arrivalsMs: number) {
  const session = scenario.websocket;
  const ws = profile.websocket;
  if (!session) throw new ScenarioSetupError(`scenario ${scenario.id} has no websocket section`);
  if (!ws) throw new ScenarioSetupError('the profile has no websocket section');
  const key = profile.apiKeys?.valid;
  if (!key) throw new ScenarioSetupError("the profile has no valid API key for the WebSocket API's $connect");
  const token = profile.authorizer?.tokens.allow;
  if (!token)
    throw new ScenarioSetupError(
      "the profile has no authorizer allow token for the WebSocket API's $connect",
    );
  const holdMs = parseDuration(session.hold);
  // The first connection lives through the arrivals and the hold.
  if (arrivalsMs + holdMs >= ws.maxConnectionSeconds * 1000) {
    throw new ScenarioSetupError(
      `arrivals and hold (${(arrivalsMs + holdMs) / 1000} s) are not shorter than the target's maximum connection duration (${ws.maxConnectionSeconds} s)`,
    );
  }
  const messageIntervalMs = session.messagesPerSecond > 0 ? 1000 / session.messagesPerSecond : undefined;
  if (
    (messageIntervalMs ?? Number.POSITIVE_INFINITY) >= ws.idleTimeoutSeconds * 1000 &&
    arrivalsMs + holdMs >= ws.idleTimeoutSeconds * 1000
  ) {
    throw new ScenarioSetupError(
      `connections held ${session.hold} need a message more often than the idle timeout (${ws.idleTimeoutSeconds} s)`,
    );
  }
  const url = new URL(ws.url);
  url.searchParams.set('token', token);
  return {
    ws,
    url: url.toString(),
    headers: { 'x-api-key': key },
    closeAtMs: arrivalsMs + holdMs,
    messageIntervalMs,
    pushIntervalMs: session.pushesPerSecond > 0 ? 1000 / session.pushesPerSecond : undefined,
    region: profile.sigv4?.region ?? 'us-east-1',
  };
}

export async function runWebSocketScenario(
  scenario: Scenario,
  profile: Profile,
  options: ScenarioRunOptions = {},
): Promise<ScenarioResult> {
  const plan = planRun(scenario.load);
  const input = webSocketInput(scenario, profile, plan.durationMs);
  if (plan.model !== 'open') {
    throw new ScenarioSetupError(
      `scenario ${scenario.id}: a WebSocket scenario opens connections at an arrival rate`,
    );
  }
  evaluateThresholds(scenario.thresholds ?? {}, {
    histograms: {},
    requests: 0,
    failed: 0,
    dropped: 0,
    durationS: 0,
  });
  let arrivals = 0;
  const agent = new Agent({ connections: 16 });
  const push = async (connectionId: string, body: string) => {
    const signed = signRequest({
      method: 'POST',
      url: `${input.ws.connectionsUrl}/${encodeURIComponent(connectionId)}`,
      credentials: input.ws.manager,
      region: input.region,
      body,
    });
    const res = await request(signed.url, {
      method: 'POST',
      headers: signed.headers,
      body,
      dispatcher: agent,
      headersTimeout: profile.timeoutMs,
      bodyTimeout: profile.timeoutMs,
    });
    await res.body.dump();
    return res.statusCode;
  };
  try {
    const result = await runWebSocketLoad({
      connect: { url: input.url, headers: input.headers },
      nextArrival: () => (arrivals++ < plan.expected ? plan.clock.next() : Number.POSITIVE_INFINITY),
      maxConnections: plan.capacity,
      closeAtMs: input.closeAtMs,
      messageIntervalMs: input.messageIntervalMs,
      pushIntervalMs: input.pushIntervalMs,
      push,
      timeoutMs: profile.timeoutMs,
      maxDurationS: (input.closeAtMs + profile.timeoutMs) / 1000 + SLACK_S,
      ...(options.signal && { signal: options.signal }),
      plannedS: input.closeAtMs / 1000,
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    return toWebSocketResult(scenario, result);
  } finally {
    await agent.close();
  }
}

function toWebSocketResult(scenario: Scenario, r: WsEngineResult): ScenarioResult {
  const { connections: c, messages, pushes } = r;
  const byStatus: Record<string, number> = { ...(c.opened > 0 && { 101: c.opened }) };
  for (const [status, n] of [...Object.entries(c.refusedByStatus), ...Object.entries(pushes.byStatus)]) {
    byStatus[status] = (byStatus[status] ?? 0) + n;
  }
  const closedEarly = Object.values(c.closedByGateway).reduce((sum, n) => sum + n, 0);
  const latencies = wsLatencies(r.histograms);
  const roundTrip = latencies.roundTrip;
  const refused = Object.values(c.refusedByStatus).reduce((sum, n) => sum + n, 0);
  const thresholds = evaluateThresholds(scenario.thresholds ?? {}, {
    histograms: r.histograms,
    requests: c.attempted + pushes.sent,
    failed: refused + c.failed + pushes.errors,
    dropped: c.dropped,
    durationS: r.durationS,
    connections: { attempted: c.attempted, failed: refused + c.failed },
  });
  const judged = r.stopReason !== 'interrupted';
  return {
    id: scenario.id,
    title: scenario.title,
    executor: scenario.load.executor,
    source: 'engine',
    startedAt: r.startedAt,
    durationS: r.durationS,
    totals: {
      requests: c.attempted - c.dropped + pushes.sent,
      byStatus,
      errors:
        c.failed +
        pushes.errors +
        pushes.misdelivered +
        messages.unanswered +
        pushes.undelivered +
        closedEarly,
      dropped: c.dropped,
    },
    timeseries: r.timeseries,
    latency: {
      unit: 'us',
      corrected: true,
      histograms: r.histograms,
      percentiles: roundTrip
        ? {
            p50: roundTrip.p50,
            p90: roundTrip.p90,
            p95: roundTrip.p95,
            p99: roundTrip.p99,
            'p99.9': roundTrip.p999,
            max: roundTrip.max,
          }
        : undefined,
    },
    findings: {
      engine: { stopReason: r.stopReason },
      websocket: {
        connections: c,
        messages,
        pushes,
        ...wsLatencyFindings(latencies),
      },
    },
    thresholds: thresholds.map(({ expr, metric, ok, value }) => ({
      expr,
      metric,
      ok: judged ? ok : null,
      value,
    })),
    checks: [],
    verdict: judged ? scenarioVerdictOf(thresholds, []) : 'interrupted',
  };
}

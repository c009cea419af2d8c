import { randomBytes } from 'node:crypto';
import { ProbeClient } from '../probe/probe-client.js';
import type { ScenarioResult } from '../results/model.js';
import type { Profile } from '../target/profile-schema.js';
import { planRun, type RunPlan } from './arrivals.js';
import { CACHE_BODY_BYTES, CacheObserver, type ProbeReadings } from './cache-findings.js';
import { CANARY_BODY_BYTES, canaryFindings, channelClassifier } from './canary-findings.js';
import { deployCanary } from './canary-release.js';
import { parseDuration } from './duration.js';
import { type LoadOptions, type Progress, runLoad } from './engine.js';
import { expectedHitRatio } from './expected-hit-ratio.js';
import { checksFor, evaluateChecks, unjudgedChecks } from './finding-checks.js';
import { fitScenario } from './fit-scenario.js';
import { runWebSocketScenario } from './run-ws-scenario.js';
import type { Executor, Scenario } from './scenario.js';
import { toScenarioResult } from './scenario-result.js';
import { releaseNonce, ScenarioSetupError, targetRequests } from './target-requests.js';
import { evaluateThresholds, type ThresholdMetrics, thresholdMetrics } from './thresholds.js';
import { engineTraffic, ThrottleObserver } from './throttle-findings.js';

/** Past the idle spell, the executor and the drain, a run gets this long before the hard stop. */
const SLACK_S = 5;
const GRACEFUL_STOP_S = 5;
/** A closed-model run is bounded by its duration; this only stops a runaway. */
const CLOSED_MAX_REQUESTS = 10_000_000;
/**
 * Sent before the timed part (and before its idle spell), on cache keys of their own: neither the
 * engine nor the target then runs cold code, or loads a module, inside the measurement. V8 has
 * optimised a request's path after some hundreds of calls, so a second of them or WARM_UP_REQUESTS,
 * whichever comes first, is enough; more only lengthened every scenario of `gateproof run`.
 */
const WARM_UP: Executor = { executor: 'constant-vus', vus: 8, duration: '1s' };
const WARM_UP_REQUESTS = 1500;
const NO_METRICS: ThresholdMetrics = { histograms: {}, requests: 0, failed: 0, dropped: 0, durationS: 0 };

export interface ScenarioRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Unique per run: cache keys and probe nonces carry it, so no run meets another's cache entries. */
  runTag?: string;
}

function limitsFor(scenario: Scenario, plan: RunPlan): LoadOptions['limits'] {
  const idleS = scenario.idleBefore ? parseDuration(scenario.idleBefore) / 1000 : 0;
  const planned = plan.model === 'open' ? Math.ceil(plan.expected * 1.01) + 10 : CLOSED_MAX_REQUESTS;
  return {
    maxDurationS: idleS + plan.durationMs / 1000 + GRACEFUL_STOP_S + SLACK_S,
    maxRequests: Math.min(planned, scenario.maxRequests ?? planned),
  };
}

/**
 * An open-model run keeps `preAllocatedVUs` connections and up to `maxVUs` requests in flight: when
 * the target slows down, the extra requests wait for a connection with their latency counted from
 * when they were meant to start (so it shows), and arrivals beyond `maxVUs` are dropped and counted.
 */
function connectionsFor(load: Executor): { connections?: number } {
  if (load.executor === 'constant-vus' || load.maxVUs === undefined) return {};
  return { connections: Math.min(load.preAllocatedVUs, load.maxVUs) };
}

/** Misses of one key this far apart belong to different fills: well under the route's TTL. */
function fillGapMs(scenario: Scenario, profile: Profile): number {
  const short = scenario.requests.some((t) => t.route === 'cachedShort');
  const ttlS = (short ? profile.cache?.shortTtlSeconds : profile.cache?.ttlSeconds) ?? 300;
  return Math.min(1000, Math.max(50, ttlS * 500));
}

async function probeReadings(
  probe: ProbeClient,
  before: ProbeReadings['before'],
  scenario: Scenario,
  profile: Profile,
  keyValue: (k: number) => string,
): Promise<ProbeReadings> {
  const after = await probe.counters();
  const template = scenario.requests[0];
  const path = profile.routes[(template?.route ?? 'cached') as keyof Profile['routes']];
  const keyCount = Math.max(0, ...scenario.requests.map((t) => t.keys?.count ?? 0));
  if (!scenario.options?.originPerKey || keyCount === 0) return { before, after, path };
  const perKey: number[] = [];
  for (let k = 0; k < keyCount; k++) perKey.push(await probe.reached(keyValue(k)));
  return { before, after, path, perKey };
}

/** The warm-up run (see WARM_UP): the scenario's own requests on keys of their own, its result discarded. */
async function warmUp(
  scenario: Scenario,
  profile: Profile,
  runTag: string,
  signal: { signal?: AbortSignal },
) {
  const requests = targetRequests(scenario, profile, `${runTag}w`);
  await runLoad({
    origin: requests.origin,
    scenario: { ...scenario, idleBefore: undefined, load: WARM_UP, maxRequests: undefined },
    requests: { profile, runTag: `${runTag}w` },
    limits: { maxDurationS: 5, maxRequests: WARM_UP_REQUESTS },
    timeoutMs: profile.timeoutMs,
    gracefulStopS: 1,
    ...signal,
  });
}

/**
 * Runs one scenario against a target: fits it to the target's declared plan, resolves its request
 * templates against the profile, runs the engine, and turns what came back into the scenario
 * section of results.json, findings and thresholds included. Traffic goes to the profile's
 * base URL only; the probe, when the profile names one, is read before and after.
 */
export async function runScenario(
  scenario: Scenario,
  profile: Profile,
  options: ScenarioRunOptions = {},
): Promise<ScenarioResult> {
  if (scenario.kind === 'websocket') return runWebSocketScenario(scenario, profile, options);
  const fitted = fitScenario(scenario, profile);
  const plan = planRun(fitted.load);
  // A threshold k6 would refuse (or a check gateproof would) is refused before the run, not after it.
  evaluateThresholds(fitted.thresholds ?? {}, NO_METRICS);
  const checks = checksFor(fitted, profile);
  evaluateChecks(checks, {});
  const runTag = options.runTag ?? randomBytes(4).toString('hex');
  const requests = targetRequests(fitted, profile, runTag);
  const signal = options.signal ? { signal: options.signal } : {};
  await warmUp(fitted, profile, runTag, signal);
  if (fitted.kind === 'canary')
    return runCanary(fitted, profile, requests, plan, checks, runTag, signal, options);
  const throttle = fitted.kind === 'throttle' ? new ThrottleObserver(fitted) : undefined;
  const cache = fitted.kind === 'cache' ? new CacheObserver(fitted, fillGapMs(fitted, profile)) : undefined;
  const probe =
    cache && profile.probe
      ? new ProbeClient(profile.probe.url, profile.timeoutMs, profile.probe.secret)
      : undefined;
  const before = probe ? await probe.counters() : undefined;
  const result = await runLoad({
    origin: requests.origin,
    scenario: fitted,
    requests: { profile, runTag },
    limits: limitsFor(fitted, plan),
    timeoutMs: profile.timeoutMs,
    gracefulStopS: GRACEFUL_STOP_S,
    ...connectionsFor(fitted.load),
    ...(throttle && { classify: throttle.classify }),
    ...(cache && { classify: cache.classify, classifyBodyBytes: CACHE_BODY_BYTES }),
    ...(options.onProgress && { onProgress: options.onProgress }),
    ...signal,
  });
  const findings: Record<string, unknown> = {};
  if (throttle) {
    const offeredS = Math.min(plan.durationMs / 1000, result.durationS);
    findings.throttle = throttle.findings(
      engineTraffic(result),
      profile.plans.throttled?.throttle,
      offeredS,
      profile.limiter,
    );
    const fine = result.fineSeries;
    fine.admitted = throttle.admittedSteps(fine.stepMs, fine.sent.length);
  }
  if (cache) {
    const readings =
      probe && before ? await probeReadings(probe, before, fitted, profile, requests.keyValue) : undefined;
    const expected = expectedOf(
      fitted,
      profile,
      result.totals.responses,
      Math.min(plan.durationMs / 1000, result.durationS),
    );
    findings.cache = {
      ...cache.findings(result, readings),
      ...(expected !== undefined && { expectedHitRatio: expected }),
    };
  }
  const thresholds = evaluateThresholds(fitted.thresholds ?? {}, thresholdMetrics(result));
  const judged = result.interrupted
    ? unjudgedChecks(checks, 'not judged: the scenario was interrupted')
    : evaluateChecks(checks, findings);
  return toScenarioResult(fitted, result, findings, thresholds, judged);
}

/** The hit ratio a correct cache gives a scenario that only reads keys from one template; none otherwise. */
function expectedOf(
  scenario: Scenario,
  profile: Profile,
  requests: number,
  durationS: number,
): number | undefined {
  const [only, ...others] = scenario.requests;
  if (!only?.keys || others.length > 0 || only.role) return undefined;
  const ttlS =
    (only.route === 'cachedShort' ? profile.cache?.shortTtlSeconds : profile.cache?.ttlSeconds) ?? 300;
  return expectedHitRatio(only.keys, requests, durationS, ttlS);
}

/**
 * A canary scenario: the canary is deployed at its declared share after the warm-up, the load runs
 * with one nonce, and the share each deployment served is read at the probe; the canary is
 * removed whatever happens. Latency is kept per channel.
 */
async function runCanary(
  scenario: Scenario,
  profile: Profile,
  requests: ReturnType<typeof targetRequests>,
  plan: RunPlan,
  checks: Record<string, string>,
  runTag: string,
  signal: { signal?: AbortSignal },
  options: ScenarioRunOptions,
): Promise<ScenarioResult> {
  const percent = scenario.options?.canaryPercent;
  if (percent === undefined)
    throw new ScenarioSetupError(`scenario ${scenario.id} declares no canaryPercent`);
  if (!profile.probe)
    throw new ScenarioSetupError(
      `scenario ${scenario.id} proves the share at the probe: the profile needs probe.url`,
    );
  const probe = new ProbeClient(profile.probe.url, profile.timeoutMs, profile.probe.secret);
  const canary = await deployCanary(profile, percent);
  let result: Awaited<ReturnType<typeof runLoad>>;
  try {
    result = await runLoad({
      origin: requests.origin,
      scenario,
      resolveRequest: requests.resolveRequest,
      limits: limitsFor(scenario, plan),
      timeoutMs: profile.timeoutMs,
      gracefulStopS: GRACEFUL_STOP_S,
      ...connectionsFor(scenario.load),
      classify: channelClassifier(canary.deploymentId),
      classifyBodyBytes: CANARY_BODY_BYTES,
      ...(options.onProgress && { onProgress: options.onProgress }),
      ...signal,
    });
  } finally {
    await canary.remove();
  }
  const findings = {
    canary: canaryFindings(await probe.seen(releaseNonce(runTag)), canary.deploymentId, percent),
  };
  const thresholds = evaluateThresholds(scenario.thresholds ?? {}, thresholdMetrics(result));
  const judged = result.interrupted
    ? unjudgedChecks(checks, 'not judged: the scenario was interrupted')
    : evaluateChecks(checks, findings);
  return toScenarioResult(scenario, result, findings, thresholds, judged);
}

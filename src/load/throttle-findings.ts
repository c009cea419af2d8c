import type { Profile, Throttle } from '../target/profile-schema.js';
import { inferTokenBucket } from './bucket-inference.js';
import type { EngineResult, ResponseMeta } from './engine.js';
import { rebin } from './fine-series.js';
import type { Scenario } from './scenario.js';

/** Admissions and refusals are binned this finely: the fit reads the count at each refusal. */
const BIN_MS = 10;
/** Headers that tell a client its limit: `Retry-After` (RFC 9110), the IETF draft's `RateLimit-*` and the common `X-RateLimit-*`. */
const RATE_LIMIT_HEADER = /^(retry-after|ratelimit(-[a-z-]+)?|x-ratelimit-[a-z-]+|x-rate-limit-[a-z-]+)$/;

/** Stalls longer than this, on either side, move requests across the bucket's time line. */
const STALL_US = 50_000;

/** What the findings read of a run besides the observed admissions: the engine's result, or k6's points. */
export interface ThrottleTraffic {
  dropped: number;
  responses: number;
  byStatus: Record<string, number>;
  /** Summaries by histogram name (`lag`, `status:200`, `status:429`), microseconds. */
  stats: Record<string, { p50: number; p99: number } | undefined>;
}

/**
 * Why the traffic cannot be trusted to show the bucket, if it cannot: the load was not offered as
 * planned (dropped arrivals, a late start), or the target decided late and unevenly (the spread
 * of its 429 latency, whose answer needs no integration).
 */
function stallOf(traffic: ThrottleTraffic): string | undefined {
  const reasons: string[] = [];
  if (traffic.dropped > 0) reasons.push(`${traffic.dropped} arrivals dropped`);
  const lag = traffic.stats.lag?.p99 ?? 0;
  if (lag > STALL_US) reasons.push(`start lag p99 ${(lag / 1000).toFixed(0)} ms`);
  const refused = traffic.stats['status:429'];
  if (refused && refused.p99 - refused.p50 > STALL_US) {
    reasons.push(
      `429 latency p50 ${(refused.p50 / 1000).toFixed(1)} ms but p99 ${(refused.p99 / 1000).toFixed(0)} ms`,
    );
  }
  return reasons.length > 0 ? reasons.join(', ') : undefined;
}

function note(
  fitted: boolean,
  refused: boolean,
  stall: string | undefined,
  limiter: Limiter,
): Record<string, unknown> {
  const model = limiter === 'sliding-window' ? 'window' : 'bucket';
  if (!fitted) {
    const why = refused
      ? `too few refusals to fit the ${model}: run longer or offer more`
      : 'no request was refused: the offered load never exceeded the limit';
    return { note: stall ? `${why}; the generator or the target stalled (${stall})` : why };
  }
  return stall
    ? {
        inferenceTrusted: false,
        note: `the generator or the target stalled (${stall}): the inferred ${model} may be off`,
      }
    : { inferenceTrusted: true };
}

const share = (part: number, whole: number) => (whole > 0 ? Number((part / whole).toFixed(4)) : 0);
const relativeError = (measured: number | undefined, expected: number | null) =>
  measured === undefined || !expected ? null : Number((measured / expected - 1).toFixed(4));

type Limiter = Profile['limiter'];

/** The most requests admitted in any `windowBins` consecutive bins. */
function maxInWindow(admitted: readonly number[], windowBins: number): number {
  let best = 0;
  let sum = 0;
  for (let i = 0; i < admitted.length; i++) {
    sum += admitted[i] ?? 0;
    if (i >= windowBins) sum -= admitted[i - windowBins] ?? 0;
    if (sum > best) best = sum;
  }
  return best;
}

/**
 * Watches a throttle scenario's responses (as the engine's classify) and turns them into
 * `findings.throttle`: the limiter read off when requests were admitted, in the model the target
 * declares (a token bucket's rate and burst, or a sliding window's rate and the most it admitted in
 * one window), against its plan; how many were refused and how cheaply; the rate-limit headers seen.
 */
export class ThrottleObserver {
  private readonly admitted: number[] = [];
  private readonly refused: number[] = [];
  private readonly victim: boolean[];
  private victimAdmitted = 0;
  /** The admitted requests' span, from the first one's connection to the last one's answer (ms): the gateway decided inside it. */
  private firstAdmitted = Number.POSITIVE_INFINITY;
  private lastAdmitted = Number.NEGATIVE_INFINITY;
  private victimRefused = 0;
  private readonly headerNames = new Set<string>();

  constructor(scenario: Scenario) {
    this.victim = scenario.requests.map((t) => t.role === 'victim');
  }

  /** Timed by when each request got its connection: the gateway decides on arrival, not on answer. */
  readonly classify = (
    status: number,
    headers: Record<string, string>,
    _body: string | undefined,
    meta: ResponseMeta,
  ): undefined => {
    for (const name in headers) if (RATE_LIMIT_HEADER.test(name)) this.headerNames.add(name);
    this.record(status, meta.connected, meta.template, meta.completed);
    return undefined;
  };

  /** One answer: its status, when it was sent and completed (ms since the start), and which template made it. */
  record(status: number, sentMs: number, template: number, completedMs: number): void {
    const admitted = status >= 200 && status < 400;
    if (!admitted && status !== 429) return;
    if (this.victim[template]) {
      if (admitted) this.victimAdmitted++;
      else this.victimRefused++;
      return;
    }
    if (admitted) {
      this.firstAdmitted = Math.min(this.firstAdmitted, sentMs);
      this.lastAdmitted = Math.max(this.lastAdmitted, completedMs);
    }
    const bins = admitted ? this.admitted : this.refused;
    const bin = Math.max(0, Math.floor(sentMs / BIN_MS));
    bins[bin] = (bins[bin] ?? 0) + 1;
  }

  /** Admitted requests per step of `stepMs` (a multiple of the bins), for the report's bucket chart. */
  admittedSteps(stepMs: number, length: number): number[] {
    return rebin(this.admitted, BIN_MS, stepMs, length);
  }

  /**
   * `offeredS`: how long the executor offered load (its planned duration, or less if the run was
   * cut). The admitted rate is the slope of admissions under refusal whatever the model; what the
   * burst is depends on it: a bucket's level after a quiet spell, or a window's count.
   */
  findings(
    result: ThrottleTraffic,
    declared: Throttle | undefined,
    offeredS: number,
    limiter: Limiter = 'token-bucket',
  ): Record<string, unknown> {
    const estimate = inferTokenBucket(this.admitted, this.refused, BIN_MS);
    const latency = (status: string, p: 'p50' | 'p99') => result.stats[`status:${status}`]?.[p] ?? null;
    const refused = result.byStatus['429'] ?? 0;
    const declaredRate = declared?.rateLimit ?? null;
    const declaredBurst = declared?.burstLimit ?? null;
    const victims = this.victimAdmitted + this.victimRefused;
    return {
      limiter,
      declaredRate,
      inferredRate: estimate?.rate ?? null,
      rateCI: estimate?.rateCI ?? null,
      rateError: relativeError(estimate?.rate, declaredRate),
      ...(limiter === 'sliding-window'
        ? this.windowFindings(declared)
        : {
            declaredBurst,
            inferredBurst: estimate?.burst ?? null,
            burstCI: estimate?.burstCI ?? null,
            burstError: relativeError(estimate?.burst, declaredBurst),
          }),
      fitWindowS: estimate?.windowS ?? null,
      // What a bucket of the declared size could never admit in this span is a broken plan, fit or
      // no fit: the span runs to the last admitted answer, so a gateway that decided late is not blamed.
      admitted: this.admitted.reduce((sum, n) => sum + (n ?? 0), 0),
      admittedSpanS:
        this.lastAdmitted >= this.firstAdmitted
          ? Number(((this.lastAdmitted - this.firstAdmitted) / 1000).toFixed(3))
          : null,
      fitSegments: estimate?.segments ?? null,
      ...note(estimate !== undefined, this.refused.length > 0, stallOf(result), limiter),
      share429: share(refused, result.responses),
      p50Us200: latency('200', 'p50'),
      p99Us200: latency('200', 'p99'),
      p50Us429: latency('429', 'p50'),
      p99Us429: latency('429', 'p99'),
      rateLimitHeaders: [...this.headerNames].sort(),
      ...(victims > 0 && {
        isolation: {
          victimRequests: victims,
          victimShare429: share(this.victimRefused, victims),
          victimOfferedRate: Number((victims / offeredS).toFixed(2)),
          victimAdmittedRate: Number((this.victimAdmitted / offeredS).toFixed(2)),
        },
      }),
    };
  }

  /**
   * A sliding window promises at most `burstLimit` requests in any `burstLimit / rateLimit`
   * seconds: the most admitted in one such window, measured, against that limit.
   */
  private windowFindings(declared: Throttle | undefined): Record<string, unknown> {
    if (!declared || !(declared.rateLimit > 0)) {
      return { declaredWindowS: null, declaredWindowLimit: null, maxInWindow: null, windowLimitError: null };
    }
    const limit = Math.max(1, declared.burstLimit);
    const windowS = limit / declared.rateLimit;
    const most = maxInWindow(this.admitted, Math.max(1, Math.round((windowS * 1000) / BIN_MS)));
    return {
      declaredWindowS: Number(windowS.toFixed(3)),
      declaredWindowLimit: limit,
      maxInWindow: most,
      windowLimitError: relativeError(most, limit),
    };
  }
}

/** The part of an engine result the throttle findings read. */
export function engineTraffic(result: EngineResult): ThrottleTraffic {
  return {
    dropped: result.totals.dropped,
    responses: result.totals.responses,
    byStatus: result.byStatus,
    stats: result.stats,
  };
}

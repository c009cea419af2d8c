import { histogramStats, withHistogram } from '../load/histograms.js';
import type { Scenario } from '../load/scenario.js';
import { ThrottleObserver, type ThrottleTraffic } from '../load/throttle-findings.js';
import { wsLatencies, wsLatencyFindings } from '../load/ws-latency-findings.js';
import type { ScenarioResult } from '../results/model.js';
import type { Throttle } from '../target/profile-schema.js';
import type { Point } from './k6-points.js';

type Stats = ThrottleTraffic['stats'];

function statsOf(histograms: Readonly<Record<string, string>>): Stats {
  const out: Stats = {};
  for (const [name, encoded] of Object.entries(histograms)) {
    try {
      out[name] = withHistogram(encoded, histogramStats);
    } catch {
      // Not a histogram: no statistics to read.
    }
  }
  return out;
}

/** The template a point came from: the first whose tags it all carries (k6 scripts tag each request with its template's tags). */
function templateOf(scenario: Scenario, tags: Record<string, string>): number {
  const index = scenario.requests.findIndex((t) =>
    Object.entries(t.tags ?? {}).every(([k, v]) => tags[k] === v),
  );
  return Math.max(0, index);
}

/**
 * The throttle findings of a k6 run, from its raw points, by the engine's own observer: every
 * answer with when it was sent (k6 stamps a point when its request ended, so the send is that
 * time less the duration) and its template. Answers are kept until all runners are read, since
 * the bucket's time line starts at the earliest send of any of them.
 */
export class K6Throttle {
  private readonly sent: number[] = [];
  private readonly status: number[] = [];
  private readonly template: number[] = [];
  private readonly ended: number[] = [];

  constructor(private readonly scenario: Scenario) {}

  add(point: Point): void {
    if (point.metric !== 'http_req_duration') return;
    const status = Number(point.tags.status ?? 0);
    if (!status) return;
    this.sent.push(point.timeMs - point.value);
    this.status.push(status);
    this.template.push(templateOf(this.scenario, point.tags));
    this.ended.push(point.timeMs);
  }

  /** `findings.throttle` as the engine writes it, and the admitted count per step of the fine series. */
  findings(
    result: Pick<ScenarioResult, 'totals' | 'latency'>,
    declared: Throttle | undefined,
    fine: { stepMs: number; length: number; startMs: number } | undefined,
  ): { throttle: Record<string, unknown>; admitted?: number[] } {
    const observer = new ThrottleObserver(this.scenario);
    // Loops, not Math.min(...sent): a long run has more answers than a call takes arguments.
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    for (const t of this.sent) {
      start = Math.min(start, t);
      end = Math.max(end, t);
    }
    if (this.sent.length === 0) start = end = 0;
    for (let i = 0; i < this.sent.length; i++) {
      observer.record(
        this.status[i] as number,
        (this.sent[i] as number) - start,
        this.template[i] as number,
        (this.ended[i] as number) - start,
      );
    }
    const responses = Object.values(result.totals.byStatus).reduce((a, b) => a + b, 0);
    const throttle = observer.findings(
      {
        dropped: result.totals.dropped,
        responses,
        byStatus: result.totals.byStatus,
        stats: statsOf(result.latency.histograms),
      },
      declared,
      Math.max(0.001, (end - start) / 1000),
    );
    // k6 records no response headers: which rate-limit headers the gateway sent is unknown, not none.
    delete throttle.rateLimitHeaders;
    if (!fine || this.sent.length === 0) return { throttle };
    // The fine series starts at the first point's end time; admissions are placed on the same axis.
    const shift = Math.round((start - fine.startMs) / fine.stepMs);
    const steps = observer.admittedSteps(fine.stepMs, fine.length + Math.max(0, -shift));
    const admitted = Array.from({ length: fine.length }, (_, i) => steps[i - shift] ?? 0);
    return { throttle, admitted };
  }
}

/**
 * `findings.cache` of a k6 run, as far as k6's points can say: hits and misses as the script told
 * them (a probe version seen before by that runner; a runner cannot know another's versions, so
 * the ratio is a lower bound), and hit against miss latency. The origin's own count and the
 * invalidation's visibility need the probe and the engine's timeline: they are null.
 */
export function k6CacheFindings(hits: number, misses: number, histograms: Readonly<Record<string, string>>) {
  const stats = statsOf(histograms);
  const latency = (tag: string, p: 'p50' | 'p99') => stats[`tag:${tag}`]?.[p] ?? null;
  const total = hits + misses;
  return {
    hitRatio: total > 0 ? Number((hits / total).toFixed(4)) : null,
    hitRatioSource: 'versions',
    hitRatioIsLowerBound: true,
    requests: total,
    originRequests: null,
    hits,
    misses,
    hitP50Us: latency('hit', 'p50'),
    hitP99Us: latency('hit', 'p99'),
    missP50Us: latency('miss', 'p50'),
    missP99Us: latency('miss', 'p99'),
    invalidationVisibleMs: null,
  };
}

/** A WebSocket run's figures from the merged points, under the names the engine's findings use. */
export function k6WebSocketFindings(
  counts: { attempted: number; failed: number; msgsSent: number; msgsReceived: number; sessions: number },
  histograms: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const latencies = wsLatencies(histograms);
  const { roundTrip, push } = latencies;
  return {
    connections: {
      attempted: counts.attempted,
      opened: counts.attempted - counts.failed,
      sessions: counts.sessions,
    },
    messages: { sent: counts.msgsSent, received: counts.msgsReceived, answered: roundTrip?.count ?? 0 },
    pushes: { delivered: push?.count ?? 0 },
    ...wsLatencyFindings(latencies),
  };
}

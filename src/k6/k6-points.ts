import { build } from 'hdr-histogram-js';
import { coarsen, FINE_STEP_MS, type FineSeries, MAX_FINE_POINTS } from '../load/fine-series.js';
import { createHistogram, encodeHistogram, type Histogram, histogramStats } from '../load/histograms.js';
import type { ScenarioResult } from '../results/model.js';
import { CACHE_LATENCY_METRIC, CACHE_TAG, WS_METRICS } from './k6-metrics.js';

/** The `--out json` metrics ingest reads; every other metric's lines are skipped unparsed. */
export const POINT_METRICS = [
  'http_req_duration',
  'http_req_failed',
  'dropped_iterations',
  CACHE_LATENCY_METRIC,
  ...WS_METRICS,
];

export interface Point {
  metric: string;
  timeMs: number;
  value: number;
  tags: Record<string, string>;
}

interface Second {
  sent: number;
  byStatus: Record<string, number>;
  dropped: number;
  failed: number;
  /** Cache-tagged responses by tag (`hit`, `miss`): the hit ratio over time. */
  tags: Record<string, number>;
  /** Packed (sparse) so thousands of seconds stay small; merged across runners like the totals. */
  latency: Histogram;
}

const micros = (ms: number): number => (ms > 0 ? Math.round(ms * 1000) : 0);

/**
 * The raw points of one k6 scenario from every runner: exact HDR histograms (microseconds), so the
 * merged percentiles are those of all points together, the per-second series, and the totals.
 */
export class ScenarioPoints {
  readonly runners = new Set<string>();
  requests = 0;
  transportErrors = 0;
  failed = 0;
  dropped = 0;
  cacheHits = 0;
  cacheMisses = 0;
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;
  /** The origin of the first request URL seen: where the runners sent their load. */
  origin?: string;
  private readonly histograms = new Map<string, Histogram>();
  private readonly byStatus: Record<string, number> = {};
  private readonly seconds = new Map<number, Second>();
  /** The same at FINE_STEP_MS, for the report's charts. */
  private readonly steps = new Map<number, Second>();
  /** WebSocket scenarios: connections and messages, counted as k6/ws and k6/lib/websocket.ts report them. */
  readonly websocket = { attempted: 0, failed: 0, msgsSent: 0, msgsReceived: 0, sessions: 0 };
  /** Requests and failed ones per template tag (`key:other`) and cache tag (`tag:hit`), for `http_req_failed{key:other}`. */
  readonly byTag: Record<string, { requests: number; failed: number }> = {};

  constructor(
    readonly id: string,
    /** Tag keys of the scenario's request templates: each value gets its own histogram (`key:value`). */
    private readonly templateTagKeys: ReadonlySet<string>,
    /**
     * A WebSocket scenario: `all` is the round trip (ws_roundtrip), as the engine writes it, and the
     * HTTP requests are the @connections pushes, counted by status but not timed into `all`.
     */
    private readonly isWebSocket = false,
  ) {}

  add(point: Point, runner: string): void {
    this.runners.add(runner);
    this.firstMs = Math.min(this.firstMs, point.timeMs);
    this.lastMs = Math.max(this.lastMs, point.timeMs);
    const second = this.bucket(this.seconds, 1000, point.timeMs);
    const step = this.bucket(this.steps, FINE_STEP_MS, point.timeMs);
    switch (point.metric) {
      case 'http_req_duration':
        if (this.isWebSocket) this.count(point.tags.status ?? '0', second, step);
        else this.request(point, second, step);
        break;
      case 'ws_connecting':
        this.record('ws_connecting', point.value);
        break;
      case 'ws_connect_failed':
        this.websocket.attempted++;
        if (point.value !== 0) this.websocket.failed++;
        // A refused or failed upgrade has no status in k6's rate: counted as a request that got no answer.
        this.count(point.value !== 0 ? '0' : '101', second, step);
        break;
      case 'ws_roundtrip':
        second.sent++;
        step.sent++;
        second.latency.recordValue(micros(point.value));
        step.latency.recordValue(micros(point.value));
        this.record('all', point.value);
        break;
      case 'ws_push':
        this.record('ws_push', point.value);
        break;
      case 'ws_session_duration':
        this.websocket.sessions++;
        this.record('ws_session_duration', point.value);
        break;
      case 'ws_msgs_sent':
        this.websocket.msgsSent += point.value;
        break;
      case 'ws_msgs_received':
        this.websocket.msgsReceived += point.value;
        break;
      case 'http_req_failed':
        if (point.value !== 0) {
          this.failed++;
          second.failed++;
          step.failed++;
          for (const group of this.templateGroups(point.tags)) this.group(group).failed++;
        }
        break;
      case 'dropped_iterations':
        this.dropped += point.value;
        second.dropped += point.value;
        step.dropped += point.value;
        break;
      case CACHE_LATENCY_METRIC: {
        const tag = point.tags[CACHE_TAG];
        if (tag === undefined) break;
        if (tag === 'hit') this.cacheHits++;
        else if (tag === 'miss') this.cacheMisses++;
        second.tags[tag] = (second.tags[tag] ?? 0) + 1;
        step.tags[tag] = (step.tags[tag] ?? 0) + 1;
        this.group(`tag:${tag}`).requests++;
        this.record(`tag:${tag}`, point.value);
        break;
      }
    }
  }

  private request(point: Point, second: Second, step: Second): void {
    this.requests++;
    second.sent++;
    step.sent++;
    const groups = this.templateGroups(point.tags);
    for (const group of groups) this.group(group).requests++;
    if (this.origin === undefined && point.tags.url) {
      try {
        this.origin = new URL(point.tags.url).origin;
      } catch {
        // A url tag a script overrode with something that is not a URL names no origin.
      }
    }
    const status = point.tags.status ?? '0';
    // Status 0: k6 got no response (refused, reset, timeout); timed apart, as the engine does.
    if (status === '0') {
      this.transportErrors++;
      this.record('error', point.value);
      return;
    }
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    for (const s of [second, step]) {
      s.byStatus[status] = (s.byStatus[status] ?? 0) + 1;
      s.latency.recordValue(micros(point.value));
    }
    this.record('all', point.value);
    this.record(`status:${status}`, point.value);
    if (/^\d{3}$/.test(status)) this.record(`status:${status[0]}xx`, point.value);
    for (const group of groups) this.record(group, point.value);
  }

  /** An upgrade or a push by its status, untimed: a WebSocket run times round trips, not these. */
  private count(status: string, second: Second, step: Second): void {
    this.requests++;
    if (status === '0') {
      this.transportErrors++;
      return;
    }
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    for (const s of [second, step]) s.byStatus[status] = (s.byStatus[status] ?? 0) + 1;
  }

  /** The template tag groups (`key:value`) a point belongs to. */
  private templateGroups(tags: Record<string, string>): string[] {
    const groups: string[] = [];
    for (const key of this.templateTagKeys) {
      const value = tags[key];
      if (value !== undefined) groups.push(`${key}:${value}`);
    }
    return groups;
  }

  private group(name: string): { requests: number; failed: number } {
    this.byTag[name] ??= { requests: 0, failed: 0 };
    return this.byTag[name];
  }

  private record(name: string, ms: number): void {
    let h = this.histograms.get(name);
    if (!h) {
      h = createHistogram();
      this.histograms.set(name, h);
    }
    h.recordValue(micros(ms));
  }

  private bucket(map: Map<number, Second>, stepMs: number, timeMs: number): Second {
    const key = Math.floor(timeMs / stepMs);
    let s = map.get(key);
    if (!s) {
      s = {
        sent: 0,
        byStatus: {},
        dropped: 0,
        failed: 0,
        tags: {},
        latency: build({ bitBucketSize: 'packed', numberOfSignificantValueDigits: 3, autoResize: true }),
      };
      map.set(key, s);
    }
    return s;
  }

  statusCounts(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.byStatus).sort(([a], [b]) => Number(a) - Number(b)));
  }

  /** Every histogram, compressed base64 by name, with the percentiles of `all`. */
  latency(): Pick<ScenarioResult['latency'], 'histograms' | 'percentiles'> {
    const histograms: Record<string, string> = {};
    if (!this.histograms.has('all')) this.histograms.set('all', createHistogram());
    for (const name of [...this.histograms.keys()].sort()) {
      histograms[name] = encodeHistogram(this.histograms.get(name) as Histogram);
    }
    const all = histogramStats(this.histograms.get('all') as Histogram);
    return {
      histograms,
      percentiles: {
        p50: all.p50,
        p90: all.p90,
        p95: all.p95,
        p99: all.p99,
        'p99.9': all.p999,
        max: all.max,
      },
    };
  }

  /** One point per second from the first point to the last, empty seconds included. */
  timeseries(): ScenarioResult['timeseries'] {
    if (this.seconds.size === 0) return [];
    const first = Math.floor(this.firstMs / 1000);
    const last = Math.floor(this.lastMs / 1000);
    const series: ScenarioResult['timeseries'] = [];
    for (let key = first; key <= last; key++) {
      const s = this.seconds.get(key);
      const count = s?.latency.totalCount ?? 0;
      series.push({
        t: key - first,
        sent: s?.sent ?? 0,
        byStatus: s
          ? Object.fromEntries(Object.entries(s.byStatus).sort(([a], [b]) => Number(a) - Number(b)))
          : {},
        p50: count ? (s as Second).latency.getValueAtPercentile(50) : 0,
        p99: count ? (s as Second).latency.getValueAtPercentile(99) : 0,
        dropped: s?.dropped ?? 0,
        errors: s?.failed ?? 0,
        ...(s && Object.keys(s.tags).length > 0 && { tags: s.tags }),
      });
    }
    return series;
  }

  /**
   * The series at FINE_STEP_MS from the first point to the last, as the engine writes it: steps
   * are k6's point times (when each request ended), so `sent` counts requests that ended in a step.
   */
  fineSeries(): FineSeries | undefined {
    if (this.steps.size === 0) return undefined;
    const first = Math.floor(this.firstMs / FINE_STEP_MS);
    const length = Math.floor(this.lastMs / FINE_STEP_MS) - first + 1;
    const at = (i: number) => this.steps.get(first + i);
    const column = (read: (s: Second) => number) =>
      Array.from({ length }, (_, i) => {
        const s = at(i);
        return s ? read(s) : 0;
      });
    const names = (pick: (s: Second) => Record<string, number>) =>
      [...new Set([...this.steps.values()].flatMap((s) => Object.keys(pick(s))))].sort();
    const percentile = (p: number) =>
      column((s) => (s.latency.totalCount ? s.latency.getValueAtPercentile(p) : 0));
    const tags = names((s) => s.tags);
    return coarsen(
      {
        stepMs: FINE_STEP_MS,
        lastStepMs: Math.max(1, Math.round(this.lastMs - (first + length - 1) * FINE_STEP_MS)),
        sent: column((s) => s.sent),
        byStatus: Object.fromEntries(
          names((s) => s.byStatus).map((code) => [code, column((s) => s.byStatus[code] ?? 0)]),
        ),
        p50: percentile(50),
        p99: percentile(99),
        dropped: column((s) => s.dropped),
        errors: column((s) => s.failed),
        ...(tags.length > 0 && {
          tags: Object.fromEntries(tags.map((t) => [t, column((s) => s.tags[t] ?? 0)])),
        }),
      },
      MAX_FINE_POINTS,
    );
  }

  /** Frees the WebAssembly memory of the merged histograms. */
  destroy(): void {
    for (const h of this.histograms.values()) h.destroy();
    this.histograms.clear();
  }
}

import { FineRecorder } from './fine-series.js';
import {
  createHistogram,
  encodeHistogram,
  type Histogram,
  type HistogramStats,
  histogramStats,
} from './histograms.js';

/** One second of a run: what was sent, what came back, and how fast (microseconds, corrected). */
export interface TimePoint {
  /** Seconds since the first scheduled start; the point covers [t, t + 1). */
  t: number;
  sent: number;
  /** Responses completed in this second, by status code. */
  byStatus: Record<string, number>;
  p50: number;
  p99: number;
  dropped: number;
  errors: number;
  /** Responses completed in this second by classify() tag (`hit`, `miss`), when a classifier ran. */
  tags?: Record<string, number>;
}

export interface Progress {
  elapsedS: number;
  /** Planned length of the timed part, for a progress bar's total. */
  plannedS: number;
  sent: number;
  byStatus: Record<string, number>;
  dropped: number;
  errors: number;
  inFlight: number;
  /** p99 latency of the last second, microseconds. */
  p99: number;
}

/** Requests sharing a tag (a template's k6 tag or a classify() result): their latency and statuses. */
export interface TagGroup {
  readonly name: string;
  readonly histogram: Histogram;
  readonly byStatus: Float64Array;
  errors: number;
  /** Unexpected statuses plus errors: the group's share of k6's http_req_failed. */
  failed: number;
}

export interface TagCounts {
  byStatus: Record<string, number>;
  errors: number;
  failed: number;
}

const STATUS_SLOTS = 1000;
/** classify() may return anything; beyond this many distinct tags the rest share one group. */
const MAX_TAGS = 64;

const micros = (ms: number): number => (ms > 0 ? Math.round(ms * 1000) : 0);

/** Adds one to a counter and says whether it was zero before. */
function bump(counts: Float64Array, index: number): boolean {
  const before = counts[index] ?? 0;
  counts[index] = before + 1;
  return before === 0;
}

function statusRecord(counts: Float64Array, codes: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const code of [...codes].sort((a, b) => a - b)) out[String(code)] = counts[code] as number;
  return out;
}

/**
 * Everything a run measures, in counters and HDR histograms only: memory stays flat however long
 * the run. Times are milliseconds since the run's start (performance.now() based); histograms
 * hold microseconds.
 */
export class Measurements {
  readonly all = createHistogram();
  readonly uncorrected = createHistogram();
  readonly lag = createHistogram();
  /** Time until a transport failure (timeout, reset, refused), kept apart from response latency. */
  readonly errorLatency = createHistogram();
  private readonly interval = createHistogram();
  private readonly statusHistograms: (Histogram | undefined)[] = new Array(STATUS_SLOTS);
  private readonly classHistograms: (Histogram | undefined)[] = new Array(10);
  private readonly byStatus = new Float64Array(STATUS_SLOTS);
  private readonly seenStatuses: number[] = [];
  private readonly tags = new Map<string, TagGroup>();
  private readonly classified = new Map<string, TagGroup>();
  readonly errorCodes = new Map<string, number>();

  sent = 0;
  dropped = 0;
  responses = 0;
  errors = 0;
  failed = 0;
  interrupted = 0;

  readonly timeseries: TimePoint[] = [];
  /** The same at 100 ms, for the report's charts. */
  readonly fine = new FineRecorder();
  private second = 0;
  private nextBoundary = 1000;
  private secondSent = 0;
  private secondDropped = 0;
  private secondErrors = 0;
  private readonly secondStatus = new Float64Array(STATUS_SLOTS);
  private readonly secondSeen: number[] = [];
  /** Responses of this second by classify() group. */
  private readonly secondTags = new Map<TagGroup, number>();

  constructor(
    /** 1 where a status counts as expected (k6's expectedStatuses), 0 where it makes the request failed. */
    private readonly expected: Uint8Array,
    private readonly progress: ((p: Progress) => void) | undefined,
    private readonly live: { plannedS: number; inFlight: () => number },
  ) {}

  /** The group for a k6-style tag (`name:value`), created on first use. */
  tagGroup(name: string): TagGroup {
    let group = this.tags.get(name);
    if (!group) {
      if (this.tags.size >= MAX_TAGS) return this.tagGroup('tag:other');
      group = {
        name,
        histogram: createHistogram(),
        byStatus: new Float64Array(STATUS_SLOTS),
        errors: 0,
        failed: 0,
      };
      this.tags.set(name, group);
    }
    return group;
  }

  /** The group of a classify() result; looked up by the bare value so the hot path builds no string. */
  classifiedGroup(tag: string): TagGroup {
    let group = this.classified.get(tag);
    if (!group) {
      group = this.tagGroup(`tag:${tag}`);
      this.classified.set(tag, group);
    }
    return group;
  }

  dispatched(now: number, intended: number, recordLag: boolean): void {
    if (now >= this.nextBoundary) this.rotate(now);
    this.sent++;
    this.secondSent++;
    this.fine.sent(now);
    if (recordLag) this.lag.recordValue(micros(now - intended));
  }

  droppedArrival(now: number): void {
    if (now >= this.nextBoundary) this.rotate(now);
    this.dropped++;
    this.secondDropped++;
    this.fine.dropped(now);
  }

  response(
    status: number,
    now: number,
    intended: number,
    connected: number,
    groups: readonly TagGroup[],
    tagged: TagGroup | undefined,
  ): void {
    if (now >= this.nextBoundary) this.rotate(now);
    const corrected = micros(now - intended);
    this.all.recordValue(corrected);
    this.interval.recordValue(corrected);
    this.uncorrected.recordValue(micros(now - connected));
    this.fine.response(now, status, corrected, tagged === undefined ? undefined : tagged.name.slice(4));
    this.statusHistogram(status).recordValue(corrected);
    this.classHistogram(status).recordValue(corrected);
    this.responses++;
    if (bump(this.byStatus, status)) this.seenStatuses.push(status);
    if (bump(this.secondStatus, status)) this.secondSeen.push(status);
    const failed = this.expected[status] !== 1;
    if (failed) this.failed++;
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i] as TagGroup;
      group.histogram.recordValue(corrected);
      bump(group.byStatus, status);
      if (failed) group.failed++;
    }
    if (tagged) {
      tagged.histogram.recordValue(corrected);
      bump(tagged.byStatus, status);
      if (failed) tagged.failed++;
      this.secondTags.set(tagged, (this.secondTags.get(tagged) ?? 0) + 1);
    }
  }

  error(code: string, now: number, intended: number, groups: readonly TagGroup[]): void {
    if (now >= this.nextBoundary) this.rotate(now);
    this.errors++;
    this.failed++;
    this.secondErrors++;
    this.fine.error(now);
    this.errorLatency.recordValue(micros(now - intended));
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i] as TagGroup;
      group.errors++;
      group.failed++;
    }
  }

  /** Closes every full second up to `now`; called from the hot path and from a per-second timer. */
  rotate(now: number): void {
    let last: TimePoint | undefined;
    while (now >= this.nextBoundary) {
      last = this.closeSecond();
      this.nextBoundary += 1000;
    }
    if (last && this.progress) {
      this.progress({
        elapsedS: this.second,
        plannedS: this.live.plannedS,
        sent: this.sent,
        byStatus: this.statusCounts(),
        dropped: this.dropped,
        errors: this.errors,
        inFlight: this.live.inFlight(),
        p99: last.p99,
      });
    }
  }

  /** Ends the run: the last, partial second is kept if anything happened in it. */
  close(): void {
    if (
      this.secondSent ||
      this.secondDropped ||
      this.secondErrors ||
      this.secondSeen.length ||
      this.secondTags.size
    )
      this.closeSecond();
  }

  statusCounts(): Record<string, number> {
    return statusRecord(this.byStatus, this.seenStatuses);
  }

  tagCounts(): Record<string, TagCounts> {
    const out: Record<string, TagCounts> = {};
    for (const group of this.tags.values()) {
      const codes: number[] = [];
      group.byStatus.forEach((count, code) => {
        if (count > 0) codes.push(code);
      });
      out[group.name] = {
        byStatus: statusRecord(group.byStatus, codes),
        errors: group.errors,
        failed: group.failed,
      };
    }
    return out;
  }

  /** Every histogram that holds data, by its results name, with its summary. */
  export(): { histograms: Record<string, string>; stats: Record<string, HistogramStats> } {
    const named: [string, Histogram][] = [
      ['all', this.all],
      ['uncorrected', this.uncorrected],
      ['lag', this.lag],
      ['error', this.errorLatency],
    ];
    this.classHistograms.forEach((h, c) => {
      if (h) named.push([`status:${c}xx`, h]);
    });
    this.statusHistograms.forEach((h, code) => {
      if (h) named.push([`status:${code}`, h]);
    });
    for (const group of this.tags.values()) named.push([group.name, group.histogram]);
    const histograms: Record<string, string> = {};
    const stats: Record<string, HistogramStats> = {};
    for (const [name, h] of named) {
      if (h.totalCount === 0 && name !== 'all' && name !== 'uncorrected') continue;
      histograms[name] = encodeHistogram(h);
      stats[name] = histogramStats(h);
    }
    return { histograms, stats };
  }

  /** Frees the WebAssembly memory of every histogram. */
  destroy(): void {
    for (const h of [this.all, this.uncorrected, this.lag, this.errorLatency, this.interval]) h.destroy();
    for (const h of this.classHistograms) h?.destroy();
    for (const h of this.statusHistograms) h?.destroy();
    for (const group of this.tags.values()) group.histogram.destroy();
    this.fine.destroy();
  }

  private closeSecond(): TimePoint {
    const point: TimePoint = {
      t: this.second,
      sent: this.secondSent,
      byStatus: statusRecord(this.secondStatus, this.secondSeen),
      p50: this.interval.totalCount ? this.interval.getValueAtPercentile(50) : 0,
      p99: this.interval.totalCount ? this.interval.getValueAtPercentile(99) : 0,
      dropped: this.secondDropped,
      errors: this.secondErrors,
    };
    if (this.secondTags.size > 0) {
      // Group names are `tag:VALUE`; the series keeps the bare value.
      point.tags = {};
      for (const [group, n] of this.secondTags) point.tags[group.name.slice(4)] = n;
      this.secondTags.clear();
    }
    this.timeseries.push(point);
    this.interval.reset();
    for (const code of this.secondSeen) this.secondStatus[code] = 0;
    this.secondSeen.length = 0;
    this.secondSent = 0;
    this.secondDropped = 0;
    this.secondErrors = 0;
    this.second++;
    return point;
  }

  private statusHistogram(status: number): Histogram {
    let h = this.statusHistograms[status];
    if (!h) {
      h = createHistogram();
      this.statusHistograms[status] = h;
    }
    return h;
  }

  private classHistogram(status: number): Histogram {
    const c = (status / 100) | 0;
    let h = this.classHistograms[c];
    if (!h) {
      h = createHistogram();
      this.classHistograms[c] = h;
    }
    return h;
  }
}

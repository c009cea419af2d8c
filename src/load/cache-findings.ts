import type { ProbeCounters } from '../probe/protocol.js';
import { VERSION_HEADER } from '../probe/protocol.js';
import type { EngineResult, ResponseMeta } from './engine.js';
import type { Scenario } from './scenario.js';

/** Versions remembered to tell hits from misses; the oldest are forgotten past this. */
const MAX_VERSIONS = 200_000;
/** Body bytes classify() needs: the echo's version and query come first. */
export const CACHE_BODY_BYTES = 1024;

const VERSION_IN_BODY = /"version":(\d+)/;

interface KeyFills {
  lastMissMs: number;
  fills: number;
  misses: number;
  maxMissesPerFill: number;
  missesThisFill: number;
}

export interface ProbeReadings {
  before: ProbeCounters;
  after: ProbeCounters;
  /** Probe path of the scenario's route, whose counter is the origin's count. */
  path: string;
  /** Origin requests per cache key (by nonce), when the scenario counts them. */
  perKey?: number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

/**
 * Watches a cache scenario's responses (as the engine's classify). The probe gives every origin
 * answer a fresh version, so a version seen before was served by the cache: the first response
 * carrying a version is a miss, every later one a hit. From the same versions: when readers first
 * saw what an invalidation fetched, and how many origin answers each (re)fill of a key took.
 */
export class CacheObserver {
  /** Version → when it was first seen (ms since the run's start). */
  private readonly seen = new Map<number, number>();
  private readonly invalidator: boolean[];
  private readonly keyInBody: RegExp | undefined;
  private readonly keys = new Map<string, KeyFills>();
  private readerMax = 0;
  /** Invalidations not yet seen by a reader: the version they fetched and when they completed. */
  private pending: { version: number; at: number }[] = [];
  private readonly visibleMs: number[] = [];
  private invalidations = 0;
  private ignored = 0;

  constructor(
    scenario: Scenario,
    /** Misses of one key further apart than this start a new fill (a TTL expiry, an invalidation). */
    private readonly fillGapMs: number,
  ) {
    this.invalidator = scenario.requests.map((t) => t.role === 'invalidator');
    const param = scenario.requests.find((t) => t.keys)?.keys?.param;
    this.keyInBody = param
      ? new RegExp(`"query":\\{[^}]*?"${param.replace(/[^A-Za-z0-9_-]/g, '\\$&')}":"([^"]*)"`)
      : undefined;
  }

  readonly classify = (
    status: number,
    headers: Record<string, string>,
    body: string | undefined,
    meta: ResponseMeta,
  ): 'hit' | 'miss' | undefined => {
    if (status < 200 || status >= 300) return undefined;
    const raw = headers[VERSION_HEADER] ?? (body && VERSION_IN_BODY.exec(body)?.[1]);
    const version = raw ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(version)) return undefined;
    const firstSeen = this.seen.get(version);
    if (firstSeen === undefined) this.remember(version, meta.completed);
    if (this.invalidator[meta.template]) this.invalidated(version, firstSeen, meta);
    else this.read(version, meta.completed);
    if (firstSeen !== undefined) return 'hit';
    const key = body && this.keyInBody?.exec(body)?.[1];
    if (key !== undefined && key !== '') this.missOf(key, meta.completed);
    return 'miss';
  };

  private remember(version: number, at: number): void {
    if (this.seen.size >= MAX_VERSIONS) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(version, at);
  }

  /**
   * An invalidation's answer is the new version, unless a reader saw that version before the
   * invalidation was even sent: then the cache answered it, and the invalidation was ignored.
   */
  private invalidated(version: number, firstSeen: number | undefined, meta: ResponseMeta): void {
    this.invalidations++;
    if (firstSeen !== undefined && firstSeen < meta.connected) this.ignored++;
    else if (this.readerMax >= version) this.visibleMs.push(0);
    else this.pending.push({ version, at: meta.completed });
  }

  private read(version: number, at: number): void {
    this.readerMax = Math.max(this.readerMax, version);
    if (this.pending.length === 0) return;
    const still: typeof this.pending = [];
    for (const p of this.pending) {
      if (p.version <= version) this.visibleMs.push(Math.max(0, at - p.at));
      else still.push(p);
    }
    this.pending = still;
  }

  private missOf(key: string, at: number): void {
    let k = this.keys.get(key);
    if (!k) {
      k = { lastMissMs: at, fills: 1, misses: 0, maxMissesPerFill: 0, missesThisFill: 0 };
      this.keys.set(key, k);
    } else if (at - k.lastMissMs > this.fillGapMs) {
      k.fills++;
      k.missesThisFill = 0;
    }
    k.lastMissMs = at;
    k.misses++;
    k.missesThisFill++;
    k.maxMissesPerFill = Math.max(k.maxMissesPerFill, k.missesThisFill);
  }

  findings(result: EngineResult, probe: ProbeReadings | undefined): Record<string, unknown> {
    const latency = (tag: string, p: 'p50' | 'p99') => result.stats[`tag:${tag}`]?.[p] ?? null;
    const hits = result.byTag['tag:hit'];
    const misses = result.byTag['tag:miss'];
    const count = (c: typeof hits) => Object.values(c?.byStatus ?? {}).reduce((a, b) => a + b, 0);
    const requests = result.totals.responses;
    const origin = probe ? originCount(probe) : undefined;
    const ratio = (n: number) => (requests > 0 ? Number((1 - n / requests).toFixed(4)) : null);
    const fills = this.invalidator.includes(true) ? [] : [...this.keys.values()];
    const totalFills = fills.reduce((sum, k) => sum + k.fills, 0);
    const perKeyOrigin = probe?.perKey?.reduce((a, b) => a + b, 0);
    return {
      hitRatio: origin === undefined ? ratio(count(misses)) : ratio(origin),
      hitRatioSource: origin === undefined ? 'versions' : 'probe',
      requests,
      originRequests: origin ?? null,
      hits: count(hits),
      misses: count(misses),
      hitP50Us: latency('hit', 'p50'),
      hitP99Us: latency('hit', 'p99'),
      missP50Us: latency('miss', 'p50'),
      missP99Us: latency('miss', 'p99'),
      invalidationVisibleMs: this.visibleMs.length > 0 ? Number(median(this.visibleMs).toFixed(1)) : null,
      ...(this.invalidator.includes(true) && {
        invalidationVisibleMaxMs:
          this.visibleMs.length > 0 ? Number(Math.max(...this.visibleMs).toFixed(1)) : null,
        invalidations: this.invalidations,
        invalidationsIgnored: this.ignored,
        invalidationsUnseen: this.pending.length,
      }),
      // Every fill of a key counts, the first one included: it is an expiry from nothing. Where
      // invalidations refill the key on purpose, fills say nothing about expiry.
      originRequestsPerKeyAtExpiry:
        totalFills === 0
          ? null
          : Number(((perKeyOrigin ?? fills.reduce((sum, k) => sum + k.misses, 0)) / totalFills).toFixed(2)),
      ...(totalFills > 0 && {
        fills: totalFills,
        maxOriginRequestsPerFill: Math.max(...fills.map((k) => k.maxMissesPerFill)),
        originPerKeySource: perKeyOrigin === undefined ? 'versions' : 'probe',
      }),
    };
  }
}

/** Origin requests during the run: the route's counter at the probe, or all of them if the route is not named there. */
function originCount({ before, after, path }: ProbeReadings): number {
  if (after.routes[path] !== undefined) return after.routes[path] - (before.routes[path] ?? 0);
  return after.total - before.total;
}

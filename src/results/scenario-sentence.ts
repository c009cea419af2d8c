import { scenarioVerdict } from './collect.js';
import { formatMs, formatUs } from './format.js';
import type { ScenarioResult } from './model.js';

type Threshold = ScenarioResult['thresholds'][number];

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const short = (n: number) => String(Number(n.toPrecision(4)));
function interval(value: unknown): string {
  if (!Array.isArray(value)) return '';
  const [low, high] = value as unknown[];
  return typeof low === 'number' && typeof high === 'number' ? ` [${short(low)}, ${short(high)}]` : '';
}

/** A threshold with the metric it judges: `http_req_duration{status:429} p(99)<100`. */
export function thresholdLabel(t: Threshold): string {
  return t.metric ? `${t.metric} ${t.expr}` : t.expr;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function throttleWords(t: Record<string, unknown>): string {
  const declaredRate = num(t.declaredRate);
  const declaredBurst = num(t.declaredBurst);
  const declared =
    declaredRate === undefined
      ? 'no plan declared'
      : `declared ${short(declaredRate)}/s${declaredBurst === undefined ? '' : `, burst ${short(declaredBurst)}`}`;
  const rate = num(t.inferredRate);
  const burst = num(t.inferredBurst);
  const measured =
    rate === undefined
      ? `no bucket measured${typeof t.note === 'string' ? ` (${t.note})` : ''}`
      : `measured ${short(rate)}/s${interval(t.rateCI)}${burst === undefined ? '' : `, burst ${short(burst)}${interval(t.burstCI)}`}` +
        (t.inferenceTrusted === false ? ' (not trusted: the generator or the target stalled)' : '');
  const share = num(t.share429);
  const isolation = record(t.isolation);
  const victim = isolation && num(isolation.victimShare429);
  return [
    declared,
    measured,
    ...(share === undefined ? [] : [`${short(share * 100)} % refused`]),
    ...(victim === undefined ? [] : [`the other key ${short(victim * 100)} % refused`]),
  ].join('; ');
}

function cacheWords(c: Record<string, unknown>): string {
  const parts: string[] = [];
  const ratio = num(c.hitRatio);
  if (ratio !== undefined)
    parts.push(
      `hit ratio ${short(ratio * 100)} %${c.hitRatioSource === 'probe' ? ' (proven at the origin)' : ''}`,
    );
  const hit = num(c.hitP50Us);
  const miss = num(c.missP50Us);
  if (hit !== undefined || miss !== undefined)
    parts.push(
      [
        hit === undefined ? '' : `hit p50 ${formatUs(hit)}`,
        miss === undefined ? '' : `miss p50 ${formatUs(miss)}`,
      ]
        .filter(Boolean)
        .join(', '),
    );
  const visible = num(c.invalidationVisibleMs);
  if (visible !== undefined) parts.push(`invalidation seen after ${formatMs(visible)}`);
  const perKey = num(c.originRequestsPerKeyAtExpiry);
  if (perKey !== undefined) parts.push(`${short(perKey)} origin requests per key and fill`);
  return parts.join('; ');
}

/** A WebSocket run: connections opened and held at once, then each latency's p99. */
function websocketWords(w: Record<string, unknown>): string {
  const c = record(w.connections);
  const opened = num(c?.opened);
  const attempted = num(c?.attempted);
  const peak = num(c?.peakOpen);
  const parts = [
    opened === undefined
      ? ''
      : `${opened}${attempted === undefined ? '' : ` of ${attempted}`} connections opened${peak === undefined ? '' : `, ${peak} open at once`}`,
    ...(
      [
        ['connect', w.connectP99Us],
        ['round trip', w.roundTripP99Us],
        ['push', w.pushP99Us],
      ] as const
    ).flatMap(([name, us]) => (num(us) === undefined ? [] : [`${name} p99 ${formatUs(num(us)!)}`])),
  ];
  return parts.filter(Boolean).join('; ');
}

/** A canary run: the share declared, and the share the probe saw with its interval. */
function canaryWords(c: Record<string, unknown>): string {
  const declared = num(c.declaredShare);
  const share = num(c.share);
  const atProbe = num(c.atProbe);
  return [
    declared === undefined ? 'no share declared' : `declared ${short(declared * 100)} % to the canary`,
    share === undefined
      ? 'nothing reached the probe'
      : `served ${short(share * 100)} %${interval(Array.isArray(c.shareCI) ? c.shareCI.map((x) => Number(x) * 100) : undefined)} of ${atProbe} requests at the probe`,
  ].join('; ');
}

/**
 * A scenario in one sentence, its finding against what was declared and how it ended: "declared
 * 200/s, burst 100; measured 199.6/s [198.9, 200.3], burst 98 [95, 101]; 52 % refused: holds".
 * The ending is the scenario's verdict, with what failed it.
 */
export function scenarioSentence(s: ScenarioResult): string {
  const throttle = record(s.findings.throttle);
  const cache = record(s.findings.cache);
  const websocket = record(s.findings.websocket);
  const canary = record(s.findings.canary);
  const p99 = s.latency.percentiles?.p99;
  const finding = throttle
    ? throttleWords(throttle)
    : cache
      ? cacheWords(cache)
      : websocket
        ? websocketWords(websocket)
        : canary
          ? canaryWords(canary)
          : `${s.totals.requests} requests${p99 === undefined ? '' : `, p99 ${formatUs(p99)}`}`;
  const failed = [
    ...(s.checks ?? []).filter((c) => c.ok === false).map((c) => `${c.metric} ${c.expr}`),
    ...s.thresholds.filter((t) => t.ok === false).map(thresholdLabel),
  ];
  const unjudged = (s.checks ?? []).filter((c) => c.ok === null).map((c) => `${c.metric} ${c.expr}`);
  const verdict = scenarioVerdict(s);
  const ending =
    verdict === 'pass'
      ? 'holds'
      : verdict === 'fail'
        ? `does not hold${failed.length > 0 ? ` (${failed.join(', ')})` : ''}`
        : verdict === 'interrupted'
          ? 'interrupted, not judged'
          : `not judged${unjudged.length > 0 ? ` (${unjudged.join(', ')})` : ''}`;
  return `${finding || `${s.totals.requests} requests`}: ${ending}`;
}

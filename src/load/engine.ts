import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildConnector, type Dispatcher, Pool } from 'undici';
import { planRun, type RunPlan } from './arrivals.js';
import { parseDuration } from './duration.js';
import type { FineSeries } from './fine-series.js';
import type { HistogramStats } from './histograms.js';
import {
  Measurements,
  type Progress,
  type TagCounts,
  type TagGroup,
  type TimePoint,
} from './measurements.js';
import type { Executor, RequestTemplate, Scenario } from './scenario.js';

export type { Progress, TagCounts, TimePoint };

/** One request as the engine sends it: a path on the run's origin, never a URL. */
export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string> | string[];
  body?: string | Buffer;
}

export interface LoadOptions {
  /** `http://host:port` of the target; the only place traffic goes. */
  origin: string;
  scenario: Scenario;
  /**
   * Turns a template into the i-th request. Returning the same object again (identity) skips its
   * validation, so a constant request costs nothing per call.
   */
  resolveRequest: (template: RequestTemplate, i: number) => RequestSpec;
  /** Hard bounds, whatever the executor says: the whole run (idle time and drain included) and requests sent. */
  limits: { maxDurationS: number; maxRequests: number };
  /** Sockets to the origin; default: enough to carry every in-flight slot at the given pipelining. */
  connections?: number;
  /** Requests in flight per socket; used for GET and HEAD only (undici holds others back). Default 1. */
  pipelining?: number;
  /**
   * Headers and body timeouts of every request, counted as errors when hit. Default 10 s. undici
   * checks them on a coarse clock, so one may fire up to about a second late.
   */
  timeoutMs?: number;
  /** How long in-flight requests may finish after the executor stops starting them (k6's gracefulStop). Default 5 s. */
  gracefulStopS?: number;
  /**
   * How close (ms) an arrival must be before the open-model timer loop stops sleeping on a timer
   * and waits turn by turn. More is more punctual and burns more CPU. Default 0.25.
   */
  spinMs?: number;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /**
   * Tags a response ('hit', 'miss'); latency and statuses are then kept per tag (`tag:hit`), and
   * counted per second in the time series. `meta` is reused by the next request: copy what you keep.
   */
  classify?: (
    status: number,
    headers: Record<string, string>,
    body: string | undefined,
    meta: ResponseMeta,
  ) => string | undefined;
  /** Body bytes kept for classify(); default 0: bodies are read and thrown away. */
  classifyBodyBytes?: number;
}

/** When a response's request was meant to start, got a connection and completed (ms since the run's start), and which template made it. */
export interface ResponseMeta {
  readonly template: number;
  readonly intended: number;
  readonly connected: number;
  readonly completed: number;
}

export type StopReason = 'completed' | 'max-duration' | 'max-requests' | 'aborted';

export interface EngineResult {
  executor: Executor['executor'];
  model: 'open' | 'closed';
  startedAt: string;
  /** From the first scheduled start to the end of the drain. */
  durationS: number;
  stopReason: StopReason;
  /** True when the signal stopped the run: what was measured until then is still valid. */
  interrupted: boolean;
  totals: {
    /** Arrivals the executor planned up to the stop (open model: sent + dropped). */
    intended: number;
    sent: number;
    /** Responses received plus transport errors: k6's http_reqs. */
    requests: number;
    responses: number;
    errors: number;
    /** Responses with an unexpected status plus errors: k6's http_req_failed. */
    failed: number;
    /** Arrivals that found every in-flight slot busy: k6's dropped_iterations. */
    dropped: number;
    /** In flight when the run was cut (abort, hard duration bound): neither response nor error. */
    interrupted: number;
  };
  byStatus: Record<string, number>;
  /** Transport errors by undici / system code (UND_ERR_HEADERS_TIMEOUT, ECONNRESET). */
  errorsByCode: Record<string, number>;
  /** Statuses, errors and failed requests (k6's http_req_failed) per tag group (`tag:hit`, a template's `name:value`). */
  byTag: Record<string, TagCounts>;
  timeseries: TimePoint[];
  fineSeries: FineSeries;
  /** Compressed base64 HDR histograms in microseconds: `all` (corrected), `uncorrected`, `lag`, `error`, `status:2xx`, `status:429`, `tag:hit`. */
  histograms: Record<string, string>;
  stats: Record<string, HistogramStats>;
  transport: { connections: number; pipelining: number; slots: number };
}

/** Arrivals issued in one timer callback at most, so a late loop catches up without starving I/O. */
const MAX_BATCH = 1024;

const now = (): number => performance.now();

const uncork = (socket: Socket): void => socket.uncork();

/**
 * Corks a socket while undici parses what it just read, so the requests that closed-loop VUs
 * start from those responses leave in one write instead of one system call each. Runs before
 * undici's own 'readable' listener; the uncork waits for the end of that listener chain.
 */
function corkWhileReading(this: Socket): void {
  this.cork();
  process.nextTick(uncork, this);
}

/** undici's own connector, plus the cork above on every socket. */
function corkingConnector(timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: timeoutMs });
  return (options, callback) =>
    connect(options, (err, socket) => {
      if (socket) socket.prependListener('readable', corkWhileReading);
      (callback as (e: Error | null, s: Socket | null) => void)(err, socket);
    });
}

/**
 * One in-flight slot, reused request after request: the undici handler, with the request's timing
 * on it. undici 7 still runs its core on this handler interface (onConnect/onHeaders/onData/
 * onComplete/onError) and wraps handlers of the newer controller interface in two extra objects
 * plus a parsed header object per request, so this one stays allocation-free on the hot path.
 */
class Slot implements Dispatcher.DispatchHandler, ResponseMeta {
  template = 0;
  intended = 0;
  connected = 0;
  completed = 0;
  status = 0;
  groups: readonly TagGroup[] = [];
  rawHeaders: Buffer[] | null = null;
  body: Buffer[] | null = null;
  bodyLength = 0;

  constructor(private readonly run: LoadRun) {}

  onConnect(): void {
    this.connected = now() - this.run.t0;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    // 1xx responses are followed by the final one.
    if (status >= 200) {
      this.status = status;
      if (this.run.classify) this.rawHeaders = rawHeaders;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    const room = this.run.classifyBodyBytes - this.bodyLength;
    if (room > 0) {
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (this.body) this.body.push(kept);
      else this.body = [kept];
      this.bodyLength += kept.length;
    }
    return true;
  }

  onComplete(): void {
    this.run.completed(this);
  }

  onError(err: Error): void {
    this.run.failed(this, err);
  }
}

function headerObject(raw: Buffer[] | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!raw) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
    const value = (raw[i + 1] as Buffer).toString('latin1');
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/** Weighted round robin: template indexes in a repeating order, so the mix holds at any scale. */
function templateOrder(templates: readonly RequestTemplate[]): number[] {
  if (templates.length === 0) throw new Error('scenario has no request templates');
  const weights = templates.map((t, i) => {
    const w = t.weight ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new Error(`requests[${i}].weight must be 0 or more, got ${w}`);
    return w;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error('every request template has weight 0');
  const length = Math.min(
    1000,
    Math.max(templates.length, Math.round(total / Math.min(...weights.filter((w) => w > 0)))),
  );
  // Smooth weighted round robin: spreads each template evenly through the cycle.
  const current = weights.map(() => 0);
  const order: number[] = [];
  for (let n = 0; n < length; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i] = (current[i] as number) + (weights[i] as number);
      if ((current[i] as number) > (current[best] as number)) best = i;
    }
    current[best] = (current[best] as number) - total;
    order.push(best);
  }
  return order;
}

function expectedTable(expected: Scenario['expectedStatuses']): Uint8Array {
  const table = new Uint8Array(1000);
  const { min, max, extra } = expected ?? { min: 200, max: 399 };
  for (let s = Math.max(0, min); s <= Math.min(999, max); s++) table[s] = 1;
  for (const s of extra ?? []) if (s >= 0 && s < 1000) table[s] = 1;
  return table;
}

function positiveInt(value: number, what: string): number {
  if (!(Number.isInteger(value) && value > 0))
    throw new Error(`${what} must be a positive integer, got ${value}`);
  return value;
}

function targetOrigin(origin: string): URL {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new Error(`origin '${origin}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`origin '${origin}' must be http: or https:`);
  }
  if (url.pathname !== '/' || url.search) {
    throw new Error(
      `origin '${origin}' has a path: pass ${url.origin} and put '${url.pathname}' in the request paths`,
    );
  }
  return url;
}

class LoadRun {
  t0 = 0;
  readonly classify: LoadOptions['classify'];
  readonly classifyBodyBytes: number;
  private readonly measurements: Measurements;
  private readonly pool: Pool;
  private readonly free: Slot[] = [];
  private readonly order: number[];
  private readonly templateGroups: TagGroup[][];
  private readonly slots: number;
  private readonly connections: number;
  private readonly pipelining: number;
  private readonly maxRequests: number;
  private readonly graceMs: number;
  private readonly host: string;
  private readonly recordLag: boolean;
  private readonly spinMs: number;

  private inFlight = 0;
  private nextAt = 0;
  private index = 0;
  private scheduling = true;
  private cutting = false;
  private finished = false;
  private stopReason: StopReason = 'completed';
  private fatal: unknown;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeImmediate: NodeJS.Immediate | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private restartImmediate: NodeJS.Immediate | undefined;
  private secondTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private hardEnd = 0;
  private startedAt = '';
  private lastSpec: RequestSpec | undefined;
  private lastDispatch: Dispatcher.DispatchOptions | undefined;
  private done!: (result: EngineResult) => void;
  private failRun!: (err: unknown) => void;

  constructor(
    private readonly options: LoadOptions,
    private readonly plan: RunPlan,
    origin: URL,
  ) {
    const { scenario, limits } = options;
    if (!(limits.maxDurationS > 0))
      throw new Error(`limits.maxDurationS must be positive, got ${limits.maxDurationS}`);
    this.maxRequests = Math.min(
      positiveInt(limits.maxRequests, 'limits.maxRequests'),
      scenario.maxRequests === undefined
        ? Number.POSITIVE_INFINITY
        : positiveInt(scenario.maxRequests, 'maxRequests'),
    );
    this.pipelining = positiveInt(options.pipelining ?? 1, 'pipelining');
    this.slots = plan.capacity;
    this.connections = positiveInt(
      options.connections ?? Math.ceil(this.slots / this.pipelining),
      'connections',
    );
    this.graceMs = (options.gracefulStopS ?? 5) * 1000;
    if (!(this.graceMs >= 0))
      throw new Error(`gracefulStopS must be 0 or more, got ${options.gracefulStopS}`);
    this.classify = options.classify;
    this.classifyBodyBytes = options.classify ? (options.classifyBodyBytes ?? 0) : 0;
    this.host = origin.host;
    this.recordLag = plan.model === 'open';
    this.spinMs = options.spinMs ?? 0.25;
    this.order = templateOrder(scenario.requests);
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.pool = new Pool(origin.origin, {
      connections: this.connections,
      pipelining: this.pipelining,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: corkingConnector(timeoutMs),
    });
    // Histograms hold WebAssembly memory: created last, once nothing above can throw.
    const onProgress = options.onProgress;
    const progress =
      onProgress &&
      ((p: Progress) => {
        try {
          onProgress(p);
        } catch (err) {
          this.abortWith(err);
        }
      });
    this.measurements = new Measurements(expectedTable(scenario.expectedStatuses), progress, {
      plannedS: plan.durationMs / 1000,
      inFlight: () => this.inFlight,
    });
    this.templateGroups = scenario.requests.map((t) =>
      Object.entries(t.tags ?? {}).map(([k, v]) => this.measurements.tagGroup(`${k}:${v}`)),
    );
    for (let i = 0; i < this.slots; i++) this.free.push(new Slot(this));
  }

  async run(callStart: number): Promise<EngineResult> {
    const { scenario, limits, signal } = this.options;
    this.hardEnd = callStart + limits.maxDurationS * 1000;
    const result = new Promise<EngineResult>((resolve, reject) => {
      this.done = resolve;
      this.failRun = reject;
    });
    const idleMs = scenario.idleBefore ? parseDuration(scenario.idleBefore) : 0;
    if (idleMs > 0 && !signal?.aborted) {
      await sleep(Math.min(idleMs, this.hardEnd - now()), undefined, { signal }).catch(() => undefined);
    }
    signal?.addEventListener('abort', this.onAbort);
    this.t0 = now();
    this.hardEnd -= this.t0;
    this.startedAt = new Date().toISOString();
    if (signal?.aborted) {
      this.stopReason = 'aborted';
      this.scheduling = false;
      void this.finish();
      return result;
    }
    this.armSecondTimer();
    if (this.plan.model === 'open') {
      this.nextAt = this.plan.clock.next();
      this.tick();
    } else {
      this.startVus();
    }
    return result;
  }

  /** The open-model timer loop: issues every arrival whose intended time has come, then sleeps. */
  private readonly tick = (): void => {
    this.wakeTimer = undefined;
    this.wakeImmediate = undefined;
    if (!this.scheduling) return;
    try {
      const stop = this.issueDueArrivals(now() - this.t0);
      if (stop) {
        this.stopScheduling(stop);
        return;
      }
      const wait = Math.min(this.nextAt, this.hardEnd) - (now() - this.t0);
      // Timers have millisecond resolution. Yielding turn by turn (setImmediate) would be exact,
      // but an idle loop doing so burns a core that a target on the same machine needs; so turns
      // are used only for the last spinMs, and the rest of the wait sleeps on a timer. The start
      // lag this costs is measured (`lag`) and counted in the corrected latency.
      if (wait > this.spinMs) this.wakeTimer = setTimeout(this.tick, Math.max(1, Math.round(wait)));
      else this.wakeImmediate = setImmediate(this.tick);
    } catch (err) {
      this.abortWith(err);
    }
  };

  /** Each due arrival takes a free slot or is dropped; returns why scheduling must end, if it must. */
  private issueDueArrivals(t: number): StopReason | undefined {
    const plan = this.plan as Extract<RunPlan, { model: 'open' }>;
    for (let issued = 0; this.nextAt <= t && issued < MAX_BATCH; issued++) {
      if (t >= this.hardEnd) return 'max-duration';
      if (this.measurements.sent >= this.maxRequests) return 'max-requests';
      const slot = this.free.pop();
      if (slot) this.issue(slot, this.nextAt, t);
      else this.measurements.droppedArrival(t);
      this.nextAt = plan.clock.next();
    }
    if (this.nextAt === Number.POSITIVE_INFINITY) return 'completed';
    if (t >= this.hardEnd) return 'max-duration';
    return undefined;
  }

  private startVus(): void {
    const t = now() - this.t0;
    try {
      while (this.free.length > 0 && this.mayStartVu(t)) this.issue(this.free.pop() as Slot, t, t);
      if (this.scheduling) {
        this.endTimer = setTimeout(
          this.vusEnd,
          Math.max(0, Math.min(this.plan.durationMs, this.hardEnd) - t),
        );
      }
    } catch (err) {
      this.abortWith(err);
    }
  }

  private readonly vusEnd = (): void => {
    this.endTimer = undefined;
    if (this.scheduling)
      this.stopScheduling(this.hardEnd < this.plan.durationMs ? 'max-duration' : 'completed');
  };

  /** Closed model: a VU that finished an iteration starts the next one, unless the run is ending. */
  private mayStartVu(t: number): boolean {
    if (!this.scheduling) return false;
    if (t >= this.plan.durationMs) {
      this.stopScheduling('completed');
      return false;
    }
    if (t >= this.hardEnd) {
      this.stopScheduling('max-duration');
      return false;
    }
    if (this.measurements.sent >= this.maxRequests) {
      this.stopScheduling('max-requests');
      return false;
    }
    return true;
  }

  /** Idle VUs after a transport error restart on the next turn, never inside undici's callback. */
  private readonly restartIdleVus = (): void => {
    this.restartImmediate = undefined;
    const t = now() - this.t0;
    try {
      while (this.free.length > 0 && this.mayStartVu(t)) this.issue(this.free.pop() as Slot, t, t);
    } catch (err) {
      this.abortWith(err);
    }
  };

  private issue(slot: Slot, intended: number, t: number): void {
    const i = this.index++;
    const template = this.order[i % this.order.length] as number;
    const spec = this.options.resolveRequest(this.options.scenario.requests[template] as RequestTemplate, i);
    if (spec !== this.lastSpec) {
      this.lastDispatch = this.dispatchOptions(spec);
      this.lastSpec = spec;
    }
    slot.template = template;
    slot.intended = intended;
    slot.connected = t;
    slot.status = 0;
    slot.groups = this.templateGroups[template] as TagGroup[];
    slot.rawHeaders = null;
    slot.body = null;
    slot.bodyLength = 0;
    this.inFlight++;
    this.measurements.dispatched(t, intended, this.recordLag);
    this.pool.dispatch(this.lastDispatch as Dispatcher.DispatchOptions, slot);
  }

  private dispatchOptions(spec: RequestSpec): Dispatcher.DispatchOptions {
    const { method, path, headers, body } = spec;
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
      throw new Error(
        `resolveRequest returned path '${String(path)}': only paths on ${this.host} are allowed`,
      );
    }
    const pairs = Array.isArray(headers)
      ? headers.flatMap((name, i) => (i % 2 === 0 ? [[name, headers[i + 1]]] : []))
      : Object.entries(headers ?? {});
    if (pairs.some(([name, value]) => name?.toLowerCase() === 'host' && value !== this.host)) {
      throw new Error(
        `resolveRequest set a Host header other than ${this.host}: the engine sends traffic to its origin only`,
      );
    }
    const idempotent = method === 'GET' || method === 'HEAD';
    // undici treats every non-HEAD request as blocking (no pipelining behind it) unless told otherwise.
    return { method, path, headers, body, blocking: idempotent && this.pipelining > 1 ? false : undefined };
  }

  completed(slot: Slot): void {
    const t = now() - this.t0;
    slot.completed = t;
    const tagged = this.classify ? this.classified(slot) : undefined;
    this.measurements.response(slot.status, t, slot.intended, slot.connected, slot.groups, tagged);
    this.release(slot, t, false);
  }

  failed(slot: Slot, err: Error): void {
    const t = now() - this.t0;
    if (this.cutting) this.measurements.interrupted++;
    else {
      const code = (err as NodeJS.ErrnoException).code ?? err.name;
      this.measurements.error(code, t, slot.intended, slot.groups);
    }
    this.release(slot, t, true);
  }

  /** Runs the caller's classify(); an exception stops the run instead of reaching undici. */
  private classified(slot: Slot): TagGroup | undefined {
    const body = slot.body ? Buffer.concat(slot.body, slot.bodyLength).toString('utf8') : undefined;
    const classify = this.classify as NonNullable<LoadOptions['classify']>;
    try {
      const tag = classify(slot.status, headerObject(slot.rawHeaders), body, slot);
      return tag === undefined ? undefined : this.measurements.classifiedGroup(tag);
    } catch (err) {
      this.abortWith(err);
      return undefined;
    }
  }

  private release(slot: Slot, t: number, afterError: boolean): void {
    this.inFlight--;
    slot.rawHeaders = null;
    slot.body = null;
    if (this.plan.model === 'closed' && !afterError && this.mayStartVu(t)) {
      try {
        this.issue(slot, t, t);
      } catch (err) {
        this.free.push(slot);
        this.abortWith(err);
      }
      return;
    }
    this.free.push(slot);
    if (this.plan.model === 'closed' && afterError && this.scheduling && !this.restartImmediate) {
      this.restartImmediate = setImmediate(this.restartIdleVus);
    }
    if (!this.scheduling && this.inFlight === 0) void this.finish();
  }

  private armSecondTimer(): void {
    const t = now() - this.t0;
    this.secondTimer = setTimeout(
      () => {
        this.measurements.rotate(now() - this.t0);
        this.armSecondTimer();
      },
      1001 - (t % 1000),
    );
  }

  private stopScheduling(reason: StopReason): void {
    if (!this.scheduling) return;
    this.scheduling = false;
    this.stopReason = reason;
    this.clearTimers();
    if (this.inFlight === 0) {
      void this.finish();
      return;
    }
    const t = now() - this.t0;
    const graceMs = reason === 'aborted' ? 0 : Math.max(0, Math.min(this.graceMs, this.hardEnd - t));
    this.graceTimer = setTimeout(this.cut, graceMs);
  }

  /** Ends requests still in flight: they count as interrupted, neither response nor error. */
  private readonly cut = (): void => {
    this.graceTimer = undefined;
    if (this.finished || this.inFlight === 0) return;
    this.cutting = true;
    this.pool.destroy().catch(() => undefined);
  };

  private readonly onAbort = (): void => {
    if (this.finished) return;
    if (this.scheduling) this.stopScheduling('aborted');
    else {
      this.stopReason = 'aborted';
      clearTimeout(this.graceTimer);
      this.cut();
    }
  };

  private abortWith(err: unknown): void {
    this.fatal ??= err;
    if (this.scheduling) this.stopScheduling('aborted');
    this.cut();
  }

  private clearTimers(): void {
    clearTimeout(this.wakeTimer);
    clearImmediate(this.wakeImmediate);
    clearTimeout(this.endTimer);
    clearImmediate(this.restartImmediate);
    this.wakeTimer = this.endTimer = undefined;
    this.wakeImmediate = this.restartImmediate = undefined;
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const endedAt = now() - this.t0;
    this.clearTimers();
    clearTimeout(this.secondTimer);
    clearTimeout(this.graceTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    const m = this.measurements;
    try {
      m.rotate(endedAt);
      m.close();
      const { histograms, stats } = m.export();
      const result: EngineResult = {
        executor: this.options.scenario.load.executor,
        model: this.plan.model,
        startedAt: this.startedAt,
        durationS: Math.round(endedAt) / 1000,
        stopReason: this.stopReason,
        interrupted: this.stopReason === 'aborted',
        totals: {
          intended: m.sent + m.dropped,
          sent: m.sent,
          requests: m.responses + m.errors,
          responses: m.responses,
          errors: m.errors,
          failed: m.failed,
          dropped: m.dropped,
          interrupted: m.interrupted,
        },
        byStatus: m.statusCounts(),
        errorsByCode: Object.fromEntries(m.errorCodes),
        byTag: m.tagCounts(),
        timeseries: m.timeseries,
        fineSeries: m.fine.finish(endedAt),
        histograms,
        stats,
        transport: { connections: this.connections, pipelining: this.pipelining, slots: this.slots },
      };
      await (this.cutting ? this.pool.destroy() : this.pool.close()).catch(() => undefined);
      if (this.fatal !== undefined) this.failRun(this.fatal);
      else this.done(result);
    } catch (err) {
      this.failRun(err);
    } finally {
      m.destroy();
    }
  }
}

/**
 * Runs one scenario against one origin and returns what it measured. Open-model executors start
 * requests at times fixed in advance and measure latency from those times (coordinated-omission
 * corrected; the uncorrected figure is kept); an arrival finding every slot busy is dropped and
 * counted, never queued. Stops at the executor's end, at a hard bound, or on abort, and always
 * resolves with what was measured until then.
 */
export async function runLoad(options: LoadOptions): Promise<EngineResult> {
  const callStart = now();
  const origin = targetOrigin(options.origin);
  const plan = planRun(options.scenario.load);
  return new LoadRun(options, plan, origin).run(callStart);
}

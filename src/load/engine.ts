import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { planRun, type RunPlan } from './arrivals.js';
import {
  type DispatchEnd,
  DispatchRun,
  type DispatchSetup,
  type RequestSpec,
  type StopReason,
} from './dispatch-run.js';
import { parseDuration } from './duration.js';
import type { Progress, TagCounts, TimePoint } from './measurements.js';
import { type PortableRequests, portableResolver } from './portable-requests.js';
import { type Classify, type Recorded, Recorder } from './recorder.js';
import type { Executor, RequestTemplate, Scenario } from './scenario.js';
import { type WorkerData, WorkerRun } from './worker-run.js';

export type { RequestSpec, StopReason } from './dispatch-run.js';
export type { PortableRequests } from './portable-requests.js';
export type { ResponseMeta } from './recorder.js';
export type { Progress, TagCounts, TimePoint };

export interface LoadOptions {
  /** `http://host:port` of the target; the only place traffic goes. */
  origin: string;
  scenario: Scenario;
  /**
   * Turns a template into the i-th request. Returning the same object again (identity) skips its
   * validation, so a constant request costs nothing per call.
   */
  resolveRequest?: (template: RequestTemplate, i: number) => RequestSpec;
  /**
   * The same requests as data (see PortableRequests): what lets the run spread over worker
   * threads, which a function cannot reach. Give this or resolveRequest.
   */
  requests?: PortableRequests;
  /**
   * Threads that send (each with its own sockets and share of the schedule). Default, when
   * `requests` is given and the run is fast enough to need them: one per core but one (this
   * thread records; see workersFor), so this thread alone on 2 cores.
   */
  workers?: number;
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
   * How close (ms) an arrival must be before the open-model loop stops sleeping on a timer and
   * waits turn by turn; a timer never covers less than a whole ms, so a shorter wait is all turns
   * (see DispatchRun.tick). More is more punctual and burns more CPU. Default 0.25.
   */
  spinMs?: number;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /**
   * Tags a response ('hit', 'miss'); latency and statuses are then kept per tag (`tag:hit`), and
   * counted per second in the time series. `meta` is reused by the next request: copy what you keep.
   */
  classify?: Classify;
  /** Body bytes kept for classify(); default 0: bodies are read and thrown away. */
  classifyBodyBytes?: number;
  /**
   * 'raw' (the default for http: origins): requests go out on node:net sockets with a parser of
   * the engine's own (raw-pool.ts), undici only for a request it cannot write, or that is not a
   * GET or HEAD when pipelining; 'undici': undici's Pool for everything (the default for https:).
   */
  transport?: 'raw' | 'undici';
}

export interface EngineResult extends Recorded {
  executor: Executor['executor'];
  model: 'open' | 'closed';
  startedAt: string;
  /** From the first scheduled start to the end of the drain. */
  durationS: number;
  stopReason: StopReason;
  /** True when the signal stopped the run: what was measured until then is still valid. */
  interrupted: boolean;
  /** Totals over every thread; `workers`: the threads that sent (1: this one). */
  transport: { connections: number; pipelining: number; slots: number; workers: number };
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

const now = (): number => performance.now();

/**
 * Requests/s (open model) or VUs (closed) one thread carries before another one pays off. An
 * open-model thread waits for its arrivals turn by turn, so it keeps a core busy whatever its
 * share of the rate: one more costs a core that the target may need (on the bench's 2 cores,
 * start lag p99 at 10,000 and 20,000/s was several times worse on two workers than on one
 * thread). One thread sends and records 20,000/s with room to spare; workers are for more.
 */
const RATE_PER_WORKER = 20_000;
const VUS_PER_WORKER = 32;
/** Worker threads hear of the start by message: the start is set this far ahead, so the first arrivals are not late. */
const WORKER_LEAD_MS = 20;

/** What the engine drives: this thread's DispatchRun, or a WorkerRun over several threads. */
interface Runner {
  ready(): Promise<void>;
  start(t0: number, hardEnd: number): Promise<DispatchEnd>;
  abort(): void;
  abortWith(err: unknown): void;
  /** Frees a runner that never started, or has ended. */
  close(): Promise<void>;
}

function workersFor(options: LoadOptions, plan: RunPlan, most: number): number {
  if (options.workers !== undefined) {
    const asked = positiveInt(options.workers, 'workers');
    if (asked > 1 && !options.requests)
      throw new Error('workers above 1 need the requests as data (requests), not a resolveRequest function');
    return Math.min(asked, most);
  }
  if (!options.requests) return 1;
  // The main thread records every worker's observations: it keeps a core to itself. On 2 cores
  // one thread alone then sends; measured against nginx on loopback, two workers and the
  // replaying main thread took 23 µs of CPU per request where one thread took 14 (raw transport,
  // 50 connections; undici at pipelining 10: 20-28 against 12-18), and sent less.
  const spare = availableParallelism() - 1;
  const want =
    plan.model === 'open'
      ? Math.ceil(plan.expected / (plan.durationMs / 1000) / RATE_PER_WORKER)
      : Math.ceil(plan.capacity / VUS_PER_WORKER);
  return Math.max(1, Math.min(spare, want, most));
}

/** Worker w's part of `total`, split as evenly as whole numbers allow. */
const part = (total: number, w: number, of: number): number =>
  Math.floor(total / of) + (w < total % of ? 1 : 0);

/**
 * Runs one scenario against one origin and returns what it measured. Open-model executors start
 * requests at times fixed in advance and measure latency from those times (coordinated-omission
 * corrected; the uncorrected figure is kept); an arrival finding every slot busy is dropped and
 * counted, never queued. Stops at the executor's end, at a hard bound, or on abort, and always
 * resolves with what was measured until then.
 *
 * A fast run spreads over worker threads (see LoadOptions.workers): each sends its share of the
 * arrivals (every n-th one of the same schedule) on its own sockets, with its own share of the
 * in-flight slots, so an arrival is dropped when its thread has no free slot. Every measurement is
 * made on this thread from the workers' observations, in time order: histograms, series and the
 * findings' classify() are exactly what one thread would have recorded from the same responses.
 */
export async function runLoad(options: LoadOptions): Promise<EngineResult> {
  const callStart = now();
  const origin = targetOrigin(options.origin);
  const { scenario, limits, signal } = options;
  const plan = planRun(scenario.load);
  if (!(limits.maxDurationS > 0))
    throw new Error(`limits.maxDurationS must be positive, got ${limits.maxDurationS}`);
  const maxRequests = Math.min(
    positiveInt(limits.maxRequests, 'limits.maxRequests'),
    scenario.maxRequests === undefined
      ? Number.POSITIVE_INFINITY
      : positiveInt(scenario.maxRequests, 'maxRequests'),
  );
  const pipelining = positiveInt(options.pipelining ?? 1, 'pipelining');
  const slots = plan.capacity;
  const connections = positiveInt(options.connections ?? Math.ceil(slots / pipelining), 'connections');
  const graceMs = (options.gracefulStopS ?? 5) * 1000;
  if (!(graceMs >= 0)) throw new Error(`gracefulStopS must be 0 or more, got ${options.gracefulStopS}`);
  if (!options.resolveRequest === !options.requests)
    throw new Error('give the engine resolveRequest or requests, one of them');
  const order = templateOrder(scenario.requests);
  const workers = workersFor(options, plan, Math.min(slots, connections));
  const rawFits = origin.protocol === 'http:';
  if (options.transport === 'raw' && !rawFits) throw new Error('the raw transport takes http: origins only');
  const common = {
    origin: origin.origin,
    host: origin.host,
    templates: scenario.requests,
    order,
    pipelining,
    graceMs,
    timeoutMs: options.timeoutMs ?? 10_000,
    spinMs: options.spinMs ?? 0.25,
    classifyBodyBytes: options.classify ? (options.classifyBodyBytes ?? 0) : -1,
    transport: options.transport ?? (rawFits ? 'raw' : 'undici'),
  };
  const share = (w: number) => ({
    ...common,
    share: { index: w, of: workers },
    slots: part(slots, w, workers),
    connections: part(connections, w, workers),
    maxRequests: Number.isFinite(maxRequests) ? part(maxRequests, w, workers) : maxRequests,
  });
  const resolveRequest = options.resolveRequest;
  const single = (): DispatchSetup => ({
    ...share(0),
    resolveRequest: resolveRequest ?? portableResolver(options.requests as PortableRequests, scenario, 0),
  });

  let runner: Runner | undefined;
  let fatal: unknown;
  const abortWith = (err: unknown) => {
    fatal ??= err;
    runner?.abortWith(err);
  };
  const onProgress = options.onProgress;
  const progress =
    onProgress &&
    ((p: Progress) => {
      try {
        onProgress(p);
      } catch (err) {
        abortWith(err);
      }
    });
  // Histograms hold WebAssembly memory: the recorder comes once nothing above can throw.
  const recorder = new Recorder(scenario, options.classify, progress, plan.durationMs / 1000, abortWith);
  let secondTimer: NodeJS.Timeout | undefined;
  try {
    runner =
      workers === 1
        ? new DispatchRun(single(), plan, recorder)
        : new WorkerRun(
            Array.from(
              { length: workers },
              (_, w): WorkerData => ({
                setup: share(w),
                scenario,
                requests: options.requests as PortableRequests,
              }),
            ),
            recorder,
          );
    const started = runner;
    try {
      await started.ready();
    } catch (err) {
      await started.close();
      throw err;
    }
    const hardEnd = callStart + limits.maxDurationS * 1000;
    const idleMs = scenario.idleBefore ? parseDuration(scenario.idleBefore) : 0;
    if (idleMs > 0 && !signal?.aborted) {
      await sleep(Math.min(idleMs, hardEnd - now()), undefined, { signal }).catch(() => undefined);
    }
    const lead = workers > 1 ? WORKER_LEAD_MS : 0;
    const t0 = now() + lead;
    const startedAt = new Date(Date.now() + lead).toISOString();
    let end: DispatchEnd;
    if (signal?.aborted) {
      await started.close();
      end = { stopReason: 'aborted', endedAt: 0 };
    } else {
      const rotate = () => {
        const t = now() - t0;
        recorder.rotate(t);
        secondTimer = setTimeout(rotate, 1001 - (t % 1000));
      };
      secondTimer = setTimeout(rotate, 1001 + lead);
      signal?.addEventListener('abort', started.abort);
      try {
        end = await started.start(t0, hardEnd - t0);
      } finally {
        clearTimeout(secondTimer);
        signal?.removeEventListener('abort', started.abort);
        await started.close();
      }
    }
    if (end.fatal !== undefined) fatal ??= end.fatal;
    if (fatal !== undefined) throw fatal;
    return {
      executor: scenario.load.executor,
      model: plan.model,
      startedAt,
      durationS: Math.round(end.endedAt) / 1000,
      stopReason: end.stopReason,
      interrupted: end.stopReason === 'aborted',
      ...recorder.finish(end.endedAt),
      transport: { connections, pipelining, slots, workers },
    };
  } finally {
    recorder.destroy();
  }
}

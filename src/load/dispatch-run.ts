import type { Socket } from 'node:net';
import { buildConnector, type Dispatcher, Pool } from 'undici';
import type { RunPlan } from './arrivals.js';
import { type RawHandler, RawPool } from './raw-pool.js';
import type { Observer } from './recorder.js';
import { checkOrigin, requestBytes } from './request-bytes.js';
import type { RequestTemplate } from './scenario.js';

/** One request as the engine sends it: a path on the run's origin, never a URL. */
export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string> | string[];
  body?: string | Buffer;
}

export type StopReason = 'completed' | 'max-duration' | 'max-requests' | 'aborted';

/** One thread's part of a run: its share of the schedule, its own sockets. */
export interface DispatchSetup {
  /** `http://host:port`, already checked. */
  origin: string;
  host: string;
  templates: readonly RequestTemplate[];
  /** Template indexes in the weighted round-robin order. */
  order: readonly number[];
  resolveRequest: (template: RequestTemplate, i: number) => RequestSpec;
  /** This thread takes arrivals (open model) or request indexes (closed) `index`, `index + of`, … */
  share: { index: number; of: number };
  slots: number;
  connections: number;
  pipelining: number;
  maxRequests: number;
  graceMs: number;
  timeoutMs: number;
  spinMs: number;
  /** Raw headers and up to this many body bytes are kept for the classifier; -1: no classifier. */
  classifyBodyBytes: number;
  /**
   * 'raw': raw-pool.ts for every request it can write (undici for the rest, and for all but GET
   * and HEAD when pipelining); 'undici': undici's Pool alone. The engine takes raw for http:.
   */
  transport: 'raw' | 'undici';
}

export interface DispatchEnd {
  stopReason: StopReason;
  /** ms since the run's start, when the last request finished or was cut. */
  endedAt: number;
  fatal?: unknown;
}

/** Arrivals issued in one turn at most, so a late loop catches up without starving I/O. */
const MAX_BATCH = 1024;

const now = (): number => performance.now();

const uncork = (socket: Socket): void => socket.uncork();

/**
 * Corks a socket while undici parses what it just read, so the requests that closed-loop VUs
 * start from those responses leave in one write instead of one system call each (with pipelining:
 * a socket's several responses start several requests on it). Runs before
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
 * One in-flight slot, reused request after request: the handler of either transport, with the
 * request's timing on it. undici 7 still runs its core on this handler interface (onConnect/
 * onHeaders/onData/onComplete/onError) and wraps handlers of the newer controller interface in
 * two extra objects plus a parsed header object per request, so this one stays allocation-free
 * on the hot path.
 */
class Slot implements Dispatcher.DispatchHandler, RawHandler {
  template = 0;
  intended = 0;
  connected = 0;
  status = 0;
  headers: string[] | null = null;
  body: Buffer[] | null = null;
  bodyLength = 0;

  constructor(private readonly run: DispatchRun) {}

  onConnect(): void {
    this.connected = now() - this.run.t0;
  }

  onWritten(): void {
    this.connected = now() - this.run.t0;
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    // 1xx responses are followed by the final one.
    if (status >= 200) {
      this.status = status;
      if (this.run.keepHeaders) this.headers = rawHeaders.map((b) => b.toString('latin1'));
    }
    return true;
  }

  onResponse(status: number, headers: string[] | null, body: Buffer[] | null, bodyLength: number): void {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.bodyLength = bodyLength;
    this.run.completed(this);
  }

  onFailure(code: string): void {
    this.run.failed(this, code);
  }

  onData(chunk: Buffer): boolean {
    const room = this.run.bodyBytes - this.bodyLength;
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
    this.run.failed(this, (err as NodeJS.ErrnoException).code ?? err.name);
  }
}

/**
 * Sends one thread's share of a run and reports every start, drop, response and error to its
 * observer: the scheduler and the dispatch path, with no measurement of its own.
 */
export class DispatchRun {
  t0 = 0;
  readonly keepHeaders: boolean;
  readonly bodyBytes: number;
  private readonly pool: Pool;
  private readonly raw: RawPool | undefined;
  private readonly free: Slot[] = [];
  private readonly clock: Extract<RunPlan, { model: 'open' }>['clock'] | undefined;
  private hardEnd = 0;
  private inFlight = 0;
  private sent = 0;
  private nextAt = 0;
  /** Open model: the global index of the arrival at nextAt; closed: this thread's own count. */
  private arrival = 0;
  private scheduling = true;
  private cutting = false;
  private finished = false;
  private stopReason: StopReason = 'completed';
  private fatal: unknown;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeImmediate: NodeJS.Immediate | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private restartImmediate: NodeJS.Immediate | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private lastSpec: RequestSpec | undefined;
  private lastDispatch: Dispatcher.DispatchOptions | undefined;
  /** lastSpec on the wire, when the raw transport sends it. */
  private lastBytes: Buffer | undefined;
  private began = false;
  private done!: (end: DispatchEnd) => void;
  private readonly ended = new Promise<DispatchEnd>((resolve) => {
    this.done = resolve;
  });

  constructor(
    private readonly setup: DispatchSetup,
    private readonly plan: RunPlan,
    private readonly observer: Observer,
  ) {
    this.keepHeaders = setup.classifyBodyBytes >= 0;
    this.bodyBytes = Math.max(0, setup.classifyBodyBytes);
    this.clock = plan.model === 'open' ? plan.clock : undefined;
    this.pool = new Pool(setup.origin, {
      connections: setup.connections,
      pipelining: setup.pipelining,
      headersTimeout: setup.timeoutMs,
      bodyTimeout: setup.timeoutMs,
      // One request per socket at a time leaves nothing to gather into one write: the cork would
      // only add a tick per read.
      connect: setup.pipelining > 1 ? corkingConnector(setup.timeoutMs) : { timeout: setup.timeoutMs },
    });
    if (setup.transport === 'raw') {
      const { hostname, port } = new URL(setup.origin);
      this.raw = new RawPool({
        host: hostname.replace(/^\[|\]$/g, ''),
        port: Number(port || 80),
        connections: setup.connections,
        pipelining: setup.pipelining,
        timeoutMs: setup.timeoutMs,
        keepHeaders: this.keepHeaders,
        keepBody: this.bodyBytes,
      });
    }
    for (let i = 0; i < setup.slots; i++) this.free.push(new Slot(this));
  }

  /**
   * Starts at `t0` (performance.now() of this thread, possibly a little ahead) and stops starting
   * requests at `hardEnd` ms after it at the latest. Resolves once every request has finished or
   * been cut, and the sockets are closed.
   */
  start(t0: number, hardEnd: number): Promise<DispatchEnd> {
    if (!this.scheduling) return this.ended;
    this.began = true;
    this.t0 = t0;
    this.hardEnd = hardEnd;
    if (this.clock) {
      this.arrival = this.setup.share.index;
      // The shared schedule, every `of`-th arrival of it: threads interleave, so each keeps the
      // whole run's shape at its share of the rate.
      for (let k = 0; k <= this.setup.share.index; k++) this.nextAt = this.clock.next();
      this.tick();
    } else {
      const wait = t0 - now();
      this.endTimer = setTimeout(this.startVus, Math.max(0, wait));
    }
    return this.ended;
  }

  /** Sockets open lazily: nothing to wait for. */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  /** A run that never started closes its pool; one that started has closed it already. */
  async close(): Promise<void> {
    if (!this.began) this.abort();
    await this.ended;
  }

  /**
   * The open-model loop: issues every arrival whose intended time has come, then waits for the
   * next. Punctual starts come from three choices made here:
   * - Timers have millisecond resolution and fire up to a turn late, so a timer only covers the
   *   wait up to spinMs before the arrival, rounded down to whole ms; a wait shorter than a whole
   *   ms is never a timer. The rest is covered turn by turn (setImmediate), which polls I/O
   *   between turns without blocking it: the start lag is then the length of one turn of the loop.
   *   It costs a busy thread at rates above about 1,000/s, which the rate needs anyway.
   * - Turns are kept short: in a multi-threaded run this thread does no measurement at all (the
   *   main thread records, see worker-run.ts), and each thread carries only its share of the rate.
   * - Every arrival due is issued in the turn it falls due (up to MAX_BATCH), so a late turn
   *   catches up at once instead of drifting.
   * The lag left is measured (`lag`) and counted in the corrected latency.
   */
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
      const sleepMs = Math.floor(Math.min(this.nextAt, this.hardEnd) - (now() - this.t0) - this.setup.spinMs);
      if (sleepMs >= 1) this.wakeTimer = setTimeout(this.tick, sleepMs);
      else this.wakeImmediate = setImmediate(this.tick);
    } catch (err) {
      this.abortWith(err);
    }
  };

  /** Each due arrival takes a free slot or is dropped; returns why scheduling must end, if it must. */
  private issueDueArrivals(t: number): StopReason | undefined {
    const clock = this.clock as NonNullable<typeof this.clock>;
    const of = this.setup.share.of;
    for (let issued = 0; this.nextAt <= t && issued < MAX_BATCH; issued++) {
      if (t >= this.hardEnd) return 'max-duration';
      if (this.sent >= this.setup.maxRequests) return 'max-requests';
      const slot = this.free.pop();
      if (slot) this.issue(slot, this.arrival, this.nextAt, t, true);
      else this.observer.dropped(t);
      for (let k = 0; k < of; k++) this.nextAt = clock.next();
      this.arrival += of;
    }
    if (this.nextAt === Number.POSITIVE_INFINITY) return 'completed';
    if (t >= this.hardEnd) return 'max-duration';
    return undefined;
  }

  private readonly startVus = (): void => {
    this.endTimer = undefined;
    const t = now() - this.t0;
    try {
      while (this.free.length > 0 && this.mayStartVu(t)) this.issueVu(this.free.pop() as Slot, t);
      if (this.scheduling) {
        this.endTimer = setTimeout(
          this.vusEnd,
          Math.max(0, Math.min(this.plan.durationMs, this.hardEnd) - t),
        );
      }
    } catch (err) {
      this.abortWith(err);
    }
  };

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
    if (this.sent >= this.setup.maxRequests) {
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
      while (this.free.length > 0 && this.mayStartVu(t)) this.issueVu(this.free.pop() as Slot, t);
    } catch (err) {
      this.abortWith(err);
    }
  };

  private issueVu(slot: Slot, t: number): void {
    const { index, of } = this.setup.share;
    this.issue(slot, this.arrival++ * of + index, t, t, false);
  }

  private issue(slot: Slot, i: number, intended: number, t: number, open: boolean): void {
    const { order, templates } = this.setup;
    const template = order[i % order.length] as number;
    const spec = this.setup.resolveRequest(templates[template] as RequestTemplate, i);
    if (spec !== this.lastSpec) {
      checkOrigin(spec, this.setup.host);
      // Only idempotent requests may queue behind one another on a socket (undici holds others back).
      const rawFits = this.setup.pipelining === 1 || spec.method === 'GET' || spec.method === 'HEAD';
      this.lastBytes = this.raw && rawFits ? requestBytes(spec, this.setup.host) : undefined;
      this.lastDispatch = this.lastBytes ? undefined : this.dispatchOptions(spec);
      this.lastSpec = spec;
    }
    slot.template = template;
    slot.intended = intended;
    slot.connected = t;
    slot.status = 0;
    slot.headers = null;
    slot.body = null;
    slot.bodyLength = 0;
    this.inFlight++;
    this.sent++;
    if (open) this.observer.dispatched(t, intended);
    else this.observer.started(t);
    // The slot's start time is t, set above, should it go out at once on a connected socket.
    if (this.lastBytes) (this.raw as RawPool).dispatch(this.lastBytes, spec.method === 'HEAD', slot, true);
    else this.pool.dispatch(this.lastDispatch as Dispatcher.DispatchOptions, slot);
  }

  private dispatchOptions(spec: RequestSpec): Dispatcher.DispatchOptions {
    const { method, path, headers, body } = spec;
    const idempotent = method === 'GET' || method === 'HEAD';
    // undici treats every non-HEAD request as blocking (no pipelining behind it) unless told otherwise.
    return {
      method,
      path,
      headers,
      body,
      blocking: idempotent && this.setup.pipelining > 1 ? false : undefined,
    };
  }

  completed(slot: Slot): void {
    const t = now() - this.t0;
    const body =
      this.keepHeaders && slot.body ? Buffer.concat(slot.body, slot.bodyLength).toString('utf8') : undefined;
    this.observer.response(slot.template, slot.status, slot.intended, slot.connected, t, slot.headers, body);
    this.release(slot, t, false);
  }

  failed(slot: Slot, code: string): void {
    const t = now() - this.t0;
    if (this.cutting) this.observer.interrupted();
    else this.observer.error(slot.template, code, slot.intended, t);
    this.release(slot, t, true);
  }

  private release(slot: Slot, t: number, afterError: boolean): void {
    this.inFlight--;
    slot.headers = null;
    slot.body = null;
    if (this.plan.model === 'closed' && !afterError && this.mayStartVu(t)) {
      try {
        this.issueVu(slot, t);
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
    const graceMs = reason === 'aborted' ? 0 : Math.max(0, Math.min(this.setup.graceMs, this.hardEnd - t));
    this.graceTimer = setTimeout(this.cut, graceMs);
  }

  /** Ends requests still in flight: they count as interrupted, neither response nor error. */
  private readonly cut = (): void => {
    this.graceTimer = undefined;
    if (this.finished || this.inFlight === 0) return;
    this.cutting = true;
    this.pool.destroy().catch(() => undefined);
    void this.raw?.destroy();
  };

  /** The caller's signal, or another thread's failure: stop starting, cut what is in flight. */
  readonly abort = (): void => {
    if (this.finished) return;
    if (this.scheduling) this.stopScheduling('aborted');
    else {
      this.stopReason = 'aborted';
      clearTimeout(this.graceTimer);
      this.cut();
    }
  };

  abortWith(err: unknown): void {
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
    const endedAt = this.began ? now() - this.t0 : 0;
    this.clearTimers();
    clearTimeout(this.graceTimer);
    await Promise.all([
      (this.cutting ? this.pool.destroy() : this.pool.close()).catch(() => undefined),
      this.cutting ? this.raw?.destroy() : this.raw?.close(),
    ]);
    this.done({
      stopReason: this.stopReason,
      endedAt,
      ...(this.fatal !== undefined && { fatal: this.fatal }),
    });
  }
}

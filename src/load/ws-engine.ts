import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createHistogram, encodeHistogram, type Histogram } from './histograms.js';
import type { Progress } from './measurements.js';
import { type WsSecond, WsSeries } from './ws-series.js';

/**
 * The WebSocket load executor: opens connections at intended times (an open model: a late
 * connection's latency counts from when it was meant to start), holds them all open together until
 * a common end, each sending round-trip messages at a fixed rate, pushes to open connections through the @connections API,
 * and closes them. Every loop is bounded by the arrivals and a hard time limit.
 */

export interface WsLoadInput {
  /** Where each connection goes, with what its $connect authorization needs. */
  connect: { url: string; headers: Record<string, string> };
  /** Milliseconds from the start to the next connection's intended start; Infinity when none is left. */
  nextArrival: () => number;
  /** Connections open (or opening) at once at most; an arrival past it is dropped and counted. */
  maxConnections: number;
  /** When every connection closes, in milliseconds from the start: the end of the arrivals plus the hold. */
  closeAtMs: number;
  /** Between two messages of a connection; undefined: none. */
  messageIntervalMs: number | undefined;
  /** Between two pushes; undefined: none. */
  pushIntervalMs: number | undefined;
  /** Sends `body` to a connection through @connections, resolving with the HTTP status. */
  push: (connectionId: string, body: string) => Promise<number>;
  timeoutMs: number;
  maxDurationS: number;
  signal?: AbortSignal;
  /** For the progress bar's total: the arrivals and one hold. */
  plannedS: number;
  /** Four times a second: messages sent, upgrade and push statuses so far, connections open as `inFlight`. */
  onProgress?: (progress: Progress) => void;
}

export interface WsEngineResult {
  startedAt: string;
  durationS: number;
  stopReason: 'done' | 'time-limit' | 'interrupted';
  /** Compressed HDR histograms in microseconds: `all` (round trip, from the intended send), `uncorrected`, `ws_connecting`, `ws_push`. */
  histograms: Record<string, string>;
  connections: {
    attempted: number;
    opened: number;
    /** Refused before the upgrade, by HTTP status. */
    refusedByStatus: Record<string, number>;
    /** Failed without an HTTP answer (reset, timeout). */
    failed: number;
    /** Arrivals that found `maxConnections` already open. */
    dropped: number;
    /** Open for the whole hold, then closed by the client. */
    held: number;
    peakOpen: number;
    /** Closed by the gateway before the hold ended, by close code. */
    closedByGateway: Record<string, number>;
  };
  messages: { sent: number; answered: number; unanswered: number };
  pushes: {
    sent: number;
    byStatus: Record<string, number>;
    errors: number;
    delivered: number;
    undelivered: number;
    /** Arrived on a connection they were not sent to. */
    misdelivered: number;
  };
  timeseries: WsSecond[];
}

/** A push must reach a connection that stays open at least this long after it is sent. */
const PUSH_MARGIN_MS = 1000;
/** At the end of its hold, a connection waits this long at most for its last replies and pushes. */
const DRAIN_MS = 1000;
const UNEXPECTED = /Unexpected server response: (\d{3})/;

interface Client {
  socket: WebSocket;
  id?: string;
  closeAt: number;
  /** Messages in flight by sequence number: intended and actual send times. */
  pending: Map<number, { intended: number; sent: number }>;
  pushes: Set<number>;
  closing: boolean;
  timer?: NodeJS.Timeout;
}

export async function runWebSocketLoad(input: WsLoadInput): Promise<WsEngineResult> {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const startedAt = new Date().toISOString();
  const connectH = createHistogram();
  const roundTripH = createHistogram();
  const uncorrectedH = createHistogram();
  const pushH = createHistogram();
  const series = new WsSeries();
  const result: Omit<WsEngineResult, 'startedAt' | 'durationS' | 'stopReason' | 'histograms' | 'timeseries'> =
    {
      connections: {
        attempted: 0,
        opened: 0,
        refusedByStatus: {},
        failed: 0,
        dropped: 0,
        held: 0,
        peakOpen: 0,
        closedByGateway: {},
      },
      messages: { sent: 0, answered: 0, unanswered: 0 },
      pushes: { sent: 0, byStatus: {}, errors: 0, delivered: 0, undelivered: 0, misdelivered: 0 },
    };
  const c = result.connections;
  const live = new Set<Client>();
  const sockets = new Set<WebSocket>();
  let opening = 0;
  let arrivalsDone = false;
  let pushesInFlight = 0;
  const pushIntended = new Map<number, number>();
  let pushSeq = 0;
  let stopReason: WsEngineResult['stopReason'] = 'done';
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const record = (h: Histogram, ms: number) => h.recordValue(Math.max(1, Math.round(ms * 1000)));
  const bump = (counts: Record<string, number>, key: string | number) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const maybeDone = () => {
    if (arrivalsDone && opening === 0 && live.size === 0 && pushesInFlight === 0) finish();
  };

  function onFrame(client: Client, data: string) {
    const at = now();
    let frame: { gpPush?: number; body?: string; headers?: Record<string, string> };
    try {
      frame = JSON.parse(data) as typeof frame;
    } catch {
      return;
    }
    if (typeof frame.gpPush === 'number') {
      const intended = pushIntended.get(frame.gpPush);
      if (!client.pushes.delete(frame.gpPush)) {
        result.pushes.misdelivered++;
        return;
      }
      if (intended === undefined) return;
      pushIntended.delete(frame.gpPush);
      result.pushes.delivered++;
      record(pushH, at - intended);
      return;
    }
    // A route response: the probe's echo of the message, with the connection id the integration saw.
    client.id ??= frame.headers?.['x-gp-connection-id'];
    let seq: number | undefined;
    try {
      seq = (JSON.parse(frame.body ?? '') as { seq?: number }).seq;
    } catch {
      return;
    }
    const sent = seq === undefined ? undefined : client.pending.get(seq);
    if (!sent || seq === undefined) return;
    client.pending.delete(seq);
    result.messages.answered++;
    record(roundTripH, at - sent.intended);
    record(uncorrectedH, at - sent.sent);
    series.at(at).roundTrip(at - sent.intended);
  }

  function close(client: Client) {
    if (client.closing) return;
    client.closing = true;
    clearTimeout(client.timer);
    const started = now();
    // The last replies and pushes get a moment to arrive, so they are not counted as lost.
    const drain = () => {
      if ((client.pending.size > 0 || client.pushes.size > 0) && now() - started < DRAIN_MS) {
        client.timer = setTimeout(drain, 20);
        return;
      }
      client.socket.close(1000);
    };
    drain();
  }

  function sendMessages(client: Client, seq: number, intended: number) {
    if (client.closing || input.messageIntervalMs === undefined) return;
    if (intended >= client.closeAt) {
      close(client);
      return;
    }
    const sentAt = now();
    // A timer may fire a little early: a message is never due after it was sent.
    client.pending.set(seq, { intended: Math.min(intended, sentAt), sent: sentAt });
    client.socket.send(JSON.stringify({ action: 'echo', seq }));
    result.messages.sent++;
    series.at(sentAt).sent++;
    const next = intended + input.messageIntervalMs;
    client.timer = setTimeout(() => sendMessages(client, seq + 1, next), Math.max(0, next - now()));
  }

  function startConnection(intended: number) {
    c.attempted++;
    if (live.size + opening >= input.maxConnections) {
      c.dropped++;
      series.at(intended).dropped++;
      return;
    }
    opening++;
    const socket = new WebSocket(input.connect.url, {
      headers: input.connect.headers,
      handshakeTimeout: input.timeoutMs,
      perMessageDeflate: false,
    });
    sockets.add(socket);
    let client: Client | undefined;
    let refused = false;
    socket.once('open', () => {
      opening--;
      const at = now();
      c.opened++;
      record(connectH, at - intended);
      const second = series.at(at);
      second.opened++;
      bump(second.byStatus, 101);
      client = { socket, closeAt: input.closeAtMs, pending: new Map(), pushes: new Set(), closing: false };
      live.add(client);
      c.peakOpen = Math.max(c.peakOpen, live.size);
      second.open = live.size;
      const own = client;
      if (input.messageIntervalMs === undefined)
        own.timer = setTimeout(() => close(own), Math.max(0, own.closeAt - at));
      // A random phase, so that connections opened together do not send together.
      else {
        const first = at + Math.random() * input.messageIntervalMs;
        own.timer = setTimeout(() => sendMessages(own, 0, first), first - at);
      }
    });
    socket.on('message', (data) => {
      if (client) onFrame(client, data.toString());
    });
    socket.on('error', (err) => {
      if (client) return;
      refused = true;
      const status = UNEXPECTED.exec(err.message)?.[1];
      if (status) {
        bump(c.refusedByStatus, status);
        bump(series.at(now()).byStatus, status);
      } else {
        c.failed++;
        series.at(now()).errors++;
      }
    });
    socket.once('close', (code) => {
      sockets.delete(socket);
      if (!client) {
        opening--;
        if (!refused) c.failed++;
        maybeDone();
        return;
      }
      const own = client;
      clearTimeout(own.timer);
      live.delete(own);
      series.at(now()).open = live.size;
      result.messages.unanswered += own.pending.size;
      result.pushes.undelivered += own.pushes.size;
      for (const seq of own.pushes) pushIntended.delete(seq);
      if (own.closing) c.held++;
      else {
        bump(c.closedByGateway, code);
        series.at(now()).closedByGateway++;
      }
      maybeDone();
    });
  }

  function pushOnce(intended: number) {
    const at = now();
    const eligible = [...live].filter(
      (cl) => cl.id !== undefined && !cl.closing && cl.closeAt - at > PUSH_MARGIN_MS,
    );
    const target = eligible[Math.floor(Math.random() * eligible.length)];
    if (!target?.id) return;
    const seq = pushSeq++;
    pushIntended.set(seq, intended);
    target.pushes.add(seq);
    result.pushes.sent++;
    pushesInFlight++;
    input
      .push(target.id, JSON.stringify({ gpPush: seq }))
      .then((status) => {
        bump(result.pushes.byStatus, status);
        bump(series.at(now()).byStatus, status);
        if (status < 200 || status > 299) {
          target.pushes.delete(seq);
          pushIntended.delete(seq);
        }
      })
      .catch(() => {
        result.pushes.errors++;
        series.at(now()).errors++;
        target.pushes.delete(seq);
        pushIntended.delete(seq);
      })
      .finally(() => {
        pushesInFlight--;
        maybeDone();
      });
  }

  // Connection arrivals: every one whose time has come starts, however late the loop woke.
  let nextAt = input.nextArrival();
  let arrivalTimer: NodeJS.Timeout | undefined;
  const arrive = () => {
    while (nextAt <= now()) {
      startConnection(nextAt);
      nextAt = input.nextArrival();
    }
    if (Number.isFinite(nextAt)) arrivalTimer = setTimeout(arrive, Math.max(0, nextAt - now()));
    else {
      arrivalsDone = true;
      maybeDone();
    }
  };
  arrive();

  let pushTimer: NodeJS.Timeout | undefined;
  if (input.pushIntervalMs !== undefined) {
    const interval = input.pushIntervalMs;
    let nextPush = interval;
    const pushLoop = () => {
      while (nextPush <= now()) {
        pushOnce(nextPush);
        nextPush += interval;
      }
      if (!arrivalsDone || live.size > 0) pushTimer = setTimeout(pushLoop, Math.max(0, nextPush - now()));
    };
    pushTimer = setTimeout(pushLoop, interval);
  }

  const progress = setInterval(() => {
    const at = now();
    input.onProgress?.({
      elapsedS: Math.floor(at / 1000),
      plannedS: input.plannedS,
      sent: result.messages.sent,
      byStatus: { ...(c.opened > 0 && { 101: c.opened }), ...c.refusedByStatus, ...result.pushes.byStatus },
      dropped: c.dropped,
      errors: c.failed + result.pushes.errors,
      inFlight: live.size,
      p99: series.at(Math.max(0, at - 1000)).percentileUs(99),
    });
  }, 250);
  const limit = setTimeout(() => {
    stopReason = 'time-limit';
    finish();
  }, input.maxDurationS * 1000);
  const onAbort = () => {
    stopReason = 'interrupted';
    finish();
  };
  input.signal?.addEventListener('abort', onAbort, { once: true });
  if (input.signal?.aborted) onAbort();

  await finished;
  clearTimeout(arrivalTimer);
  clearTimeout(pushTimer);
  clearTimeout(limit);
  clearInterval(progress);
  input.signal?.removeEventListener('abort', onAbort);
  for (const client of live) clearTimeout(client.timer);
  for (const socket of sockets) socket.terminate();
  const durationS = now() / 1000;
  try {
    return {
      ...result,
      startedAt,
      durationS: Math.round(durationS * 1000) / 1000,
      stopReason,
      histograms: {
        all: encodeHistogram(roundTripH),
        uncorrected: encodeHistogram(uncorrectedH),
        ws_connecting: encodeHistogram(connectH),
        ws_push: encodeHistogram(pushH),
      },
      timeseries: series.seconds(),
    };
  } finally {
    for (const h of [connectH, roundTripH, uncorrectedH, pushH]) h.destroy();
  }
}

import { connect, type Socket } from 'node:net';
import { INVALID, NEED_MORE, ResponseParser } from './response-parser.js';

/** What a request sent on the raw transport hears back: exactly one of onResponse and onFailure. */
export interface RawHandler {
  /** The request went out on a connected socket: the start of its uncorrected latency. */
  onWritten(): void;
  /** `headers` only when the pool keeps them; `body`: up to the pool's keepBody bytes, copied. */
  onResponse(status: number, headers: string[] | null, body: Buffer[] | null, bodyLength: number): void;
  /** A timeout, a connection error or reset, or an answer that is not HTTP: by code (undici's or llhttp's names). */
  onFailure(code: string): void;
}

export interface RawPoolOptions {
  host: string;
  port: number;
  connections: number;
  /** Requests in flight per socket: idempotent ones only beyond 1 (the caller sees to it). */
  pipelining: number;
  /** Connect, headers and body (between reads) timeout, as undici's. */
  timeoutMs: number;
  keepHeaders: boolean;
  keepBody: number;
}

/** One read buffer per pool: a read is parsed to the end before the next one lands in it. */
const READ_BUFFER = 64 * 1024;

/** One socket carrying up to `pipelining` requests at a time, answered in order. */
class Connection {
  readonly socket: Socket;
  readonly parser: ResponseParser;
  /** Requests in flight, oldest first, and whether each was a HEAD. */
  readonly handlers: RawHandler[] = [];
  private readonly heads: boolean[] = [];
  connected = false;
  /** In the pool's list of connections with room. */
  listed = false;
  /** The pool's tick at which the oldest request in flight fails with `timeoutCode`. */
  deadline = Number.POSITIVE_INFINITY;
  timeoutCode = '';

  constructor(
    private readonly pool: RawPool,
    o: RawPoolOptions,
    buffer: Buffer,
  ) {
    this.parser = new ResponseParser(o.keepHeaders, o.keepBody);
    this.socket = connect({
      host: o.host,
      port: o.port,
      noDelay: true,
      onread: { buffer, callback: (n: number, b: Buffer) => this.read(n, b) },
    });
    this.socket.on('connect', () => {
      this.connected = true;
      if (this.handlers.length === 0) return;
      this.wait('UND_ERR_HEADERS_TIMEOUT');
      // Their start time is the connection's: a new socket's connect time is not the gateway's.
      for (const h of this.handlers) h.onWritten();
    });
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err.code ?? 'UND_ERR_SOCKET'));
    this.socket.on('end', () => {
      if (this.handlers.length === 0) this.pool.retire(this);
      else if (this.parser.end()) this.complete(true);
      else this.fail(this.parser.error);
    });
    this.socket.on('close', () => this.fail('UND_ERR_SOCKET'));
  }

  /** `written`: whether the handler has its start time already, should the socket be connected. */
  send(bytes: Buffer, head: boolean, handler: RawHandler, written: boolean): void {
    this.handlers.push(handler);
    this.heads.push(head);
    this.socket.write(bytes);
    if (this.handlers.length === 1) {
      this.parser.expect(head);
      this.wait(this.connected ? 'UND_ERR_HEADERS_TIMEOUT' : 'UND_ERR_CONNECT_TIMEOUT');
    }
    if (this.connected && !written) handler.onWritten();
  }

  private wait(code: string): void {
    this.deadline = this.pool.ticks + this.pool.timeoutTicks;
    this.timeoutCode = code;
  }

  /**
   * Every answer in this read, in order. Corked while reading, so the requests the answers start
   * again on this socket leave in one write. Returns false to stop reading: a connection that
   * failed reads nothing more.
   */
  private read(n: number, b: Buffer): boolean {
    // Bytes nobody asked for: the connection can no longer be trusted to frame the next answer.
    if (this.handlers.length === 0) {
      this.pool.retire(this);
      return false;
    }
    const cork = this.pool.pipelining > 1;
    if (cork) this.socket.cork();
    let p = 0;
    try {
      while (p < n) {
        const end = this.parser.feed(b, p, n);
        if (end === NEED_MORE) {
          if (this.parser.status >= 200) this.wait('UND_ERR_BODY_TIMEOUT');
          return true;
        }
        if (end === INVALID) {
          this.fail(this.parser.error);
          return false;
        }
        // More answers than requests: this one stands, the connection goes.
        const extra = end < n && this.handlers.length === 1;
        this.complete(extra);
        if (extra || this.handlers.length === 0) return true;
        p = end;
      }
      return true;
    } finally {
      if (cork) this.socket.uncork();
    }
  }

  /** The oldest request's answer is complete; `close`: whatever the answer says, the socket goes. */
  private complete(close: boolean): void {
    const handler = this.handlers.shift() as RawHandler;
    this.heads.shift();
    const { status, headers, body, bodyLength } = this.parser;
    if (close || this.parser.close) {
      // Requests behind an answer that closes can have none.
      const behind = this.handlers.splice(0);
      this.heads.length = 0;
      this.deadline = Number.POSITIVE_INFINITY;
      this.pool.retire(this);
      handler.onResponse(status, headers, body, bodyLength);
      for (const h of behind) h.onFailure('UND_ERR_SOCKET');
      return;
    }
    if (this.handlers.length > 0) {
      this.parser.expect(this.heads[0] as boolean);
      this.wait('UND_ERR_HEADERS_TIMEOUT');
    } else this.deadline = Number.POSITIVE_INFINITY;
    this.pool.released(this);
    handler.onResponse(status, headers, body, bodyLength);
  }

  /** Every request in flight fails with `code`; the socket goes either way. */
  fail(code: string): void {
    const failed = this.handlers.splice(0);
    this.heads.length = 0;
    this.deadline = Number.POSITIVE_INFINITY;
    this.pool.retire(this);
    for (const h of failed) h.onFailure(code);
  }
}

/**
 * The raw HTTP/1.1 transport: a fixed number of sockets on node:net, each reading into one
 * static buffer (no 'data' events, no stream machinery) and parsing with response-parser.ts,
 * up to `pipelining` requests at a time per socket; a socket is filled before another opens, as
 * in undici. Sockets open lazily and reopen after an error, a reset or
 * `Connection: close`; requests beyond the free sockets wait in order, as in undici's Pool.
 * Timeouts are counted in ticks of one timer for the pool, a tenth of the timeout (at most a
 * second) apart, so the hot path reads no clock for them: a timeout fires up to two ticks late,
 * never early (undici's clock is as coarse).
 */
export class RawPool {
  /** Ticks of the timeout timer so far. */
  ticks = 0;
  /** Ticks a timeout lasts: one more than it spans, as it may start just before a tick. */
  readonly timeoutTicks: number;
  readonly pipelining: number;
  private readonly buffer = Buffer.allocUnsafe(READ_BUFFER);
  private readonly open = new Set<Connection>();
  /** Open connections with room for another request; the last one takes the next. */
  private readonly free: Connection[] = [];
  /** Waiting requests from `head` on, three entries each: bytes, head, handler. */
  private readonly waiting: (Buffer | boolean | RawHandler)[] = [];
  private head = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private destroyed = false;

  constructor(private readonly o: RawPoolOptions) {
    this.pipelining = o.pipelining;
    // 0 (or no finite timeout) turns timeouts off, as in undici.
    if (!(o.timeoutMs > 0 && Number.isFinite(o.timeoutMs))) {
      this.timeoutTicks = Number.POSITIVE_INFINITY;
      return;
    }
    const tickMs = Math.max(5, Math.min(1000, o.timeoutMs / 10));
    this.timeoutTicks = Math.ceil(o.timeoutMs / tickMs) + 1;
    this.timer = setInterval(this.expire, tickMs);
  }

  /** `written`: the handler took its start time when it called (see Connection.send). */
  dispatch(bytes: Buffer, head: boolean, handler: RawHandler, written: boolean): void {
    if (this.destroyed) {
      process.nextTick(() => handler.onFailure('UND_ERR_DESTROYED'));
      return;
    }
    const c = this.free.at(-1) ?? (this.open.size < this.o.connections ? this.connection() : undefined);
    if (!c) {
      this.waiting.push(bytes, head, handler);
      return;
    }
    c.send(bytes, head, handler, written);
    this.file(c);
  }

  /** A connection that finished a request and has room for another. */
  released(c: Connection): void {
    while (this.waiting.length > this.head && c.handlers.length < this.pipelining) this.sendWaiting(c);
    this.file(c);
  }

  /** Lists `c` among the connections with room, or takes it off. */
  private file(c: Connection): void {
    const room = c.handlers.length < this.pipelining;
    if (room === c.listed) return;
    c.listed = room;
    if (room) this.free.push(c);
    else this.unlist(c);
  }

  /** A connection that can carry nothing more: gone from the pool, its socket destroyed. */
  retire(c: Connection): void {
    if (!this.open.delete(c)) return;
    if (c.listed) this.unlist(c);
    c.listed = false;
    c.socket.destroy();
    if (this.waiting.length > this.head && !this.destroyed) this.released(this.connection());
  }

  /** Ends the pool: requests in flight or waiting fail (DispatchRun counts them as cut). */
  destroy(): Promise<void> {
    this.destroyed = true;
    clearInterval(this.timer);
    const waiting = this.waiting.splice(this.head);
    this.waiting.length = this.head = 0;
    for (const c of [...this.open]) c.fail('UND_ERR_DESTROYED');
    for (let i = 2; i < waiting.length; i += 3) (waiting[i] as RawHandler).onFailure('UND_ERR_DESTROYED');
    return Promise.resolve();
  }

  /** Ends an idle pool. */
  close(): Promise<void> {
    return this.destroy();
  }

  /** Off the list of connections with room: the last one, mostly, which pop() takes without a copy. */
  private unlist(c: Connection): void {
    const free = this.free;
    if (free[free.length - 1] === c) free.pop();
    else free.splice(free.lastIndexOf(c), 1);
  }

  private connection(): Connection {
    const c = new Connection(this, this.o, this.buffer);
    this.open.add(c);
    return c;
  }

  /** The oldest waiting request goes out on `c`; one that waited has no start time yet. */
  private sendWaiting(c: Connection): void {
    const w = this.waiting;
    const h = this.head;
    const bytes = w[h] as Buffer;
    const head = w[h + 1] as boolean;
    const handler = w[h + 2] as RawHandler;
    this.head = h + 3;
    if (this.head === w.length) w.length = this.head = 0;
    else if (this.head > 3072 && this.head * 2 > w.length) {
      w.splice(0, this.head);
      this.head = 0;
    }
    c.send(bytes, head, handler, false);
  }

  private readonly expire = (): void => {
    const tick = ++this.ticks;
    for (const c of [...this.open]) if (c.deadline <= tick) c.fail(c.timeoutCode);
  };
}

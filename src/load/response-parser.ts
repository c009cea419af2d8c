/**
 * An incremental parser of HTTP/1.1 responses for the raw transport (raw-pool.ts), fed straight
 * from a socket's reused read buffer. Written here rather than taken from a library: the
 * maintained ones (llhttp inside undici and Node) are not reachable on their own from Node 20,
 * and http-parser-js allocates per callback; this one keeps no per-response object, reads only
 * the three headers framing needs (Content-Length, Transfer-Encoding, Connection), and turns
 * header bytes into strings only when a classifier needs them. Strict where framing is at stake
 * (CRLF line ends, one Content-Length, no Content-Length beside Transfer-Encoding, bounded heads):
 * a hostile gateway gets an error code for its request, never a desynchronised connection. Codes
 * are llhttp's names for the same faults, so results read alike on either transport.
 */

/** Returned by feed() when every byte was used and the response is not complete yet. */
export const NEED_MORE = -1;
/** Returned by feed() when the bytes are not an HTTP response: `error` says why. */
export const INVALID = -2;

/** Bytes a response head (status line, headers, 1xx heads before it) or a chunk's trailers may take. */
const MAX_HEAD = 16 * 1024;

enum State {
  Idle,
  StatusLine,
  HeaderLine,
  Body,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
const COLON = 58;

/** RFC 9110 token characters, for header names. */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

/** Whether b[s, e) is `name` (lower case, letters and '-'), ignoring the case of b's letters. */
function nameIs(b: Uint8Array, s: number, e: number, name: string): boolean {
  if (e - s !== name.length) return false;
  for (let i = 0; i < name.length; i++)
    if (((b[s + i] as number) | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export class ResponseParser {
  /** The final status (1xx heads are skipped). */
  status = 0;
  /** Raw `name, value` pairs of the final head, when keepHeaders. */
  headers: string[] | null = null;
  /** Up to keepBody bytes of the body, copied out of the read buffer. */
  body: Buffer[] | null = null;
  bodyLength = 0;
  /** The connection cannot carry another request after this response. */
  close = false;
  /** Why feed() returned INVALID or end() refused. */
  error = '';

  private state = State.Idle;
  private head = false;
  private http10 = false;
  private keepAlive = false;
  private contentLength = -1;
  private chunked = false;
  private transferEncoding = false;
  /** Body or chunk bytes still to come. */
  private remaining = 0;
  private headBytes = 0;
  /** A line split across reads, gathered here until its LF arrives. */
  private readonly carry = Buffer.allocUnsafe(MAX_HEAD);
  private carried = 0;
  /** Control characters (HT aside, CR included) in the line read so far: a valid line has its final CR only. */
  private controls = 0;

  constructor(
    private readonly keepHeaders: boolean,
    private readonly keepBody: number,
  ) {}

  /** A request went out: parse its response next. `head`: it was a HEAD request (no body follows). */
  expect(head: boolean): void {
    this.state = State.StatusLine;
    this.head = head;
    this.status = 0;
    this.headers = null;
    this.body = null;
    this.bodyLength = 0;
    this.close = false;
    this.error = '';
    this.resetHead();
    this.headBytes = 0;
    this.carried = 0;
    this.controls = 0;
  }

  /** Whether a response is expected and not complete yet. */
  get busy(): boolean {
    return this.state !== State.Idle;
  }

  /**
   * Parses b[start, end). Returns where the response ended (its end offset, at most `end`),
   * NEED_MORE, or INVALID. Bytes after a complete response are not looked at: the caller decides.
   */
  feed(b: Buffer, start: number, end: number): number {
    let p = start;
    while (p < end) {
      switch (this.state) {
        case State.StatusLine:
        case State.HeaderLine:
        case State.ChunkSize:
        case State.Trailers: {
          const at = this.lineEnd(b, p, end);
          if (at < 0) return at;
          const ok = this.carried > 0 ? this.carriedLine(b, p, at) : this.line(b, p, at);
          p = at + 1;
          if (!ok) return INVALID;
          if ((this.state as State) === State.Idle) return p;
          break;
        }
        case State.Body:
        case State.ChunkData: {
          const n = Math.min(this.remaining, end - p);
          this.keep(b, p, p + n);
          p += n;
          this.remaining -= n;
          if (this.remaining > 0) break;
          if (this.state === State.Body) return this.done(p);
          this.state = State.ChunkEnd;
          this.remaining = 2;
          break;
        }
        case State.ChunkEnd: {
          if (b[p] !== (this.remaining === 2 ? CR : LF)) return this.fail('HPE_STRICT');
          p++;
          if (--this.remaining === 0) {
            this.state = State.ChunkSize;
            this.headBytes = 0;
          }
          break;
        }
        case State.UntilClose:
          this.keep(b, p, end);
          return NEED_MORE;
        case State.Idle:
          return this.fail('HPE_INVALID_CONSTANT');
      }
    }
    return NEED_MORE;
  }

  /** The peer closed: true when that completes the response (a body read until close), else `error` is set. */
  end(): boolean {
    if (this.state === State.UntilClose) {
      this.state = State.Idle;
      this.close = true;
      return true;
    }
    // undici's code for an answer cut short by the peer's close, whether it had begun or not.
    this.error = 'UND_ERR_SOCKET';
    return false;
  }

  private resetHead(): void {
    this.http10 = false;
    this.keepAlive = false;
    this.contentLength = -1;
    this.chunked = false;
    this.transferEncoding = false;
  }

  private fail(code: string): number {
    this.error = code;
    this.controls = 0;
    this.state = State.Idle;
    return INVALID;
  }

  /** fail() for the line parsers, which answer whether the line was valid. */
  private refuse(code: string): false {
    this.fail(code);
    return false;
  }

  private done(p: number): number {
    this.state = State.Idle;
    return p;
  }

  private keep(b: Buffer, s: number, e: number): void {
    const room = this.keepBody - this.bodyLength;
    if (room <= 0 || e <= s) return;
    // A copy: the read buffer is reused by the next read.
    const kept = Buffer.from(b.subarray(s, Math.min(e, s + room)));
    if (this.body) this.body.push(kept);
    else this.body = [kept];
    this.bodyLength += kept.length;
  }

  /** The LF ending the line that starts at p, or NEED_MORE after keeping the partial line, or INVALID. */
  private lineEnd(b: Buffer, p: number, end: number): number {
    // One pass finds the LF and counts control characters, so no parser looks at a byte twice;
    // a loop, not Buffer.indexOf: a head's lines are short, and a call into C++ costs more.
    let at = p;
    let controls = this.controls;
    for (; at < end; at++) {
      const c = b[at] as number;
      if (c === LF) break;
      if (c < 32 ? c !== HT : c === 127) controls++;
    }
    this.controls = controls;
    const found = at < end;
    const taken = (found ? at + 1 : end) - p;
    this.headBytes += taken;
    if (this.headBytes > MAX_HEAD) return this.fail('HPE_HEADER_OVERFLOW');
    if (found) return at;
    b.copy(this.carry, this.carried, p, end);
    this.carried += taken;
    return NEED_MORE;
  }

  /** A line begun in an earlier read: completed in the carry, and parsed there. */
  private carriedLine(b: Buffer, p: number, at: number): boolean {
    b.copy(this.carry, this.carried, p, at + 1);
    const lf = this.carried + at - p;
    this.carried = 0;
    return this.line(this.carry, 0, lf);
  }

  /** One line, b[s, lf) with its CR: what it means depends on the state. */
  private line(b: Buffer, s: number, lf: number): boolean {
    if (lf === s || b[lf - 1] !== CR) return this.refuse('HPE_CR_EXPECTED');
    const e = lf - 1;
    const controls = this.controls;
    this.controls = 0;
    if (controls !== 1) {
      const state = this.state;
      return this.refuse(
        state === State.StatusLine
          ? 'HPE_INVALID_STATUS'
          : state === State.ChunkSize
            ? 'HPE_INVALID_CHUNK_SIZE'
            : 'HPE_INVALID_HEADER_TOKEN',
      );
    }
    switch (this.state) {
      case State.StatusLine:
        return this.statusLine(b, s, e);
      case State.HeaderLine:
        return e === s ? this.endOfHead() : this.headerLine(b, s, e);
      case State.ChunkSize:
        return this.chunkSize(b, s, e);
      default:
        // Trailers: read and thrown away, up to the empty line that ends the body.
        if (e === s) this.state = State.Idle;
        return true;
    }
  }

  private statusLine(b: Buffer, s: number, e: number): boolean {
    // HTTP/1.x SSS[ reason]
    if (
      e - s < 12 ||
      b[s] !== 72 ||
      b[s + 1] !== 84 ||
      b[s + 2] !== 84 ||
      b[s + 3] !== 80 ||
      b[s + 4] !== 47 ||
      b[s + 5] !== 49 ||
      b[s + 6] !== 46 ||
      (b[s + 7] !== 49 && b[s + 7] !== 48) ||
      b[s + 8] !== SP ||
      (e - s > 12 && b[s + 12] !== SP)
    )
      return this.refuse('HPE_INVALID_STATUS');
    let status = 0;
    for (let i = s + 9; i < s + 12; i++) {
      const d = (b[i] as number) - 48;
      if (d < 0 || d > 9) return this.refuse('HPE_INVALID_STATUS');
      status = status * 10 + d;
    }
    if (status < 100) return this.refuse('HPE_INVALID_STATUS');
    this.status = status;
    this.http10 = b[s + 7] === 48;
    this.state = State.HeaderLine;
    if (this.keepHeaders && status >= 200) this.headers = [];
    return true;
  }

  private headerLine(b: Buffer, s: number, e: number): boolean {
    let colon = s;
    while (colon < e && b[colon] !== COLON) {
      const c = b[colon] as number;
      if (c >= 128 || TOKEN[c] !== 1) return this.refuse('HPE_INVALID_HEADER_TOKEN');
      colon++;
    }
    if (colon === s || colon === e) return this.refuse('HPE_INVALID_HEADER_TOKEN');
    let vs = colon + 1;
    let ve = e;
    while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
    while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    if (this.headers) this.headers.push(b.toString('latin1', s, colon), b.toString('latin1', vs, ve));
    if (nameIs(b, s, colon, 'content-length')) return this.contentLengthValue(b, vs, ve);
    if (nameIs(b, s, colon, 'transfer-encoding')) {
      this.transferEncoding = true;
      // The last coding decides: chunked, or a body that runs until the connection closes.
      this.chunked = /(?:^|,)[ \t]*chunked[ \t]*$/i.test(b.toString('latin1', vs, ve));
    } else if (nameIs(b, s, colon, 'connection')) {
      if (nameIs(b, vs, ve, 'keep-alive')) this.keepAlive = true;
      else if (nameIs(b, vs, ve, 'close')) this.close = true;
      else {
        const value = b.toString('latin1', vs, ve).toLowerCase();
        if (/(?:^|,)[ \t]*close[ \t]*(?:,|$)/.test(value)) this.close = true;
        if (/(?:^|,)[ \t]*keep-alive[ \t]*(?:,|$)/.test(value)) this.keepAlive = true;
      }
    }
    return true;
  }

  private contentLengthValue(b: Buffer, s: number, e: number): boolean {
    if (e === s || e - s > 15) return this.refuse('HPE_INVALID_CONTENT_LENGTH');
    let n = 0;
    for (let i = s; i < e; i++) {
      const d = (b[i] as number) - 48;
      if (d < 0 || d > 9) return this.refuse('HPE_INVALID_CONTENT_LENGTH');
      n = n * 10 + d;
    }
    if (this.contentLength >= 0 && this.contentLength !== n)
      return this.refuse('HPE_UNEXPECTED_CONTENT_LENGTH');
    this.contentLength = n;
    return true;
  }

  private endOfHead(): boolean {
    const status = this.status;
    if (status < 200) {
      // 101 would switch protocols, which no request of the engine asks for.
      if (status === 101) return this.refuse('HPE_UNEXPECTED_UPGRADE');
      this.resetHead();
      this.close = false;
      this.state = State.StatusLine;
      return true;
    }
    if (this.http10 && !this.keepAlive) this.close = true;
    if (this.transferEncoding && this.contentLength >= 0) return this.refuse('HPE_UNEXPECTED_CONTENT_LENGTH');
    if (this.head || status === 204 || status === 304) this.state = State.Idle;
    else if (this.chunked) {
      this.state = State.ChunkSize;
      this.headBytes = 0;
    } else if (this.transferEncoding || this.contentLength < 0) {
      this.state = State.UntilClose;
      this.close = true;
    } else if (this.contentLength === 0) this.state = State.Idle;
    else {
      this.state = State.Body;
      this.remaining = this.contentLength;
    }
    return true;
  }

  private chunkSize(b: Buffer, s: number, e: number): boolean {
    let n = 0;
    let i = s;
    for (; i < e; i++) {
      const d = hexDigit(b[i] as number);
      if (d < 0) break;
      n = n * 16 + d;
    }
    const c = b[i];
    // Up to 12 hex digits (2^48 bytes), then nothing or chunk extensions.
    if (i === s || i - s > 12 || (i < e && c !== 59 && c !== SP && c !== HT))
      return this.refuse('HPE_INVALID_CHUNK_SIZE');
    if (n === 0) {
      this.state = State.Trailers;
      // Trailers have a head's bound of their own.
      this.headBytes = 0;
    } else {
      this.state = State.ChunkData;
      this.remaining = n;
    }
    return true;
  }
}

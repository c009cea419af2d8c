import { request } from 'undici';
import WebSocket from 'ws';
import { type SigV4Credentials, signRequest } from '../src/auth/sigv4-sign.js';
import type { Evidence } from '../src/results/model.js';
import { SetupFailure } from '../src/run/case-meta.js';
import type { Profile } from '../src/target/profile-schema.js';

/**
 * WebSocket connections and @connections calls for the suites, every exchange recorded as
 * evidence: the upgrade (or its refusal), each frame, each close.
 */

export type WebSocketProfile = NonNullable<Profile['websocket']>;

export function websocketOf(target: Profile): WebSocketProfile {
  if (!target.websocket) throw new SetupFailure('the profile has no websocket section');
  return target.websocket;
}

export interface Closed {
  code: number;
  reason: string;
}

/** An open connection: frames queue up until a case reads them. */
export class Connection {
  private readonly frames: string[] = [];
  private waiting: ((frame: string) => void) | undefined;
  readonly closed: Promise<Closed>;

  constructor(
    readonly socket: WebSocket,
    private readonly record: (e: Evidence) => void,
  ) {
    socket.on('message', (data) => {
      const frame = data.toString();
      record({ note: `frame received: ${frame.slice(0, 500)}` });
      if (this.waiting) this.waiting(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        record({ note: `closed with ${code} ${reason.toString()}` });
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  send(frame: string | Buffer): void {
    this.record({ note: `frame sent (${frame.length} bytes): ${frame.toString().slice(0, 200)}` });
    this.socket.send(frame);
  }

  /** One message sent as several frames, one per part, in order. */
  sendFrames(parts: readonly Buffer[]): void {
    const sizes = parts.map((p) => p.length).join(' + ');
    this.record({ note: `message sent in ${parts.length} frames (${sizes} bytes)` });
    parts.forEach((part, i) => {
      this.socket.send(part, { binary: false, compress: false, fin: i === parts.length - 1 });
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The next frame, or undefined when none comes within `timeoutMs`. */
  next(timeoutMs: number): Promise<string | undefined> {
    const queued = this.frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiting = (frame) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(frame);
      };
    });
  }

  /** Resolves with the close, or undefined when the connection is still open after `timeoutMs`. */
  closedWithin(timeoutMs: number): Promise<Closed | undefined> {
    return Promise.race([this.closed, new Promise<undefined>((r) => setTimeout(r, timeoutMs))]);
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
  }
}

export type Upgrade = { status: 101; connection: Connection } | { status: number; body: string };

export interface ConnectInput {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  timeoutMs: number;
}

/** Opens a connection; a refused upgrade resolves with the HTTP status and body instead. */
export function connect(url: string, input: ConnectInput, record: (e: Evidence) => void): Promise<Upgrade> {
  const full = new URL(url);
  for (const [name, value] of Object.entries(input.query ?? {})) full.searchParams.set(name, value);
  const started = Date.now();
  const headers = input.headers ?? {};
  const evidence = (status: number, body?: string): Evidence => ({
    request: { method: 'GET', url: full.toString(), headers: { upgrade: 'websocket', ...headers } },
    response: { status, headers: {}, ...(body !== undefined && { body }), durationMs: Date.now() - started },
  });
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(full, { headers, handshakeTimeout: input.timeoutMs });
    socket.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        record(evidence(res.statusCode ?? 0, body));
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    socket.once('open', () => {
      record(evidence(101));
      resolve({ status: 101, connection: new Connection(socket, record) });
    });
    socket.once('error', (err) => reject(err));
  });
}

/**
 * The headers of an upgrade SigV4-signed for `signedUrl` (by default the URL it is sent to), `Host`
 * left out: the client sends the Host of the URL it connects to, so a signature for another host
 * is a near miss the gateway must see.
 */
export function signedUpgradeHeaders(
  signedUrl: string,
  credentials: SigV4Credentials,
  region: string,
): Record<string, string> {
  const signed = signRequest({ method: 'GET', url: signedUrl, credentials, region });
  return Object.fromEntries(
    Object.entries(signed.headers)
      .filter(([name]) => name !== 'host')
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}

export interface ManagementAnswer {
  status: number;
  errorType: string | undefined;
  body: string;
}

/** A call to the @connections API, SigV4-signed unless `credentials` is null. */
export async function manage(
  ws: WebSocketProfile,
  region: string,
  method: 'POST' | 'GET' | 'DELETE',
  connectionId: string,
  options: { body?: string; credentials?: SigV4Credentials | null; timeoutMs: number },
  record: (e: Evidence) => void,
): Promise<ManagementAnswer> {
  const url = `${ws.connectionsUrl}/${encodeURIComponent(connectionId)}`;
  const credentials = options.credentials === undefined ? ws.manager : options.credentials;
  const body = options.body;
  const signed = credentials
    ? signRequest({ method, url, credentials, region, ...(body !== undefined && { body }) })
    : { method, url, headers: {}, body };
  const headers = Object.fromEntries(
    Object.entries(signed.headers).map(([n, v]) => [n, Array.isArray(v) ? v.join(', ') : String(v)]),
  );
  const started = Date.now();
  const res = await request(signed.url, {
    method,
    headers,
    ...(body !== undefined && { body }),
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const text = await res.body.text();
  const errorType = res.headers['x-amzn-errortype'];
  record({
    request: { method, url, headers, ...(body !== undefined && { body: body.slice(0, 500) }) },
    response: {
      status: res.statusCode,
      headers: errorType ? { 'x-amzn-errortype': String(errorType) } : {},
      body: text,
      durationMs: Date.now() - started,
    },
  });
  return {
    status: res.statusCode,
    errorType: errorType === undefined ? undefined : String(errorType),
    body: text,
  };
}

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sameSecret } from '../auth/same-secret.js';
import { readBody } from '../contract/read-body.js';
import { RequestCounters } from './counters.js';
import {
  DELAY_HEADER,
  type Echo,
  NONCE_HEADER,
  NONCE_PARAM,
  PAD_HEADER,
  PROBE_COUNTERS_PATH,
  type ProbeCounters,
  SET_HEADER,
  STATUS_HEADER,
  TAG_HEADER,
  VERSION_HEADER,
} from './protocol.js';

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_DELAY_MS = 60_000;
const MAX_PAD_BYTES = 4 * 1024 * 1024;

/**
 * Process-wide rather than per probe, so two probes in one process (a gateway and a canary, say)
 * never hand out the same version: a repeated version can only mean a cache served it.
 */
let lastVersion = 0;

export interface ProbeOptions {
  host?: string;
  port?: number;
  /**
   * When set, the counters answer only `Authorization: Bearer <secret>`: a probe reachable beyond
   * loopback must not tell strangers what reached it.
   */
  controlSecret?: string;
}

export interface Probe {
  url: string;
  counters(nonce?: string): ProbeCounters;
  reset(): void;
  close(): Promise<void>;
}

/** The origin every target proxies to: it echoes what reached it and counts it. */
export async function startProbe(options: ProbeOptions = {}): Promise<Probe> {
  const counters = new RequestCounters();
  const delayed = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => handle(req, res, counters, delayed, options.controlSecret));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    counters: (nonce) => counters.snapshot(nonce),
    reset: () => counters.reset(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of delayed) clearTimeout(timer);
        delayed.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  counters: RequestCounters,
  delayed: Set<NodeJS.Timeout>,
  controlSecret: string | undefined,
): void {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const route = queryStart === -1 ? url : url.slice(0, queryStart);
  const search = queryStart === -1 ? undefined : new URLSearchParams(url.slice(queryStart + 1));
  if (route === PROBE_COUNTERS_PATH) {
    req.resume();
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (controlSecret !== undefined && (given === undefined || !sameSecret(given, controlSecret))) {
      send(res, 401, error('the probe counters need the probe secret'));
      return;
    }
    send(res, 200, JSON.stringify(counters.snapshot(search?.get('nonce') ?? undefined)));
    return;
  }
  const nonce = search?.get(NONCE_PARAM) ?? single(req.headers[NONCE_HEADER]);
  // Counted on arrival, not on answer: what matters is that the request reached the origin.
  counters.count(route, nonce, single(req.headers[TAG_HEADER]));

  readBody(req, MAX_BODY_BYTES, (body, over) => {
    if (over) {
      send(res, 413, error(`request body over ${MAX_BODY_BYTES} bytes`));
      return;
    }
    let status: number | undefined;
    let delayMs: number | undefined;
    let padBytes: number | undefined;
    let extra: [string, string] | undefined;
    try {
      status = intHeader(req.headers, STATUS_HEADER, 200, 599);
      delayMs = intHeader(req.headers, DELAY_HEADER, 0);
      padBytes = intHeader(req.headers, PAD_HEADER, 0);
      extra = headerToSet(req.headers);
    } catch (err) {
      send(res, 400, error((err as Error).message));
      return;
    }
    const version = ++lastVersion;
    const echo: Echo = {
      version,
      route,
      method: req.method ?? 'GET',
      path: url,
      query: search ? Object.fromEntries(search) : {},
      headers: flatten(req.headers),
      body: body.toString('utf8'),
    };
    if (nonce !== undefined) echo.nonce = nonce;
    if (padBytes) echo.pad = 'x'.repeat(Math.min(padBytes, MAX_PAD_BYTES));
    const answer = () => send(res, status ?? 200, JSON.stringify(echo), version, extra);
    if (!delayMs) {
      answer();
      return;
    }
    const timer = setTimeout(
      () => {
        delayed.delete(timer);
        answer();
      },
      Math.min(delayMs, MAX_DELAY_MS),
    );
    delayed.add(timer);
    res.once('close', () => {
      clearTimeout(timer);
      delayed.delete(timer);
    });
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  version?: number,
  extra?: [string, string],
): void {
  const headers: Record<string, string | number> = {};
  if (extra) headers[extra[0]] = extra[1];
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(body);
  if (version !== undefined) headers[VERSION_HEADER] = version;
  res.writeHead(status, headers);
  res.end(body);
}

function error(message: string): string {
  return JSON.stringify({ error: message });
}

/** `Name: value` from SET_HEADER; framing headers are the probe's own and cannot be set. */
function headerToSet(headers: IncomingHttpHeaders): [string, string] | undefined {
  const raw = single(headers[SET_HEADER]);
  if (raw === undefined) return undefined;
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(raw);
  const name = m?.[1]?.toLowerCase();
  if (!m || !name || ['content-length', 'content-type', 'transfer-encoding', 'connection'].includes(name)) {
    throw new Error(`${SET_HEADER} must be "Name: value" naming a header other than the framing ones`);
  }
  return [name, m[2]!];
}

/** The header as an integer within bounds, undefined when absent; throws a one-line reason. */
function intHeader(
  headers: IncomingHttpHeaders,
  name: string,
  min: number,
  max?: number,
): number | undefined {
  const raw = single(headers[name]);
  if (raw === undefined) return undefined;
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value) || value < min || (max !== undefined && value > max)) {
    throw new Error(
      `${name} must be an integer ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}`,
    );
  }
  return value;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { Evidence } from '../results/model.js';
import { boundedExchange, ExchangeTimeout, flattenHeaders, parseJsonBody } from './bounded-exchange.js';
import type { HttpMethod } from './load-contract.js';
import type { ResponseValidator } from './response-validator.js';

/**
 * A thin typed layer over `undici.request`, parameterised by the `paths` type openapi-typescript
 * generates. Chosen over openapi-fetch on fetch because conformance evidence needs the exact
 * bytes on the wire: fetch normalises and hides headers (multi-value, forbidden names such as
 * Host that SigV4 signs) and costs more per request.
 */

type OperationOf<Paths, P extends keyof Paths, M extends HttpMethod> = Paths[P] extends { [K in M]: infer Op }
  ? Op
  : never;
type MethodOf<Paths, P extends keyof Paths> = {
  [M in HttpMethod]: Paths[P] extends { [K in M]: infer Op } ? (Op extends undefined ? never : M) : never;
}[HttpMethod];
type QueryOf<Op> = Op extends { parameters: { query?: infer Q } } ? Q : never;
/** The success body: read it after checking the status; error bodies are read with errorMessage(). */
type JsonOf<Op> = Op extends { responses: infer R }
  ? {
      [S in keyof R]: S extends 200 | 201 | 202 | 203 | 206
        ? R[S] extends { content: { 'application/json': infer B } }
          ? B
          : never
        : never;
    }[keyof R]
  : unknown;

export interface SendOptions<Query = Record<string, string | undefined>> {
  query?: Query & Record<string, string | undefined>;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  json?: unknown;
  /** Overrides the client's timeout (of the whole exchange) for one request. */
  timeoutMs?: number;
}

export interface Exchange<Body = unknown> {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body's first KEPT_BODY_BYTES (see bounded-exchange.ts): a gateway's answer is never held whole. */
  body: string;
  /** The body's length in bytes and its SHA-256: how a case compares answers too long to keep. */
  bodyBytes: number;
  bodySha256: string;
  /** The parsed body when it is JSON and was kept whole, else undefined. */
  json: Body | undefined;
  durationMs: number;
  contractViolations: string[];
}

export interface ClientOptions {
  baseUrl: string;
  stage: string;
  /** Contract path → the target's own path for that role (e.g. '/keyed' → '/v1/keyed'). */
  routes?: Record<string, string>;
  /** Bounds each whole exchange: connect, headers and body. */
  timeoutMs: number;
  validator?: ResponseValidator;
  /** Receives every exchange (request, response or transport error) as evidence. */
  record?: (evidence: Evidence) => void;
  dispatcher?: Dispatcher;
}

/** Characters of a body kept in evidence: what a reader needs to see, not what the gateway chose to send. */
const EVIDENCE_BODY_CHARS = 4096;

/** The gateway did not answer with HTTP: refused, reset, timed out, or sent garbage. */
export class TransportError extends Error {
  override name = 'TransportError';
}

export class TypedClient<Paths> {
  constructor(readonly options: ClientOptions) {}

  get<P extends keyof Paths & string>(
    path: P,
    opts?: SendOptions<QueryOf<OperationOf<Paths, P, 'get'>>>,
  ): Promise<Exchange<JsonOf<OperationOf<Paths, P, 'get'>>>> {
    return this.send('GET', this.route(path), (opts ?? {}) as SendOptions, { path, method: 'get' });
  }

  post<P extends keyof Paths & string>(
    path: P,
    opts?: SendOptions<QueryOf<OperationOf<Paths, P, 'post'>>>,
  ): Promise<Exchange<JsonOf<OperationOf<Paths, P, 'post'>>>> {
    return this.send('POST', this.route(path), (opts ?? {}) as SendOptions, { path, method: 'post' });
  }

  request<P extends keyof Paths & string, M extends MethodOf<Paths, P>>(
    path: P,
    method: M,
    opts: SendOptions<QueryOf<OperationOf<Paths, P, M>>> = {},
  ): Promise<Exchange<JsonOf<OperationOf<Paths, P, M>>>> {
    return this.send(method.toUpperCase(), this.route(path), opts as SendOptions, { path, method });
  }

  private route(contractPath: string): string {
    return this.options.routes?.[contractPath] ?? contractPath;
  }

  /** A request outside the contract: unknown routes, malformed input, attacks. */
  raw(method: string, path: string, opts: SendOptions = {}): Promise<Exchange> {
    return this.send(method, path, opts);
  }

  /** The URL a stage-relative path resolves to, for signers that need it before sending. */
  url(path: string, query?: Record<string, string | undefined>): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const stage = this.options.stage ? `/${this.options.stage}` : '';
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.append(k, v);
    const qs = search.toString();
    return `${base}${stage}${path}${qs ? `?${qs}` : ''}`;
  }

  private async send<Body>(
    method: string,
    path: string,
    opts: SendOptions,
    operation?: { path: string; method: HttpMethod },
  ): Promise<Exchange<Body>> {
    const url = this.url(path, opts.query);
    const headers: Record<string, string | string[]> = { ...opts.headers };
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    const evidenceRequest = {
      method,
      url,
      headers: flattenHeaders(headers),
      ...(body === undefined ? {} : { body: body.toString() }),
    };
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    const started = performance.now();
    try {
      const res = await boundedExchange(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        timeoutMs,
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      const json = parseJsonBody(res.body);
      const contractViolations =
        // A body longer than what is kept cannot be validated from its first bytes.
        operation && this.options.validator && res.body.whole
          ? this.options.validator.check(
              operation.path,
              operation.method,
              res.status,
              res.headers['content-type'],
              res.body.text,
            )
          : [];
      this.options.record?.({
        request: evidenceRequest,
        response: {
          status: res.status,
          headers: res.headers,
          body: res.body.text.slice(0, EVIDENCE_BODY_CHARS),
          bodyBytes: res.body.bytes,
          bodySha256: res.body.sha256,
          durationMs,
        },
        ...(contractViolations.length ? { contractViolations } : {}),
      });
      return {
        status: res.status,
        headers: res.headers,
        body: res.body.text,
        bodyBytes: res.body.bytes,
        bodySha256: res.body.sha256,
        json: json as Body | undefined,
        durationMs,
        contractViolations,
      };
    } catch (err) {
      const reason = describeTransportError(err);
      // A drip or a stall after the headers: what had arrived is evidence too.
      const partial = err instanceof ExchangeTimeout ? err.partial : undefined;
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      this.options.record?.({
        request: evidenceRequest,
        ...(partial && {
          response: {
            status: partial.status,
            headers: partial.headers,
            bodyBytes: partial.bytes,
            durationMs,
          },
        }),
        error: reason,
      });
      throw new TransportError(`${method} ${path}: ${reason}`);
    }
  }
}

export function describeTransportError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = (e.message ?? String(err)).split('\n')[0];
  return code ? `${code}: ${message}` : (message ?? 'unknown error');
}

import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { UsageError } from '../usage-error.js';
import type { ApiMethod } from './api-model.js';
import type { FaultName } from './faults.js';
import { forwardedHeaders, NOT_FORWARDED } from './forwarded-headers.js';
import { gatewayResponse } from './gateway-responses.js';
import { httpIntegration } from './http-integration.js';
import { gatewayIdentityHeaders, spoofedHeaderNames } from './identity-headers.js';
import type { Reply, RequestContext, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;

/** What a gateway sends to its integration: the caller's request as relayed or as mapped. */
export interface IntegrationRequest {
  method: string;
  /** Raw query string without `?`. */
  query: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Endpoint {
  pool: Pool;
  path: string;
  search: string;
}

/**
 * The HTTP_PROXY integration: the caller's request goes to the integration URI (so the stage
 * prefix is gone) with its query, headers and body, and the answer comes back as it was.
 */
export class HttpProxy {
  private readonly pools = new Map<string, Pool>();
  private readonly endpoints = new Map<ApiMethod, Endpoint>();

  constructor(
    methods: readonly ApiMethod[],
    variables: Readonly<Record<string, string>>,
    private readonly timeoutMs: number,
    private readonly fault?: FaultName,
  ) {
    for (const method of methods) {
      const url = integrationUrl(method, variables);
      let pool = this.pools.get(url.origin);
      if (!pool) {
        pool = new Pool(url.origin);
        this.pools.set(url.origin, pool);
      }
      this.endpoints.set(method, { pool, path: url.pathname, search: url.search.slice(1) });
    }
  }

  /** The whole answer is buffered, as API Gateway does, so a late body still counts against the timeout. */
  forward(ctx: RequestContext, route: ApiMethod): Promise<Reply> {
    return this.send(route, {
      method: route.integration.httpMethod === 'ANY' ? ctx.httpMethod : route.integration.httpMethod,
      query: forwardedQuery(ctx),
      headers: requestHeaders(ctx, this.fault),
      body: ctx.body,
    });
  }

  /** One integration request to the method's endpoint, within the method's timeout (or the stage's). */
  async send(route: ApiMethod, request: IntegrationRequest): Promise<Reply> {
    const endpoint = this.endpoints.get(route)!;
    const query = [endpoint.search, request.query].filter(Boolean).join('&');
    const abort = new AbortController();
    const methodTimeout =
      this.fault === 'integration-timeout-ignored' ? undefined : route.integration.timeoutMs;
    // The fault reads timeoutInMillis as whole seconds, so 500 ms becomes none at all.
    const timeout =
      this.fault === 'integration-timeout-in-seconds' && methodTimeout !== undefined
        ? Math.floor(methodTimeout / 1000)
        : methodTimeout;
    const timer = setTimeout(() => abort.abort(), timeout ?? this.timeoutMs);
    try {
      const response = await endpoint.pool.request({
        path: query ? `${endpoint.path}?${query}` : endpoint.path,
        method: request.method as 'GET',
        headers: request.headers,
        body: request.body.length > 0 ? request.body : null,
        signal: abort.signal,
      });
      const body = Buffer.from(await response.body.arrayBuffer());
      return {
        status: response.statusCode,
        headers: responseHeaders(response.headers, this.fault !== 'response-headers-not-remapped'),
        body,
      };
    } catch {
      return gatewayResponse(abort.signal.aborted ? 'INTEGRATION_TIMEOUT' : 'INTEGRATION_FAILURE');
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}

export function integrationStep(gw: GatewayRuntime): Step {
  const call = (ctx: RequestContext) =>
    ctx.route!.integration.type === 'http'
      ? httpIntegration(gw, ctx, ctx.route!)
      : gw.proxy.forward(ctx, ctx.route!);
  if (gw.fault === 'integration-duplicate-get') {
    return async (ctx) => {
      if (ctx.httpMethod === 'GET') await call(ctx);
      return call(ctx);
    };
  }
  return call;
}

function integrationUrl(method: ApiMethod, variables: Readonly<Record<string, string>>): URL {
  const where = `${method.httpMethod} ${method.resourcePath}`;
  const uri = method.integration.uri.replace(STAGE_VARIABLE, (_match, name: string) => {
    const value = variables[name];
    if (value === undefined)
      throw new UsageError(`${where}: integration uri uses stage variable ${name}, which is not set`);
    return value;
  });
  try {
    return new URL(uri);
  } catch {
    throw new UsageError(`${where}: integration uri ${uri} is not a URL`);
  }
}

export function requestHeaders(ctx: RequestContext, fault: FaultName | undefined): Record<string, string> {
  // A caller must not be able to pose as someone else: only the gateway sets identity headers.
  const spoofed = spoofedHeaderNames(ctx, fault);
  const headers = forwardedHeaders(ctx.headers, ctx.consumed?.headers, (name) => spoofed.has(name));
  Object.assign(headers, gatewayIdentityHeaders(ctx));
  if (ctx.traceId) headers['x-amzn-trace-id'] = ctx.traceId;
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${ctx.sourceIp}` : ctx.sourceIp;
  return headers;
}

/** The caller's query as received, less the parameters the gateway consumed (a presigned signature). */
function forwardedQuery(ctx: RequestContext): string {
  const consumed = ctx.consumed?.query;
  if (!consumed?.length || !ctx.rawQuery) return ctx.rawQuery;
  return ctx.rawQuery
    .split('&')
    .filter((pair) => !consumed.includes(queryName(pair)))
    .join('&');
}

function queryName(pair: string): string {
  const name = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * Integration response headers API Gateway does not relay as they are: it answers with its own and
 * keeps the integration's as `x-amzn-Remapped-*` (DG: api-gateway-known-issues).
 */
const REMAPPED = new Set(['authorization', 'content-md5', 'date', 'server', 'www-authenticate']);

function responseHeaders(upstream: IncomingHttpHeaders, remap: boolean): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    headers[remap && REMAPPED.has(name) ? `x-amzn-remapped-${name}` : name] = value;
  }
  return headers;
}

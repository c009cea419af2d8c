import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { UsageError } from '../usage-error.js';
import type { ApiMethod } from './api-model.js';
import type { FaultName } from './faults.js';
import { gatewayResponse } from './gateway-responses.js';
import { gatewayIdentityHeaders, spoofedHeaderNames } from './identity-headers.js';
import type { Reply, RequestContext, Step } from './pipeline.js';
import type { GatewayRuntime } from './runtime.js';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those undici sets itself. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;

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
  async forward(ctx: RequestContext, route: ApiMethod): Promise<Reply> {
    const endpoint = this.endpoints.get(route)!;
    const query = [endpoint.search, forwardedQuery(ctx)].filter(Boolean).join('&');
    const httpMethod = route.integration.httpMethod === 'ANY' ? ctx.httpMethod : route.integration.httpMethod;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      const response = await endpoint.pool.request({
        path: query ? `${endpoint.path}?${query}` : endpoint.path,
        method: httpMethod as 'GET',
        headers: requestHeaders(ctx, this.fault),
        body: ctx.body.length > 0 ? ctx.body : null,
        signal: abort.signal,
      });
      const body = Buffer.from(await response.body.arrayBuffer());
      return { status: response.statusCode, headers: responseHeaders(response.headers), body };
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
  if (gw.fault === 'integration-duplicate-get') {
    return async (ctx) => {
      if (ctx.httpMethod === 'GET') await gw.proxy.forward(ctx, ctx.route!);
      return gw.proxy.forward(ctx, ctx.route!);
    };
  }
  return (ctx) => gw.proxy.forward(ctx, ctx.route!);
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

function requestHeaders(ctx: RequestContext, fault: FaultName | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  // Headers named in Connection are hop-by-hop too.
  const connection = ctx.headers.connection
    ?.toLowerCase()
    .split(',')
    .map((token) => token.trim());
  const consumed = ctx.consumed?.headers;
  const spoofed = spoofedHeaderNames(ctx, fault);
  for (const name in ctx.headers) {
    const value = ctx.headers[name];
    if (value === undefined || NOT_FORWARDED.has(name) || connection?.includes(name)) continue;
    // A caller must not be able to pose as someone else: only the gateway sets identity headers.
    if (consumed?.includes(name) || spoofed.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  Object.assign(headers, gatewayIdentityHeaders(ctx));
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

function responseHeaders(upstream: IncomingHttpHeaders): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value !== undefined && !NOT_FORWARDED.has(name)) headers[name] = value;
  }
  return headers;
}

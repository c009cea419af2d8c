import { request } from 'undici';
import { authorizerHeaders } from '../../reference/authorizer-outcome.js';
import { forwardedHeaders, NOT_FORWARDED } from '../../reference/forwarded-headers.js';
import { claimsContext } from '../../reference/jwt-authorizer.js';

/**
 * The Lambda function behind every serverless-offline route (it runs inside serverless-offline,
 * imported by the handler gateproof writes): it forwards the request to the probe as an HTTP
 * proxy integration would, and hands the authorizer's principal, context or JWT claims on in the
 * `x-gp-authorizer-*` headers of the probe contract, as an integration maps `$context.authorizer.*`.
 */

export interface LambdaProxyOptions {
  probeUrl: string;
  /** The probe's path for this route's role. */
  path: string;
  /** Which authorizer guards the route, so that its context (and only its) is handed on. */
  authorizer?: 'lambda' | 'jwt';
}

type Headers = Record<string, string | string[] | undefined>;

/** The fields of API Gateway's proxy events (payload 1.0 from REST, 2.0 from HTTP APIs) used here. */
interface ProxyEvent {
  version?: string;
  httpMethod?: string;
  headers?: Headers | null;
  multiValueHeaders?: Headers | null;
  multiValueQueryStringParameters?: Record<string, string[]> | null;
  rawQueryString?: string;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: {
    http?: { method: string };
    authorizer?: Record<string, unknown> & { jwt?: { claims?: Record<string, unknown> } };
  };
}

interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

export function lambdaProxy(options: LambdaProxyOptions): (event: ProxyEvent) => Promise<ProxyResult> {
  return async (event) => {
    const v2 = event.version === '2.0';
    const method = (v2 ? event.requestContext?.http?.method : event.httpMethod) ?? 'GET';
    const query = v2 ? (event.rawQueryString ?? '') : queryOf(event.multiValueQueryStringParameters);
    const headers = forwardedHeaders((v2 ? event.headers : event.multiValueHeaders) ?? {});
    Object.assign(headers, authorizerHeaders(authorizerContext(event, options.authorizer)));
    const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : null;
    const res = await request(`${options.probeUrl}${options.path}${query ? `?${query}` : ''}`, {
      method: method as 'GET',
      headers,
      body,
    });
    const answer = Buffer.from(await res.body.arrayBuffer());
    const answerHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined && !NOT_FORWARDED.has(name)) {
        answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    return {
      statusCode: res.statusCode,
      headers: answerHeaders,
      body: answer.toString('base64'),
      isBase64Encoded: true,
    };
  };
}

function queryOf(parameters: Record<string, string[]> | null | undefined): string {
  const query = new URLSearchParams();
  for (const [name, values] of Object.entries(parameters ?? {})) {
    for (const value of values) query.append(name, value);
  }
  return query.toString();
}

/**
 * `$context.authorizer.*` as strings: a Lambda authorizer's principalId and context (REST puts
 * them at the top of requestContext.authorizer), or the JWT's claims as `claims.<name>`.
 */
function authorizerContext(
  event: ProxyEvent,
  authorizer: LambdaProxyOptions['authorizer'],
): Record<string, string> {
  const given = event.requestContext?.authorizer ?? {};
  if (authorizer === 'jwt') return claimsContext(given.jwt?.claims ?? {});
  if (authorizer !== 'lambda') return {};
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      context[key] = String(value);
    }
  }
  return context;
}

import type { IncomingMessage } from 'node:http';
import { evaluatePolicy } from './iam-policy.js';
import type { AuthorizerEvent } from './lambda-authorizer.js';
import type { ReferenceAuthorizerFunction } from './lambda-authorizer-function.js';
import { type AcceptedResult, acceptResult } from './lambda-authorizer-result.js';
import type { WebSocketApiConfig } from './websocket-config.js';

/**
 * `$connect` authorization, decided before the upgrade as API Gateway does: a REQUEST Lambda
 * authorizer whose identity source is the `token` query parameter, then an API key in the
 * `x-api-key` header. A refusal is an HTTP answer; the connection never opens.
 */

export type ConnectVerdict =
  | { ok: true; principalId: string }
  | { ok: false; status: 401 | 403 | 500; message: string };

const UNAUTHORIZED = { ok: false, status: 401, message: 'Unauthorized' } as const;
const FORBIDDEN = { ok: false, status: 403, message: 'Forbidden' } as const;

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function keyAccepted(config: WebSocketApiConfig, sent: string | undefined): boolean {
  if (!sent) return false;
  const { fault } = config;
  return config.apiKeys.some((key) => {
    if (fault === 'websocket-apikey-prefix-match') return sent.startsWith(key);
    if (fault === 'websocket-apikey-case-insensitive') return sent.toLowerCase() === key.toLowerCase();
    return sent === key;
  });
}

export async function authorizeConnect(
  config: WebSocketApiConfig,
  authorizer: ReferenceAuthorizerFunction,
  req: IncomingMessage,
  query: URLSearchParams,
  requestId: string,
): Promise<ConnectVerdict> {
  const { fault } = config;
  let token = query.get('token') || undefined;
  if (token === undefined && fault === 'websocket-authorizer-header-fallback') {
    token = headerOf(req, 'authorization') || undefined;
  }
  if (token === undefined && fault !== 'websocket-authorizer-missing-allowed') return UNAUTHORIZED;
  let principalId = 'anonymous';
  if (token !== undefined) {
    if (fault === 'websocket-authorizer-case-insensitive') token = token.toLowerCase();
    const methodArn = `arn:aws:execute-api:${config.region}:${config.accountId}:${config.apiId}/${config.stage}/$connect`;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ]),
    );
    // The function reads `Authorization` before `token`; the header is not an identity source here.
    delete headers.authorization;
    const event: AuthorizerEvent = {
      type: 'REQUEST',
      methodArn,
      resource: '$connect',
      path: `/${config.stage}`,
      httpMethod: 'GET',
      headers,
      queryStringParameters: { ...Object.fromEntries(query), token },
      pathParameters: {},
      stageVariables: {},
      requestContext: {
        requestId,
        stage: config.stage,
        resourcePath: '$connect',
        httpMethod: 'GET',
        path: `/${config.stage}`,
      },
    };
    let result: AcceptedResult;
    try {
      result = acceptResult(await authorizer(event));
    } catch (err) {
      if ((err as Error).message === 'Unauthorized') return UNAUTHORIZED;
      return { ok: false, status: 500, message: 'Internal server error' };
    }
    const decision = evaluatePolicy(result.policy, 'execute-api:Invoke', methodArn);
    if (decision !== 'allow' && fault !== 'websocket-authorizer-deny-ignored') return FORBIDDEN;
    principalId = result.principalId;
  }
  const key =
    headerOf(req, 'x-api-key') ??
    (fault === 'websocket-apikey-query-accepted' ? (query.get('x-api-key') ?? undefined) : undefined);
  if (key === undefined && fault === 'websocket-apikey-optional') return { ok: true, principalId };
  if (!keyAccepted(config, key)) return FORBIDDEN;
  return { ok: true, principalId };
}

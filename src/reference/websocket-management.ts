import type { IncomingMessage } from 'node:http';
import { evaluatePolicy } from './iam-policy.js';
import { createSigV4Verifier } from './sigv4-verifier.js';
import type { WebSocketApiConfig } from './websocket-config.js';
import type { Connection } from './websocket-connections.js';

/**
 * The @connections management API: `POST` sends the body to the connection, `GET` describes it,
 * `DELETE` closes it. Every call is SigV4-signed by a caller allowed `execute-api:ManageConnections`
 * on `{api}/{stage}/{METHOD}/@connections/{id}`; a connection that is gone answers 410 GoneException.
 */

export interface ManagementReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ManagementRequest {
  req: IncomingMessage;
  /** The request line's path and query, still encoded. */
  path: string;
  query: string;
  connectionId: string;
  body: Buffer;
}

function error(status: number, errorType: string, message: string | null): ManagementReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': errorType },
    body: JSON.stringify({ message }),
  };
}

/** Every value of every header as it arrived, repeats kept in order (SigV4 signs them all). */
export function receivedHeaders(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    headers[name] = [...(headers[name] ?? []), rawHeaders[i + 1]!];
  }
  return headers;
}

export function createManagementApi(
  config: WebSocketApiConfig,
  connections: ReadonlyMap<string, Connection>,
  now: () => number,
) {
  const verify = createSigV4Verifier({ credentials: config.credentials, region: config.region, now });
  const { fault } = config;

  return (request: ManagementRequest): ManagementReply => {
    const method = request.req.method ?? 'GET';
    if (!['POST', 'GET', 'DELETE'].includes(method)) {
      return error(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const verdict = verify({
      method,
      path: request.path,
      query: request.query,
      headers: receivedHeaders(request.req.rawHeaders),
      body: request.body,
    });
    const unsignedLetThrough =
      fault === 'websocket-management-unsigned' &&
      !verdict.ok &&
      verdict.type === 'MISSING_AUTHENTICATION_TOKEN';
    if (!verdict.ok && !unsignedLetThrough) return error(verdict.status, verdict.errorType, verdict.message);
    if (verdict.ok && fault !== 'websocket-management-policy-ignored') {
      const resource = `arn:aws:execute-api:${config.region}:${config.accountId}:${config.apiId}/${config.stage}/${method}/@connections/${request.connectionId}`;
      if (evaluatePolicy(verdict.principal.policy, 'execute-api:ManageConnections', resource) !== 'allow') {
        return error(
          403,
          'AccessDeniedException',
          `User: ${verdict.principal.arn} is not authorized to perform: execute-api:ManageConnections on resource: ${resource}`,
        );
      }
    }

    const connection = connections.get(request.connectionId);
    if (!connection) {
      if (method === 'POST' && fault === 'websocket-gone-accepted')
        return { status: 200, headers: {}, body: '' };
      return error(410, 'GoneException', null);
    }
    if (method === 'GET') {
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ConnectedAt: connection.connectedAt.toISOString(),
          Identity: { SourceIp: connection.sourceIp, UserAgent: connection.userAgent },
          LastActiveAt: (fault === 'websocket-last-active-stale'
            ? connection.connectedAt
            : connection.lastActiveAt
          ).toISOString(),
        }),
      };
    }
    if (method === 'DELETE') {
      if (fault !== 'websocket-delete-not-closing')
        connection.socket.close(1000, 'Connection closed by the API');
      return { status: 204, headers: {}, body: '' };
    }
    if (request.body.length > config.maxMessageBytes) {
      return error(413, 'PayloadTooLargeException', 'Message too long');
    }
    const targets =
      fault === 'websocket-push-broadcast'
        ? [...connections.values()].filter((c) => c.api === connection.api)
        : [connection];
    for (const target of targets) {
      target.socket.send(request.body.toString('utf8'));
      target.lastActiveAt = new Date(now());
    }
    return { status: 200, headers: {}, body: '' };
  };
}

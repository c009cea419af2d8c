import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EventType, integrate } from '../../reference/websocket-integration.js';

/**
 * The Lambda function behind every route of serverless-offline's WebSocket API: it posts the event
 * to the probe as the reference's HTTP integration does (`/ws/<route key>`, the connection id,
 * route key and nonce in headers) and answers with the probe's answer, which serverless-offline
 * sends back as the route response. A message event carries no `$connect` query, so the `gpn`
 * given at `$connect` is kept per connection in a directory every worker thread shares (a file
 * named by the connection id), and removed at `$disconnect`.
 */

export interface LambdaWebSocketOptions {
  probeUrl: string;
  connectionsDir: string;
}

/** The fields of serverless-offline's WebSocket events used here. */
interface WebSocketEvent {
  body?: string;
  queryStringParameters?: Record<string, string> | null;
  requestContext: { connectionId: string; routeKey: string; eventType: EventType };
}

interface WebSocketResult {
  statusCode: number;
  body: string;
}

/** serverless-offline's ids are UUIDs; anything else must not name a file. */
const CONNECTION_ID = /^[A-Za-z0-9-]{1,128}$/;

export function lambdaWebSocket(
  options: LambdaWebSocketOptions,
): (event: WebSocketEvent) => Promise<WebSocketResult> {
  return async (event) => {
    const { connectionId, routeKey, eventType } = event.requestContext;
    if (!CONNECTION_ID.test(connectionId)) throw new Error('not a connection id');
    const file = join(options.connectionsDir, connectionId);
    if (eventType === 'CONNECT') {
      const gpn = event.queryStringParameters?.gpn;
      if (gpn !== undefined) writeFileSync(file, gpn);
    }
    const nonce = nonceOf(file);
    const answer = await integrate(
      options.probeUrl,
      { id: connectionId, ...(nonce !== undefined && { nonce }) },
      routeKey,
      eventType,
      event.body ?? '',
    );
    const refused = eventType === 'CONNECT' && (answer.status < 200 || answer.status > 299);
    if (eventType === 'DISCONNECT' || refused) rmSync(file, { force: true });
    return { statusCode: answer.status, body: answer.body };
  };
}

function nonceOf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

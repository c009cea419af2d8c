import { request } from 'undici';
import { NONCE_HEADER } from '../probe/protocol.js';
import type { Connection } from './websocket-connections.js';

/**
 * The HTTP integration of every route: a POST to the probe at `/ws/<route key without $>`, carrying
 * the connection id, the route key and the event type in headers and the message as the body, as
 * an API Gateway HTTP integration maps `$context.connectionId` and `$context.routeKey`. The probe
 * nonce is `<gpn given at $connect>.<route key without $>`.
 */

export const CONNECTION_ID_HEADER = 'x-gp-connection-id';
export const ROUTE_KEY_HEADER = 'x-gp-route-key';
export const EVENT_TYPE_HEADER = 'x-gp-event-type';

export type EventType = 'CONNECT' | 'MESSAGE' | 'DISCONNECT';

export interface IntegrationAnswer {
  status: number;
  body: string;
}

export async function integrate(
  integrationUrl: string,
  connection: Pick<Connection, 'id' | 'nonce'>,
  routeKey: string,
  eventType: EventType,
  body: string,
): Promise<IntegrationAnswer> {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    [CONNECTION_ID_HEADER]: connection.id,
    [ROUTE_KEY_HEADER]: routeKey,
    [EVENT_TYPE_HEADER]: eventType,
  };
  const route = routeKey.replace(/^\$/, '');
  // Counted per connection and route, so a case proves which of its routes were called.
  if (connection.nonce !== undefined) headers[NONCE_HEADER] = `${connection.nonce}.${route}`;
  const res = await request(`${integrationUrl.replace(/\/+$/, '')}/ws/${route}`, {
    method: 'POST',
    headers,
    body,
    headersTimeout: 29_000,
    bodyTimeout: 29_000,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

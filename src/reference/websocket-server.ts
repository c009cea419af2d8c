import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocketServer } from 'ws';
import { readBody } from '../contract/read-body.js';
import { createReferenceAuthorizerFunction } from './lambda-authorizer-function.js';
import type { WebSocketApiConfig } from './websocket-config.js';
import { authorizeConnect, type ConnectVerdict } from './websocket-connect.js';
import { type Connection, connectionId } from './websocket-connections.js';
import { watchFrameSizes } from './websocket-frame-limit.js';
import { createIamConnect } from './websocket-iam-connect.js';
import { integrate } from './websocket-integration.js';
import { createManagementApi } from './websocket-management.js';
import { DEFAULT_ROUTE, selectRoute } from './websocket-route.js';

/**
 * The reference WebSocket API: one stage serving three APIs, `/{stage}` (routes `echo` and
 * `$default`) and `/{stage}/no-default` (route `echo` only) with an API key and a REQUEST
 * authorizer at `$connect`, `/{stage}/iam` (`echo` and `$default`) with IAM authorization, and the
 * `@connections` management API at `/{stage}/@connections/{id}`. Framing is the `ws` library's.
 */

interface WebSocketApi {
  routes: readonly string[];
  authorization: 'key-and-authorizer' | 'iam';
}

const MAX_MANAGEMENT_BODY = 1024 * 1024;
/** Far over any limit, for the fault that does not enforce one. */
const UNLIMITED_PAYLOAD = 16 * 1024 * 1024;

export interface ReferenceWebSocketApi {
  /** `ws://host:port/{stage}` */
  url: string;
  /** `http://host:port/{stage}/@connections` */
  connectionsUrl: string;
  close(): Promise<void>;
}

export async function startReferenceWebSocketApi(
  config: WebSocketApiConfig,
  host: string,
): Promise<ReferenceWebSocketApi> {
  const apis: Record<string, WebSocketApi> = {
    [`/${config.stage}`]: { routes: ['echo', DEFAULT_ROUTE], authorization: 'key-and-authorizer' },
    [`/${config.stage}/no-default`]: { routes: ['echo'], authorization: 'key-and-authorizer' },
    [`/${config.stage}/iam`]: { routes: ['echo', DEFAULT_ROUTE], authorization: 'iam' },
  };
  const iamConnect = createIamConnect(config, Object.keys(apis));
  const connections = new Map<string, Connection>();
  const authorizer = createReferenceAuthorizerFunction();
  const manage = createManagementApi(config, connections, Date.now);
  const { fault } = config;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxPayload(config),
  });
  const managementPrefix = `/${config.stage}/@connections/`;

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
    readBody(req, MAX_MANAGEMENT_BODY, (body, over) => {
      if (!path.startsWith(managementPrefix) || path.length === managementPrefix.length) {
        reply(
          res,
          403,
          { 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' },
          'Missing Authentication Token',
        );
        return;
      }
      if (over) {
        reply(res, 413, { 'x-amzn-ErrorType': 'PayloadTooLargeException' }, 'Message too long');
        return;
      }
      let id: string;
      try {
        id = decodeURIComponent(path.slice(managementPrefix.length));
      } catch {
        reply(res, 400, { 'x-amzn-ErrorType': 'BadRequestException' }, 'Invalid connection id');
        return;
      }
      const answer = manage({ req, path, query, connectionId: id, body });
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    connect(req, socket, head).catch((err: Error) => {
      process.stderr.write(`reference WebSocket API: ${err.stack ?? err.message}\n`);
      refuse(socket, 500, 'Internal server error');
    });
  });

  async function connect(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const rawQuery = queryStart === -1 ? '' : url.slice(queryStart + 1);
    const query = new URLSearchParams(rawQuery);
    const api = apis[path];
    if (!api) {
      refuse(socket, 403, 'Forbidden');
      return;
    }
    const verdict: ConnectVerdict =
      api.authorization === 'iam'
        ? iamConnect(req, path, rawQuery)
        : await authorizeConnect(config, authorizer, req, query, randomUUID());
    if (!verdict.ok) {
      refuse(socket, verdict.status, verdict.message);
      return;
    }
    const connection = {
      id: connectionId(),
      api: path,
      connectedAt: new Date(),
      lastActiveAt: new Date(),
      sourceIp: req.socket.remoteAddress ?? '',
      userAgent: String(req.headers['user-agent'] ?? ''),
      ...(query.get('gpn') ? { nonce: query.get('gpn')! } : {}),
    };
    if (fault !== 'websocket-connect-not-integrated') {
      const answer = await integrate(config.integrationUrl, connection, '$connect', 'CONNECT', '').catch(
        () => undefined,
      );
      // A $connect integration that fails refuses the connection.
      if (!answer || answer.status < 200 || answer.status > 299) {
        refuse(socket, 500, 'Internal server error');
        return;
      }
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => open({ ...connection, socket: ws }, api.routes, socket));
  }

  function open(connection: Connection, routes: readonly string[], raw: Duplex): void {
    const { socket } = connection;
    connections.set(connection.id, connection);
    let idle: NodeJS.Timeout | undefined;
    const goAway = () => socket.close(1001, 'Going away');
    const resetIdle = () => {
      clearTimeout(idle);
      if (fault !== 'websocket-idle-timeout-off') idle = setTimeout(goAway, config.idleTimeoutMs);
    };
    resetIdle();
    const lifetime =
      fault === 'websocket-max-duration-off' ? undefined : setTimeout(goAway, config.maxConnectionMs);
    let frameTooLarge = false;
    if (fault !== 'websocket-frame-limit-off') {
      // Before the library's own listener, so that a message whose frame is too large is never routed.
      raw.prependListener(
        'data',
        watchFrameSizes(
          config.maxFrameBytes,
          () => {
            frameTooLarge = true;
            socket.close(1009, 'Frame too large');
          },
          fault === 'websocket-frame-limit-off-by-one' ? (length, max) => length >= max : undefined,
        ),
      );
    }
    socket.on('message', (data: RawData) => {
      if (frameTooLarge) return;
      const text = rawText(data);
      if (fault === 'websocket-frame-limit-per-message' && Buffer.byteLength(text) > config.maxFrameBytes) {
        socket.close(1009, 'Message too big');
        return;
      }
      connection.lastActiveAt = new Date();
      if (fault !== 'websocket-idle-not-reset') resetIdle();
      void message(connection, routes, text);
    });
    socket.on('close', () => {
      clearTimeout(idle);
      clearTimeout(lifetime);
      connections.delete(connection.id);
      if (fault !== 'websocket-disconnect-not-notified') {
        // Best-effort, as on AWS: nobody waits for it and a failure goes unheard.
        integrate(config.integrationUrl, connection, '$disconnect', 'DISCONNECT', '').catch(() => undefined);
      }
    });
    socket.on('error', () => socket.terminate());
  }

  async function message(connection: Connection, routes: readonly string[], body: string): Promise<void> {
    const route = selectRoute(body, routes, fault);
    const send = (frame: string) => {
      if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(frame);
    };
    if (route === undefined) {
      if (fault !== 'websocket-route-no-match-silent') {
        send(JSON.stringify({ message: 'Forbidden', connectionId: connection.id, requestId: randomUUID() }));
      }
      return;
    }
    try {
      const answer = await integrate(config.integrationUrl, connection, route, 'MESSAGE', body);
      // Every route is two-way: the integration's answer is the route response.
      send(answer.body);
    } catch {
      send(
        JSON.stringify({
          message: 'Internal server error',
          connectionId: connection.id,
          requestId: randomUUID(),
        }),
      );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `ws://${authority}/${config.stage}`,
    connectionsUrl: `http://${authority}/${config.stage}/@connections`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The message limit the library enforces, as each fault bends it. */
function maxPayload(config: WebSocketApiConfig): number {
  if (config.fault === 'websocket-size-limit-off') return UNLIMITED_PAYLOAD;
  if (config.fault === 'websocket-message-limit-off-by-one') return config.maxMessageBytes - 1;
  return config.maxMessageBytes;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as Buffer).toString('utf8');
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** An HTTP answer instead of the upgrade: the connection never opens. */
function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

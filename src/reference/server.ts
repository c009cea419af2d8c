import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../contract/read-body.js';
import { type Clock, systemClock } from './clock.js';
import { type GatewayConfigInput, parseGatewayConfig } from './config.js';
import type { FaultName } from './faults.js';
import { parseFault } from './faults.js';
import { gatewayResponse } from './gateway-responses.js';
import { buildPipeline, compose, type Reply, type RequestContext } from './pipeline.js';
import { createRuntime } from './runtime.js';

/** API Gateway's payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  host?: string;
  port?: number;
  /** Break one promise on purpose (see FAULTS). */
  fault?: string;
  clock?: Clock;
}

export interface ReferenceGateway {
  url: string;
  close(): Promise<void>;
}

/** Serves one stage of the API described by `config`, the way API Gateway would. */
export async function startReferenceGateway(
  config: GatewayConfigInput,
  options: GatewayOptions = {},
): Promise<ReferenceGateway> {
  const fault = parseFault(options.fault);
  const gw = createRuntime(parseGatewayConfig(config), options.clock ?? systemClock, fault);
  return listenGateway(compose(buildPipeline(gw)), { ...options, apiType: gw.apiType }, () =>
    gw.proxy.close(),
  );
}

/**
 * An HTTP server in front of a gateway's pipeline: the body read within the payload limit, and
 * every reply written with the request's ids. `release` is called once the server has closed.
 */
export async function listenGateway(
  run: (ctx: RequestContext) => Promise<Reply>,
  options: Omit<GatewayOptions, 'clock'> & { apiType: 'REST' | 'HTTP' },
  release: () => Promise<void>,
): Promise<ReferenceGateway> {
  const fault = parseFault(options.fault);
  // Node's own header limit (16 KB) stands for API Gateway's; only a fault lifts it.
  const limits = fault === 'jwt-oversized-token-crash' ? { maxHeaderSize: 1024 * 1024 } : {};
  const server = createServer(limits, (req, res) => handle(req, res, run, fault, options.apiType));
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await release();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await release();
    },
  };
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  run: (ctx: RequestContext) => Promise<Reply>,
  fault: FaultName | undefined,
  apiType: 'REST' | 'HTTP',
): void {
  const requestId = randomUUID();
  const limit = fault === 'payload-limit-ignored' ? Number.POSITIVE_INFINITY : MAX_REQUEST_BYTES;
  readBody(req, limit, (body, over) => {
    if (over) {
      write(res, gatewayResponse('REQUEST_TOO_LARGE'), requestId, fault, apiType);
      return;
    }
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const rawQuery = queryStart === -1 ? '' : url.slice(queryStart + 1);
    const ctx: RequestContext = {
      requestId,
      httpMethod: req.method ?? 'GET',
      path: queryStart === -1 ? url : url.slice(0, queryStart),
      rawQuery,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress ?? '',
    };
    run(ctx).then(
      (reply) => write(res, reply, requestId, fault, apiType),
      (err: Error) => {
        process.stderr.write(`reference gateway: ${err.stack ?? err.message}\n`);
        write(res, gatewayResponse('API_CONFIGURATION_ERROR'), requestId, fault, apiType);
      },
    );
  });
}

/** Every REST response carries the request's ids, whether the integration or the gateway made it. */
function write(
  res: ServerResponse,
  reply: Reply,
  requestId: string,
  fault: FaultName | undefined,
  apiType: 'REST' | 'HTTP',
): void {
  if (res.destroyed) return;
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
  const headers: Record<string, string | string[] | number> = {
    ...reply.headers,
    'content-length': body.length,
  };
  const idMissing = fault === 'request-id-missing' && reply.gatewayResponse;
  if (apiType === 'HTTP') {
    // HTTP APIs name the request by apigw-requestid alone, and send no x-amzn-ErrorType.
    delete headers['x-amzn-ErrorType'];
    if (!idMissing) headers['apigw-requestid'] = apigwId(requestId);
  } else {
    if (!idMissing) headers['x-amzn-RequestId'] = requestId;
    if (fault === 'error-type-missing') delete headers['x-amzn-ErrorType'];
    headers['x-amz-apigw-id'] = apigwId(requestId);
  }
  res.writeHead(reply.status, headers);
  res.end(body);
}

/**
 * An opaque id shaped like AWS's (16 base64 characters), cut from the request id: drawing fresh
 * random bytes for it was a visible share of the gateway's time under load.
 */
function apigwId(requestId: string): string {
  return Buffer.from(requestId.replaceAll('-', '').slice(0, 22), 'hex').toString('base64');
}

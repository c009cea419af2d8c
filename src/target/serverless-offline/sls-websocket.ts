import { join } from 'node:path';
import type { LambdaAuthorizerOptions } from './lambda-authorizer.js';
import type { LambdaWebSocketOptions } from './lambda-websocket.js';

/** Writes a handler module and answers its serverless.yml `handler` (see renderSlsService). */
export type HandlerWriter = (name: string, module: string, exported: string, options: unknown) => string;

export const WEBSOCKET_AUTHORIZER = 'websocketAuthorizer';

/** The directories the WebSocket functions share, in the service's `websocketDir`. */
export const WEBSOCKET_SUBDIRS = { calls: 'calls', connections: 'connections' } as const;

/** serverless-offline's own timeouts, in seconds; short as the reference's are, so a run sees them. */
export const WEBSOCKET_IDLE_TIMEOUT_S = 3;
export const WEBSOCKET_HARD_TIMEOUT_S = 8;

/**
 * The WebSocket API's functions as one writes them for AWS: `$connect` behind a REQUEST authorizer
 * whose identity source is the `token` query parameter, `$disconnect`, route `echo` and (unless
 * `withDefault` is false: the API whose unmatched messages get an error frame) `$default`, each
 * answering with its integration's answer (`routeResponseSelectionExpression: $default`). The
 * framework's `websocket` event has no API key setting, so `$connect` asks for none: that is
 * measured, not written around.
 */
export function slsWebSocketFunctions(
  handler: HandlerWriter,
  options: { probeUrl: string; websocketDir: string },
  withDefault: boolean,
): Record<string, unknown> {
  const ws = handler('websocket', 'lambda-websocket', 'lambdaWebSocket', {
    probeUrl: options.probeUrl,
    connectionsDir: join(options.websocketDir, WEBSOCKET_SUBDIRS.connections),
  } satisfies LambdaWebSocketOptions);
  const answered = (route: string) => ({
    websocket: { route, routeResponseSelectionExpression: '$default' },
  });
  return {
    [WEBSOCKET_AUTHORIZER]: {
      handler: handler('websocket-authorizer', 'lambda-authorizer', 'lambdaAuthorizer', {
        callsDir: join(options.websocketDir, WEBSOCKET_SUBDIRS.calls),
        queryTokenOnly: true,
      } satisfies LambdaAuthorizerOptions),
    },
    wsConnect: {
      handler: ws,
      events: [
        {
          websocket: {
            route: '$connect',
            authorizer: { name: WEBSOCKET_AUTHORIZER, identitySource: ['route.request.querystring.token'] },
          },
        },
      ],
    },
    wsDisconnect: { handler: ws, events: [{ websocket: { route: '$disconnect' } }] },
    wsEcho: { handler: ws, events: [answered('echo')] },
    ...(withDefault ? { wsDefault: { handler: ws, events: [answered('$default')] } } : {}),
  };
}

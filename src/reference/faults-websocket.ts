import type { Fault } from './fault.js';

/** Faults of the WebSocket API: each a promise of `$connect`, route selection, `@connections` or a limit. */
export const WEBSOCKET_FAULTS = [
  {
    name: 'websocket-connect-not-integrated',
    description:
      "an authorized $connect opens the connection without calling the $connect route's integration",
    breaks: ['websocket.connect.accept', 'websocket.iam.accept'],
  },
  {
    name: 'websocket-apikey-optional',
    description:
      'at $connect, a request without an x-api-key header is let through (the key is checked only when sent)',
    breaks: ['websocket.connect.key-missing', 'websocket.connect.key-in-query'],
  },
  {
    name: 'websocket-apikey-query-accepted',
    description:
      'at $connect, an API key in the query string is accepted as if it came in the x-api-key header',
    breaks: ['websocket.connect.key-in-query'],
  },
  {
    name: 'websocket-apikey-prefix-match',
    description:
      'at $connect, a key is accepted when it starts with a valid key (a trailing character passes)',
    breaks: ['websocket.connect.key-trailing'],
  },
  {
    name: 'websocket-apikey-case-insensitive',
    description: 'at $connect, API keys are compared without regard to case',
    breaks: ['websocket.connect.key-case'],
  },
  {
    name: 'websocket-authorizer-missing-allowed',
    description: "at $connect, a request without the authorizer's identity source is let through unasked",
    breaks: ['websocket.connect.token-missing', 'websocket.connect.token-in-header'],
  },
  {
    name: 'websocket-authorizer-header-fallback',
    description:
      'at $connect, the token is also taken from the Authorization header, an identity source the authorizer does not declare',
    breaks: ['websocket.connect.token-in-header'],
  },
  {
    name: 'websocket-authorizer-case-insensitive',
    description: 'at $connect, the token is lower-cased before the authorizer sees it',
    breaks: ['websocket.connect.token-case'],
  },
  {
    name: 'websocket-authorizer-deny-ignored',
    description:
      "at $connect, the authorizer's Deny policy is not evaluated: any answer opens the connection",
    breaks: ['websocket.connect.token-deny'],
  },
  {
    name: 'websocket-route-default-first',
    description: 'every message goes to $default, even when its action names a route',
    breaks: ['websocket.route.match'],
  },
  {
    name: 'websocket-route-non-json-refused',
    description: 'a message that is not JSON gets the error frame instead of going to $default',
    breaks: ['websocket.route.default'],
  },
  {
    name: 'websocket-route-case-insensitive',
    description: 'route keys are matched without regard to case',
    breaks: ['websocket.route.action-case'],
  },
  {
    name: 'websocket-route-nested-action',
    description: 'an action nested deeper in the body is taken for the top-level one',
    breaks: ['websocket.route.action-nested'],
  },
  {
    name: 'websocket-route-null-refused',
    description: 'a body of JSON null is refused with the no-route error frame instead of going to $default',
    breaks: ['websocket.route.json-null'],
  },
  {
    name: 'websocket-route-array-unwrapped',
    description: "a JSON array's first element is read as the body, so its action selects a route",
    breaks: ['websocket.route.action-in-array'],
  },
  {
    name: 'websocket-route-action-coerced',
    description: 'an action that is not a string is turned into one (["echo"] selects echo)',
    breaks: ['websocket.route.action-not-string'],
  },
  {
    name: 'websocket-route-no-match-silent',
    description: 'a message no route matches, on an API without $default, is dropped without an error frame',
    breaks: ['websocket.route.no-match-error'],
  },
  {
    name: 'websocket-disconnect-not-notified',
    description: "a closed connection never calls the $disconnect route's integration",
    breaks: ['websocket.disconnect.notified'],
  },
  {
    name: 'websocket-push-broadcast',
    description: 'a POST to @connections/{id} is delivered to every open connection of the API',
    breaks: ['websocket.connections.push'],
  },
  {
    name: 'websocket-gone-accepted',
    description: 'a POST to a connection that is gone answers 200 instead of 410 GoneException',
    breaks: ['websocket.connections.gone'],
  },
  {
    name: 'websocket-last-active-stale',
    description: 'GET @connections/{id} answers LastActiveAt as the connection time, whatever came after',
    breaks: ['websocket.connections.describe'],
  },
  {
    name: 'websocket-delete-not-closing',
    description: 'DELETE @connections/{id} answers 204 but leaves the connection open',
    breaks: ['websocket.connections.delete'],
  },
  {
    name: 'websocket-management-unsigned',
    description: 'the @connections API accepts requests without a SigV4 signature',
    breaks: ['websocket.connections.unsigned'],
  },
  {
    name: 'websocket-management-policy-ignored',
    description: 'the @connections API accepts any valid signature, whether or not it may ManageConnections',
    breaks: ['websocket.connections.not-allowed'],
  },
  {
    name: 'websocket-size-limit-off',
    description: 'a message over the size limit is routed instead of closing the connection with 1009',
    breaks: ['websocket.limit.message-size'],
  },
  {
    name: 'websocket-frame-limit-off',
    description:
      'a single frame over the frame limit is taken as long as its message is within the message limit',
    breaks: ['websocket.limit.frame-size'],
  },
  {
    name: 'websocket-frame-limit-off-by-one',
    description: 'a frame of exactly the frame limit closes the connection as if it were over it',
    // The frames of a message at the message limit are exactly the frame limit too.
    breaks: ['websocket.limit.frame-exact', 'websocket.limit.message-exact'],
  },
  {
    name: 'websocket-frame-limit-per-message',
    description:
      'the frame limit is applied to whole messages: a message split into frames within it is refused',
    breaks: ['websocket.limit.message-exact'],
  },
  {
    name: 'websocket-message-limit-off-by-one',
    description: 'a message of exactly the message limit closes the connection as if it were over it',
    breaks: ['websocket.limit.message-exact'],
  },
  {
    name: 'websocket-max-duration-off',
    description:
      'a connection kept active is never closed, however long past the maximum connection duration',
    breaks: ['websocket.limit.max-duration'],
  },
  {
    name: 'websocket-idle-not-reset',
    description: 'the idle timeout runs from the connection time, whatever messages come after',
    breaks: ['websocket.limit.idle-reset', 'websocket.limit.max-duration'],
  },
  {
    name: 'websocket-iam-unsigned-allowed',
    description: 'at an IAM-authorized $connect, an upgrade without any SigV4 signature is let through',
    breaks: ['websocket.iam.unsigned'],
  },
  {
    name: 'websocket-iam-path-unchecked',
    description:
      'at an IAM-authorized $connect, a signature computed for another API path of the stage is accepted',
    breaks: ['websocket.iam.other-path'],
  },
  {
    name: 'websocket-iam-host-unchecked',
    description:
      'at an IAM-authorized $connect, a signature computed for another loopback name of the host is accepted',
    breaks: ['websocket.iam.other-host'],
  },
  {
    name: 'websocket-iam-policy-ignored',
    description:
      'at an IAM-authorized $connect, any valid signature connects, whether or not its caller may Invoke $connect',
    breaks: ['websocket.iam.not-allowed'],
  },
  {
    name: 'websocket-idle-timeout-off',
    description: 'an idle connection is never closed',
    breaks: ['websocket.limit.idle-timeout'],
  },
] as const satisfies readonly Fault[];

export type WebSocketFaultName = (typeof WEBSOCKET_FAULTS)[number]['name'];

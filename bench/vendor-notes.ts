import type { VendorNote } from '../src/report/vendor-matrix.js';

/**
 * Why each gateway does not keep a promise, one sentence each: for a feature its target does not
 * claim, or for one case. A deviation without a note is explained by the case's own message.
 */
export const VENDOR_NOTES: VendorNote[] = [
  {
    vendor: 'nginx',
    feature: 'sigv4',
    why: 'stock nginx has no SigV4 verifier, so the IAM routes are not configured.',
  },
  {
    vendor: 'nginx',
    feature: 'authorizer',
    why: 'stock nginx cannot call a Lambda-style authorizer function.',
  },
  {
    vendor: 'nginx',
    feature: 'cache-flush',
    why: 'open-source nginx has no command that empties a proxy_cache zone (purging is an NGINX Plus feature).',
  },
  {
    vendor: 'nginx',
    feature: 'quota',
    why: 'the usage-plan quota needs libnginx-mod-http-lua, which did not load.',
  },
  {
    vendor: 'nginx',
    feature: 'jwt',
    why: 'the JWT authorizer needs libnginx-mod-http-js (njs), which did not load.',
  },
  {
    vendor: 'haproxy',
    feature: 'sigv4',
    why: 'HAProxy has no SigV4 verifier; only custom Lua could add one, and that would be gateproof code, not HAProxy.',
  },
  {
    vendor: 'haproxy',
    feature: 'authorizer',
    why: 'HAProxy cannot call a Lambda-style authorizer function without custom Lua.',
  },
  {
    vendor: 'haproxy',
    feature: 'jwt-rotation',
    why: 'jwt_verify reads its public keys from files when HAProxy starts and never fetches a JWKS, so a key the issuer publishes later stays unknown until a reload.',
  },
  {
    vendor: 'haproxy',
    feature: 'cache-flush',
    why: 'HAProxy 2.6 has no command that empties a cache section.',
  },
  {
    vendor: 'haproxy',
    case: 'cache.key.shared-across-callers',
    why: "HAProxy never serves a stored answer to a request carrying Authorization (a shared cache's rule, RFC 9111 §3.5), where API Gateway leaves Authorization out of the key.",
  },
  {
    vendor: 'serverless-offline',
    feature: 'throttle',
    why: 'serverless-offline documents no usage plans, so no throttle is configured.',
  },
  {
    vendor: 'serverless-offline',
    feature: 'quota',
    why: 'serverless-offline documents no usage plans, so no quota is configured.',
  },
  { vendor: 'serverless-offline', feature: 'cache', why: 'serverless-offline documents no stage cache.' },
  {
    vendor: 'serverless-offline',
    feature: 'sigv4',
    why: 'serverless-offline documents no IAM (SigV4) authorization.',
  },
  {
    vendor: 'serverless-offline',
    case: 'apikey.reject.disabled',
    why: 'a key created `enabled: false` is accepted.',
  },
  {
    vendor: 'serverless-offline',
    case: 'apikey.response.request-id',
    why: 'no response carries `x-amzn-RequestId`.',
  },
  {
    vendor: 'serverless-offline',
    case: 'authorizer.identity.invalid-not-called',
    why: 'a token failing `identityValidationExpression` still calls the function (with an empty token).',
  },
  {
    vendor: 'serverless-offline',
    case: 'authorizer.cache.reused-within-ttl',
    why: '`resultTtlInSeconds` is ignored: every request calls the function.',
  },
  ...['authorizer.reject.crash', 'authorizer.response.crash-body'].map((id) => ({
    vendor: 'serverless-offline',
    case: id,
    why: 'a crashing authorizer is answered 401 `Unauthorized`, not 500 with `AuthorizerConfigurationException`.',
  })),
  ...['authorizer.response.deny-body', 'authorizer.response.unauthorized-body'].map((id) => ({
    vendor: 'serverless-offline',
    case: id,
    why: 'refusals are hapi\'s error bodies (`{"statusCode":403,"error":"Forbidden",...}`) without `x-amzn-ErrorType`.',
  })),
  ...[
    'cors.actual.disallowed-origin',
    'cors.origin.null',
    'cors.origin.wildcard-lookalike',
    'cors.browser.simple-get-disallowed-origin',
  ].map((id) => ({
    vendor: 'serverless-offline',
    case: id,
    why: "every non-preflight response echoes the caller's Origin with credentials allowed, whatever the allowed origins.",
  })),
  {
    vendor: 'serverless-offline',
    case: 'cors.vary.preflight',
    why: 'a preflight answer has no `Vary: Origin`.',
  },
  ...['jwt.response.unauthorized-body', 'jwt.response.www-authenticate'].map((id) => ({
    vendor: 'serverless-offline',
    case: id,
    why: "a refused token's body says why (`JWT Token expired`) and there is no `WWW-Authenticate` challenge.",
  })),
  // Its JWT authorizer: every forged token is one deviation with one cause.
  {
    vendor: 'serverless-offline',
    case: 'jwt.attack.*',
    why: "the token is decoded and its iss, aud, exp and scope checked, but never its signature, algorithm or key (serverless-offline's README warns so), nor nbf and iat: forged tokens reach the integration.",
  },
  ...(['nginx', 'haproxy'] as const).flatMap((vendor) => [
    {
      vendor,
      feature: 'validation' as const,
      why: 'no request validator: nothing checks a body against a JSON Schema model or requires a parameter before the upstream.',
    },
    {
      vendor,
      feature: 'transform' as const,
      why: 'no mapping templates (VTL) or passthrough behaviour: headers can be set, but a body cannot be reshaped.',
    },
    {
      vendor,
      feature: 'responses' as const,
      why: 'no gateway-response settings, integration timeout answer or payload limit in the shape API Gateway gives them.',
    },
    { vendor, feature: 'tracing' as const, why: 'no X-Ray trace header is added.' },
  ]),
  {
    vendor: 'serverless-offline',
    feature: 'transform',
    why: 'its VTL engine renders templates into Lambda events only (integration: lambda); the contract maps requests for HTTP integrations, which it cannot express, nor request or response parameter mappings.',
  },
  {
    vendor: 'serverless-offline',
    feature: 'responses',
    why: 'it reads no gateway-response settings and has no integration timeout answer.',
  },
  { vendor: 'serverless-offline', feature: 'tracing', why: 'it adds no X-Ray trace header.' },
  ...['validation.params.*', 'validation.validator.params-only-checks-params'].map((id) => ({
    vendor: 'serverless-offline',
    case: id,
    why: 'required query strings and headers (`request.parameters` marked true) are not enforced: the request reaches the integration.',
  })),
  ...['validation.body.*', 'validation.validator.body-only-checks-body', 'validation.response.aws-body'].map(
    (id) => ({
      vendor: 'serverless-offline',
      case: id,
      why: 'an invalid body is refused 400, but with hapi\'s error body (`Request body validation failed: ...`) instead of `{"message": "Invalid request body"}`.',
    }),
  ),
  {
    vendor: 'serverless-offline',
    case: 'responses.route.*',
    why: 'an unknown route is answered 404 with its own body, where a REST API answers 403 `Missing Authentication Token`.',
  },
  // Releases: none of the gateways gateproof starts besides the reference has stages or a control plane.
  ...(['nginx', 'haproxy', 'serverless-offline'] as const).flatMap((vendor) => [
    {
      vendor,
      feature: 'stages' as const,
      why: 'one configuration is one deployment: there are no stages, deployments or control plane to release through.',
    },
    {
      vendor,
      feature: 'canary' as const,
      why: 'no canary settings: a weighted split would be another upstream block, not a release of a stage.',
    },
  ]),
  ...(['nginx', 'haproxy'] as const).map((vendor) => ({
    vendor,
    feature: 'websocket' as const,
    why: 'it proxies a WebSocket upgrade but has no $connect authorizer call, no route selection by a message body and no @connections API.',
  })),
  // Its WebSocket API, measured: what serverless-offline does instead of API Gateway.
  {
    vendor: 'serverless-offline',
    case: 'websocket.connect.key-*',
    why: "the framework's `websocket` event has no API key setting and serverless-offline checks no `x-api-key` at `$connect`: any key, or none, upgrades.",
  },
  ...['websocket.connect.token-missing', 'websocket.connect.token-in-header'].map((id) => ({
    vendor: 'serverless-offline',
    case: id,
    why: 'the identity source (query `token`) is not required: the authorizer is asked without it, and its refusal (`Unauthorized` thrown) is answered 500, not 401.',
  })),
  {
    vendor: 'serverless-offline',
    case: 'websocket.connect.token-case',
    why: "the authorizer's refusal (`Unauthorized` thrown, as a Lambda authorizer refuses) is answered 500, not 401.",
  },
  {
    vendor: 'serverless-offline',
    case: 'websocket.route.action-case',
    why: 'a message routed to `$default` carries the action it named (`ECHO`) as its route key, not `$default`.',
  },
  {
    vendor: 'serverless-offline',
    case: 'websocket.route.no-match-error',
    why: 'on an API without `$default`, a message no route matches is dropped without a word: no error frame.',
  },
  {
    vendor: 'serverless-offline',
    case: 'websocket.connections.push',
    why: 'a push to @connections is answered 204, not 200.',
  },
  {
    vendor: 'serverless-offline',
    case: 'websocket.connections.gone',
    why: 'a push to a closed connection is answered 410 without `x-amzn-ErrorType: GoneException`.',
  },
  {
    vendor: 'serverless-offline',
    case: 'websocket.connections.describe',
    why: 'there is no GET @connections/{id}: it is answered 426 Upgrade Required.',
  },
  {
    vendor: 'serverless-offline',
    case: 'websocket.connections.unsigned',
    why: 'its @connections API checks no signature: an unsigned push is delivered.',
  },
  ...['websocket.limit.frame-size', 'websocket.limit.message-size'].map((id) => ({
    vendor: 'serverless-offline',
    case: id,
    why: "no frame or message limit but the ws library's 100 MiB: a frame over 32 KB or a message over 128 KB is routed, not closed with 1009.",
  })),
];

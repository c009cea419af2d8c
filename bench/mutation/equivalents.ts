/**
 * Surviving mutants shown to be equivalent, each matched by `mutantKey` (file, mutator, original →
 * replacement, and which of alike mutants), so a line moving elsewhere in its file does not lose
 * it. Three kinds, told apart by the reason's first word, and listed in the README's "Mutation
 * score": `equivalent` (no request can tell), `configuration` (no request to the reference as it is
 * configured can tell: the code serves settings it does not use) and `free-text` (only the
 * human-readable error_description of a JWT challenge changes, which no specification fixes).
 */
export interface Equivalent {
  key: string;
  reason: string;
}

const f = (file: string, rest: string) => `src/reference/${file} ${rest}`;
const JWT_FREE_TEXT = 'free-text: the token is refused all the same; only the error_description differs';
const REST_CORS = 'configuration: builds the REST-style OPTIONS methods; the reference runs HTTP-API CORS';
const CONFIG_CHECK =
  "configuration: a check of the gateway's configuration at start, which the reference passes";

export const EQUIVALENTS: readonly Equivalent[] = [
  {
    key: f('quota.ts', 'ConditionalExpression this.used > 0 → true'),
    reason: 'equivalent: refund() runs only under the fault quota-refunded-on-error',
  },
  {
    key: f('token-bucket.ts', 'ConditionalExpression now > this.last → true'),
    reason: 'equivalent: when now equals last the refill is zero; it differs only if the clock stepped back',
  },
  {
    key: f('sigv4-verifier.ts', 'ConditionalExpression width === undefined → false'),
    reason: 'equivalent: slice(0, undefined) is the whole token, so the comparison is the same',
  },
  ...[4, 5, 6].map((n) => ({
    key: f('jwt-authorizer.ts', `StringLiteral '' → "Stryker was here!" #${n}`),
    reason: 'equivalent: COMPACT_JWS has already required three segments, so these defaults never apply',
  })),
  {
    key: f('jwt-authorizer.ts', "MethodExpression value.split(' ').filter(Boolean) → value.split(' ')"),
    reason: "equivalent: an empty scope never equals one of a route's scopes",
  },
  {
    key: f('jwt-authorizer.ts', "ConditionalExpression typeof authorization !== 'string' → false"),
    reason:
      'equivalent: Node keeps the first of repeated Authorization headers, so the token is never a list',
  },
  {
    key: f(
      'jwt-authorization.ts',
      "ConditionalExpression locked || (fault === 'jwt-bearer-required' && !/^bearer /i.test(String(token ?? ''))) → false",
    ),
    reason:
      'equivalent: failures are counted, and a caller locked out, only under the fault jwt-failure-lockout',
  },
  {
    key: f('lambda-authorizer.ts', 'MethodExpression candidate.toLowerCase() → candidate.toUpperCase()'),
    reason: "equivalent: the authorizer gets Node's lower-cased header names, which the direct lookup finds",
  },
  {
    key: f('lambda-authorizer.ts', `StringLiteral '' → "Stryker was here!" #5`),
    reason:
      'equivalent: the empty identity values are used only under the fault authorizer-called-without-identity',
  },
  {
    key: f('lambda-authorizer.ts', 'ArrowFunction () => cache.clear() → () => undefined'),
    reason: "equivalent: no request flushes a Lambda authorizer's cache (only unit tests call flush)",
  },
  ...[
    'the token does not match identityValidationExpression',
    'the policy allows nothing that matches this method',
  ].map((text) => ({
    key: f('lambda-authorizer.ts', `StringLiteral '${text}' → ""`),
    reason: "equivalent: a Lambda authorizer refusal's reason is never sent",
  })),
  {
    key: f('lambda-authorizer-result.ts', `StringLiteral 'MalformedResultError' → ""`),
    reason: "equivalent: the error class's name; it is told by instanceof and never sent",
  },
  {
    key: f('lambda-authorizer-result.ts', `StringLiteral 'context is not an object' → ""`),
    reason: 'equivalent: the reason for a malformed result is never sent (the answer is 500 in any case)',
  },
  {
    key: f(
      'lambda-authorizer-result.ts',
      "LogicalOperator typeof value === 'object' && value !== null && !Array.isArray(value) → typeof value === 'object' && value !== null || !Array.isArray(value)",
    ),
    reason:
      'equivalent: a result that is no object still has no principalId, so it is refused as malformed alike',
  },
  {
    key: f('cors-policy.ts', `StringLiteral 'access-control-request-headers' → ""`),
    reason:
      'equivalent: without a fault the allowed headers are the configured list, whatever a preflight asks',
  },
  {
    key: f('cors-policy.ts', 'MethodExpression methods.filter(Boolean) → methods'),
    reason: 'equivalent: only a fault adds an empty method to the configured ones',
  },
  {
    key: f('cors-policy.ts', 'ArrayDeclaration [] → ["Stryker was here"]'),
    reason: 'equivalent: Vary is replaced rather than extended only under the fault cors-vary-replaced',
  },
  {
    key: f('quota.ts', 'ConditionalExpression this.period === this.firstPeriod → false'),
    reason: "configuration: the reference's quotas have offset 0, so the first period's limit is the limit",
  },
  {
    key: f('jwt-authorizer.ts', `StringLiteral 'UNAUTHORIZED' → ""`),
    reason: 'configuration: the Cognito variant of the JWT authorizer, which the reference does not run',
  },
  {
    key: f('jwt-authorizer.ts', "ConditionalExpression refusal.kind === 'expired' → false"),
    reason: 'configuration: the Cognito variant of the JWT authorizer, which the reference does not run',
  },
  {
    key: f('jwt-authorizer.ts', 'ConditionalExpression scopes.length > 0 → true'),
    reason: "configuration: the contract's one JWT route requires a scope",
  },
  {
    key: f('jwt-authorization.ts', 'ConditionalExpression identitySource === undefined → false'),
    reason: "configuration: the contract's JWT authorizer names its identity source",
  },
  {
    key: f(
      'lambda-authorizer.ts',
      "BlockStatement {\n    throw new Error('a REQUEST authorizer with caching on needs at least one identity source');\n  } → {}",
    ),
    reason: CONFIG_CHECK,
  },
  {
    key: f(
      'lambda-authorizer.ts',
      'BlockStatement {\n        throw new Error(\n          `identitySource "${part}": expected method.request.header.NAME or method.request.querystring.NAME`,\n        );\n      } → {}',
    ),
    reason: CONFIG_CHECK,
  },
  { key: f('lambda-authorizer.ts', `StringLiteral 'TOKEN' → ""`), reason: CONFIG_CHECK },
  {
    key: f(
      'lambda-authorizer-result.ts',
      "ConditionalExpression typeof principalId !== 'string' || principalId === '' → false",
    ),
    reason: "configuration: the reference's authorizer function always answers a principalId",
  },
  {
    key: f(
      'cors-policy.ts',
      "LogicalOperator this.config.exposeHeaders.length && fault !== 'cors-expose-headers-missing' → this.config.exposeHeaders.length || fault !== 'cors-expose-headers-missing'",
    ),
    reason: 'configuration: the reference exposes headers, so the list is never empty',
  },
  {
    key: f('cors-policy.ts', 'ConditionalExpression allowHeaders.length → true'),
    reason: 'configuration: the reference allows headers, so the list is never empty',
  },
  {
    key: f('cors.ts', 'ArrayDeclaration [...(byResource.get(method.resourcePath) ?? []), method] → []'),
    reason: REST_CORS,
  },
  { key: f('cors.ts', 'ArrayDeclaration [] → ["Stryker was here"] #3'), reason: REST_CORS },
  { key: f('cors.ts', `StringLiteral '' → "Stryker was here!"`), reason: REST_CORS },
  {
    key: f(
      'stage-cache.ts',
      'LogicalOperator own.requireAuthorizationForCacheControl ??\n        all.requireAuthorizationForCacheControl → own.requireAuthorizationForCacheControl && all.requireAuthorizationForCacheControl',
    ),
    reason: 'configuration: no method setting of the reference sets requireAuthorizationForCacheControl',
  },
  {
    key: f(
      'stage-cache.ts',
      'EqualityOperator this.bytes + bytes <= this.config.maxBytes → this.bytes + bytes < this.config.maxBytes',
    ),
    reason: 'configuration: a run never fills the stage cache to its capacity',
  },
  {
    key: f('stage-cache.ts', 'ConditionalExpression old → false'),
    reason:
      'configuration: a replaced entry is still replaced; only the byte count drifts, and capacity is never reached',
  },
  {
    key: f('cache-step.ts', 'ArrowFunction (_ctx, next) => next() → () => undefined'),
    reason: 'configuration: the reference always has a stage cache',
  },
  {
    key: f('router.ts', `StringLiteral '/' → ""`),
    reason: "configuration: the contract has no method on the stage's root resource",
  },
  ...[
    `StringLiteral 'header' → ""`,
    "BlockStatement {\n    throw new Refusal(`the token ${part} is not base64url-encoded JSON`, 'malformed');\n  } → {}",
    "ConditionalExpression authorization === '' → false",
    "LogicalOperator typeof value === 'object' && value !== null && !Array.isArray(value) → typeof value === 'object' && value !== null || !Array.isArray(value)",
    "ConditionalExpression typeof value === 'object' → true",
    'Regex /^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$/ → /^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*/',
  ].map((rest) => ({ key: f('jwt-authorizer.ts', rest), reason: JWT_FREE_TEXT })),
  // The request pipeline and the WebSocket API.
  {
    key: f(
      'method-request.ts',
      'StringLiteral `${where}: request validator ${String(name)} is not defined` → ``',
    ),
    reason: CONFIG_CHECK,
  },
  ...[
    `BooleanLiteral !Number.isInteger(statusCode) → Number.isInteger(statusCode)`,
    `ConditionalExpression !Number.isInteger(statusCode) || statusCode < 400 → false`,
    'ConditionalExpression !KNOWN.has(type) → false',
  ].map((rest) => ({ key: f('gateway-response-settings.ts', rest), reason: CONFIG_CHECK })),
  {
    key: f('gateway-response-settings.ts', "ConditionalExpression typeof value !== 'object' → false"),
    reason: 'configuration: every gateway-response setting of the contract is a map, never a string',
  },
  {
    key: f('gateway-response-settings.ts', 'LogicalOperator where && name → where || name'),
    reason: 'equivalent: the pattern captures both groups or neither',
  },
  {
    key: f('template-context.ts', 'ConditionalExpression value !== undefined → true'),
    reason: 'equivalent: Node gives no header an undefined value; a header sent is a string or a list',
  },
  {
    key: f('http-integration.ts', 'ConditionalExpression template === undefined → true'),
    reason:
      'equivalent: without a fault, the branch is reached only when no request template matches (a template that matches took the first one)',
  },
  {
    key: f(
      'http-integration.ts',
      'Regex /^integration\\.response\\.header\\.(.+)$/ → /^integration\\.response\\.header\\.(.+)/',
    ),
    reason: 'equivalent: `(.+)` takes the rest of the line, so the end anchor changes nothing',
  },
  {
    key: f(
      'http-integration.ts',
      'OptionalChaining (node as Record<string, unknown> | undefined)?.[key] → (node as Record<string, unknown> | undefined)[key] #2',
    ),
    reason:
      'equivalent: a path through a missing field throws inside the try, whose answer is the same undefined',
  },
  {
    key: f('http-integration.ts', 'ConditionalExpression value === undefined → false #2'),
    reason: 'configuration: the contract maps only context variables every request has (requestId)',
  },
  {
    key: f('tracing.ts', 'ArrowFunction (_ctx, next) => next() → () => undefined'),
    reason: 'configuration: the reference REST stage always traces',
  },
  {
    key: f('websocket-connect.ts', `StringLiteral 'REQUEST' → ""`),
    reason:
      "configuration: the reference's authorizer function decides by the token and headers, never by the event's type",
  },
];

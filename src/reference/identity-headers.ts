import { AUTHORIZER_HEADER_PREFIX, authorizerHeaders } from './authorizer-outcome.js';
import type { FaultName } from './faults.js';
import type { RequestContext } from './pipeline.js';

/**
 * The headers through which the gateway tells the integration who the caller is: the authorizer
 * context (`x-gp-authorizer-*`) and `$context.identity` (`x-gp-identity-*`: the API key's id, the
 * IAM caller's ARN). The integration trusts them, so only the gateway may set them: a client's
 * own are removed before the gateway adds its values.
 */

export const IDENTITY_HEADER_PREFIX = 'x-gp-identity-';
const PREFIXES = [AUTHORIZER_HEADER_PREFIX, IDENTITY_HEADER_PREFIX];

/** The identity headers a target profile declares for the reference, as the spoofing cases read them. */
export const DECLARED_IDENTITY_HEADERS = [
  `${IDENTITY_HEADER_PREFIX}apikeyid`,
  `${IDENTITY_HEADER_PREFIX}userarn`,
];

/** The gateway's own identity headers for this request. */
export function gatewayIdentityHeaders(ctx: RequestContext): Record<string, string> {
  const headers: Record<string, string> = {};
  if (ctx.apiKey) headers[`${IDENTITY_HEADER_PREFIX}apikeyid`] = ctx.apiKey.id;
  if (ctx.callerArn) headers[`${IDENTITY_HEADER_PREFIX}userarn`] = ctx.callerArn;
  if (ctx.authorizerContext) Object.assign(headers, authorizerHeaders(ctx.authorizerContext));
  return headers;
}

/**
 * Client headers that must not reach the integration: every identity header, by its name in any
 * case. Under a fault, some survive, as they do in gateways that get this almost right.
 */
export function spoofedHeaderNames(ctx: RequestContext, fault: FaultName | undefined): Set<string> {
  const out = new Set<string>();
  if (fault === 'identity-headers-merged') return out;
  if (fault === 'identity-headers-kept-without-authorizer' && ctx.route?.authorization.type === 'NONE') {
    return out;
  }
  for (let i = 0; i < ctx.rawHeaders.length; i += 2) {
    const raw = ctx.rawHeaders[i]!;
    // The fault compares the names as the client wrote them, so X-Gp-Authorizer-Role slips through.
    const name = fault === 'identity-headers-case-sensitive' ? raw : raw.toLowerCase();
    if (PREFIXES.some((prefix) => name.startsWith(prefix))) out.add(raw.toLowerCase());
  }
  return out;
}

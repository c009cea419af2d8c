import { UsageError } from '../usage-error.js';
import { type Authorizer, type AuthorizerSetup, refusalReply, withStageVariables } from './authorizers.js';
import type { FaultName } from './faults.js';
import { gatewayResponse } from './gateway-responses.js';
import { createJwtAuthorizer, JWT_FAULTS, type JwtFaultName, MAX_TOKEN_LENGTH } from './jwt-authorizer.js';
import type { RequestContext } from './pipeline.js';

/**
 * The JWT authorizer (`JWT`, HTTP API semantics) and the Cognito user-pool authorizer
 * (`COGNITO_USER_POOLS`, REST answers), both configured from the scheme's
 * `x-amazon-apigateway-authorizer.jwtConfiguration` with stage variables filled in (the reference
 * gateway cannot reach Cognito, so a Cognito scheme names its issuer the same way). The claims
 * reach the integration as `$context.authorizer.claims.*`.
 */

const LOCKOUT_AFTER = 10;
const LOCKOUT_MS = 60_000;

function isJwtFault(fault: FaultName | undefined): fault is JwtFaultName {
  return JWT_FAULTS.some((candidate) => candidate.name === fault);
}

function identityHeader(scheme: string, identitySource: unknown): string {
  if (identitySource === undefined) return 'authorization';
  const match = /^(?:\$request|method\.request)\.header\.([A-Za-z0-9!#$%&'*+.^_`|~-]+)$/.exec(
    String(identitySource),
  );
  if (!match?.[1]) {
    throw new UsageError(
      `security scheme ${scheme}: identitySource must be one request header, not ${identitySource}`,
    );
  }
  return match[1].toLowerCase();
}

export function jwtAuthorizer(setup: AuthorizerSetup): Authorizer {
  const { authorization, config, clock, fault } = setup;
  const scheme = authorization.scheme ?? authorization.type;
  const raw = authorization.authorizer ?? {};
  const header = identityHeader(scheme, raw.identitySource);
  const jwtConfiguration = (raw.jwtConfiguration ?? {}) as { issuer?: unknown; audience?: unknown };
  const variables = config.stage.variables;
  const issuer = withStageVariables(jwtConfiguration.issuer, variables);
  const audiences = Array.isArray(jwtConfiguration.audience) ? jwtConfiguration.audience : [];
  const audience = audiences.map((value) => withStageVariables(value, variables));
  // Like API Gateway when an authorizer cannot be run: every call is a 500, none gets through.
  if (issuer === undefined || audience.length === 0 || audience.includes(undefined)) {
    return () =>
      refusalReply({ type: 'AUTHORIZER_CONFIGURATION_ERROR', body: { message: null }, headers: {} });
  }
  const verifier = createJwtAuthorizer({
    issuer: fault === 'jwt-issuer-trailing-slash' ? `${issuer}/` : issuer,
    audience: audience as string[],
    variant: authorization.type === 'COGNITO_USER_POOLS' ? 'cognito' : 'http',
    now: () => clock.now(),
    jwks: {
      refetchCooldownMs:
        fault === 'jwt-jwks-never-refetched' ? Number.POSITIVE_INFINITY : config.jwksRefetchCooldownMs,
    },
    ...(isJwtFault(fault) && { fault }),
  });
  const failures = new Map<string, { count: number; lockedUntil: number }>();

  return async (ctx: RequestContext) => {
    // The fault: without the header, the token is taken from ?access_token= as many libraries allow.
    const fromQuery =
      fault === 'jwt-token-from-query' ? (ctx.query.get('access_token') ?? undefined) : undefined;
    const token = ctx.headers[header] ?? fromQuery;
    if (token === undefined && fault === 'jwt-optional') return undefined;
    if (fault === 'jwt-oversized-token-crash' && String(token).length > MAX_TOKEN_LENGTH) {
      return gatewayResponse('API_CONFIGURATION_ERROR');
    }
    const locked = (failures.get(ctx.sourceIp)?.lockedUntil ?? 0) > clock.now();
    const outcome =
      locked || (fault === 'jwt-bearer-required' && !/^bearer /i.test(String(token ?? '')))
        ? await verifier.authorize(undefined, authorization.scopes)
        : await verifier.authorize(token, authorization.scopes);
    if (outcome.ok) {
      if (fault !== 'jwt-claims-not-forwarded') ctx.authorizerContext = outcome.context;
      return undefined;
    }
    if (fault === 'jwt-failure-lockout') {
      const entry = failures.get(ctx.sourceIp) ?? { count: 0, lockedUntil: 0 };
      entry.count += 1;
      if (entry.count >= LOCKOUT_AFTER) entry.lockedUntil = clock.now() + LOCKOUT_MS;
      failures.set(ctx.sourceIp, entry);
    }
    const headers = { ...outcome.headers };
    if (fault === 'jwt-challenge-missing') delete headers['www-authenticate'];
    const body = fault === 'jwt-error-detail-leaked' ? { message: outcome.reason } : outcome.body;
    return refusalReply({ type: outcome.type, body, headers });
  };
}

import type { Profile } from './profile-schema.js';

type Cache = NonNullable<Profile['cache']>;
type Strategy = Cache['unauthorizedStrategy'];

/**
 * The routes a gateway gateproof configures serves, with their methods as in the contract
 * (anything else is "Missing Authentication Token"); keyed ones need a key in a usage plan for
 * this stage, the JWT one a token. No IAM or Lambda authorizer routes: neither nginx nor HAProxy
 * can honour them, so they answer like any unknown resource.
 */
export const ROUTES: Record<string, { methods: string[]; keyed?: true; jwt?: true }> = {
  open: { methods: ['GET', 'POST'] },
  jwt: { methods: ['GET'], jwt: true },
  keyed: { methods: ['GET'], keyed: true },
  quota: { methods: ['GET'], keyed: true },
  throttled: { methods: ['GET'], keyed: true },
  cached: { methods: ['GET', 'POST'] },
  cachedShort: { methods: ['GET'] },
  cachedOff: { methods: ['GET'] },
  cachedStrict: { methods: ['GET'] },
  cachedSilent: { methods: ['GET'] },
};

/** The probe's path for a role: cachedShort is /cached-short. */
export function probePath(role: string): string {
  return `/${role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** API Gateway's gateway responses, which the gateway makes itself. */
export const GATEWAY_RESPONSES = {
  forbidden: { status: 403, type: 'ForbiddenException', message: '"Forbidden"' },
  'missing-token': {
    status: 403,
    type: 'MissingAuthenticationTokenException',
    message: '"Missing Authentication Token"',
  },
  throttled: { status: 429, type: 'TooManyRequestsException', message: '"Too Many Requests"' },
  'limit-exceeded': { status: 429, type: 'LimitExceededException', message: '"Limit Exceeded"' },
  unauthorized: { status: 401, type: 'UnauthorizedException', message: '"Unauthorized"' },
  'integration-failure': { status: 502, type: '', message: '"Internal server error"' },
  'integration-timeout': { status: 504, type: '', message: '"Endpoint request timed out"' },
} as const;
export type GatewayResponse = keyof typeof GATEWAY_RESPONSES;

/** The backend's CORS headers are dropped: like an HTTP API's built-in CORS, the gateway's settings win. */
export const CORS_RESPONSE_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Expose-Headers',
  'Access-Control-Max-Age',
];

/** The claims of a verified JWT forwarded to the integration, as `x-gp-authorizer-claims-<name>` headers. */
export const FORWARDED_CLAIMS = ['sub', 'iss', 'scope'] as const;

/** The answer to an invalidation the caller may not make, under SUCCEED_WITH_RESPONSE_HEADER. */
export const CACHE_WARNING =
  '199 - "Cache-Control: max-age=0 ignored: the caller may not invalidate the cache"';

/** Each cached role's TTL and unauthorized-invalidation strategy, as the contract's method settings say. */
export const CACHED_ROLES: Record<string, (c: Cache) => { ttlSeconds: number; strategy: Strategy }> = {
  cached: (c) => ({ ttlSeconds: c.ttlSeconds, strategy: c.unauthorizedStrategy }),
  cachedShort: (c) => ({ ttlSeconds: c.shortTtlSeconds, strategy: c.unauthorizedStrategy }),
  cachedOff: (c) => ({ ttlSeconds: 0, strategy: c.unauthorizedStrategy }),
  cachedStrict: (c) => ({ ttlSeconds: c.ttlSeconds, strategy: 'FAIL_WITH_403' }),
  cachedSilent: (c) => ({ ttlSeconds: c.ttlSeconds, strategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER' }),
};

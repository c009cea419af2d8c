import type { Fault } from './fault.js';

/**
 * Faults of the JWT authorizer as the gateway runs it: its configuration and what it does with
 * the verdict. Faults of the token checks themselves are JWT_FAULTS, beside the verifier.
 */
export const JWT_GATEWAY_FAULTS = [
  {
    name: 'jwt-optional',
    description:
      'a request without a token is let through unauthenticated, as if the authorizer were optional',
    breaks: ['jwt.reject.missing', 'jwt.reject.token-in-query'],
  },
  {
    name: 'jwt-token-from-query',
    description: 'without an Authorization header, the token is read from the access_token query parameter',
    breaks: ['jwt.reject.token-in-query'],
  },
  {
    name: 'jwt-issuer-trailing-slash',
    description:
      'the authorizer is configured with the issuer URL plus a trailing slash, so no real token matches',
    breaks: [
      'jwt.accept.valid',
      'jwt.accept.claims-forwarded',
      'jwt.accept.bare-token',
      'jwt.accept.expiring-soon',
      'jwt.accept.nbf-just-passed',
      'jwt.accept.aud-in-list',
      'jwt.accept.client-id',
      'jwt.accept.scope-among-others',
      'jwt.accept.scp-list',
      'jwt.accept.bearer-lower-case',
      'jwt.spoof.authorizer-context',
      'jwt.spoof.authorizer-context-mixed-case',
      'jwt.spoof.declared-identity',
      'jwt.accept.after-attacks',
      'jwt.rotation.new-key-accepted',
    ],
  },
  {
    name: 'jwt-bearer-required',
    description: 'only "Bearer <token>" is read; a token sent alone is refused',
    breaks: ['jwt.accept.bare-token'],
  },
  {
    name: 'jwt-claims-not-forwarded',
    description: "the token's claims are not passed on to the integration",
    breaks: ['jwt.accept.claims-forwarded'],
  },
  {
    name: 'jwt-jwks-never-refetched',
    description: 'the JWKS is fetched once and never again, so a rotated key is never learnt',
    breaks: ['jwt.rotation.new-key-accepted'],
  },
  {
    name: 'jwt-failure-lockout',
    description: 'after 10 refused tokens a caller is locked out for a minute, valid tokens included',
    breaks: ['jwt.accept.after-attacks', 'jwt.rotation.new-key-accepted'],
  },
  {
    name: 'jwt-oversized-token-crash',
    description:
      'the header limit is lifted and a token too large for the verifier crashes it: 500 instead of a 4xx',
    breaks: ['jwt.attack.oversized'],
  },
  {
    name: 'jwt-challenge-missing',
    description: 'a refused token is answered 401 without a WWW-Authenticate challenge',
    breaks: ['jwt.response.www-authenticate'],
  },
  {
    name: 'jwt-error-detail-leaked',
    description: 'a refused token is answered with why it was refused instead of "Unauthorized"',
    breaks: ['jwt.response.unauthorized-body'],
  },
] as const satisfies readonly Fault[];

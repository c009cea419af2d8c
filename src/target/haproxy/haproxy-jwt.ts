import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { checked } from '../config-values.js';
import { FORWARDED_CLAIMS } from '../gateway-routes.js';
import type { Profile } from '../profile-schema.js';
import { gatewayReturn, matchesAny } from './haproxy-syntax.js';

type Jwt = NonNullable<Profile['jwt']>;

/** A public key HAProxy verifies with: the kid it is published under, and its PEM file. */
export interface JwtKey {
  kid: string;
  file: string;
}

/**
 * The issuer's RS256 keys as PEM files in the prefix. jwt_verify reads its keys when HAProxy
 * starts and never fetches a JWKS: these are the keys it will ever know.
 */
export function jwtKeyFiles(jwks: JSONWebKeySet, prefix: string): Array<JwtKey & { pem: string }> {
  return jwks.keys
    .filter((k) => k.kty === 'RSA' && (k.alg === undefined || k.alg === 'RS256') && typeof k.kid === 'string')
    .map((k, i) => ({
      kid: k.kid!,
      file: join(prefix, `jwt-key-${i}.pem`),
      pem: createPublicKey({ key: k, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString(),
    }));
}

const TOKEN = 'var(txn.gp_jwt)';
/** Quoted, so HAProxy's config reader passes its backslashes through to the regex. */
const BEARER = "'^bearer +[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$'";
const OK = '!{ var(txn.gp_jwt_error) -m found }';
const CLAIM = (claim: string, type = '') =>
  `${TOKEN},jwt_payload_query('$.${claim}'${type ? `,'${type}'` : ''})`;

/**
 * The JWT authorizer of an HTTP API, in HAProxy's own converters: a Bearer token, RS256 only, a
 * kid among the keys written at start, its signature verified (jwt_verify is told the algorithm;
 * the token's header never chooses it), then iss, aud (or client_id), exp, nbf, iat and one of the
 * route's scopes. The first problem found is the reason given in the challenge. Header parameters
 * naming other keys (jwk, jku, x5u, x5c) are never read. The claims reach the integration in
 * place of any header of the same name the client sent.
 */
export function jwtRules(jwt: Jwt, keys: readonly JwtKey[]): string[] {
  const issuer = checked(jwt.issuer, /^https?:\/\/[A-Za-z0-9.:/_-]+$/, 'jwt.issuer');
  const audience = checked(jwt.audience, /^[A-Za-z0-9._:/-]+$/, 'jwt.audience');
  const scopes = jwt.scopes.map((s) => checked(s, /^[A-Za-z0-9._:/-]+$/, 'jwt.scopes'));
  const fail = (why: string, condition: string) =>
    `http-request set-var(txn.gp_jwt_error) str('${why}') if ${OK} ${condition}`;
  const rules = [
    // Exactly one Authorization header holding one Bearer token: http_auth_bearer would read the
    // first of a comma-separated list, letting a second token ride along.
    `http-request set-var(txn.gp_jwt) req.fhdr(authorization),regsub(^[^\\ ]+\\ +,) if { req.fhdr_cnt(authorization) eq 1 } { req.fhdr(authorization) -m reg -i ${BEARER} }`,
    fail('no token', `!{ ${TOKEN} -m found }`),
    `http-request set-var(txn.gp_jwt_alg) ${TOKEN},jwt_header_query('$.alg')`,
    `http-request set-var(txn.gp_jwt_kid) ${TOKEN},jwt_header_query('$.kid')`,
    // A header that is not base64url JSON has no alg.
    fail('the token is malformed', '!{ var(txn.gp_jwt_alg) -m found }'),
    fail('the algorithm is not allowed', `!{ var(txn.gp_jwt_alg) -m str RS256 }`),
    // No extension is understood, so a token that makes one critical is refused (RFC 7515 §4.1.11).
    fail('the token names critical extensions', `{ ${TOKEN},jwt_header_query('$.crit') -m found }`),
    fail('the token names critical extensions', `{ ${TOKEN},jwt_header_query('$.crit[0]') -m found }`),
    fail(
      'the key is unknown',
      `!{ var(txn.gp_jwt_kid) ${matchesAny(keys.length > 0 ? keys.map((k) => checked(k.kid, /^[A-Za-z0-9_-]+$/, 'kid')) : ['none'])} }`,
    ),
    ...keys.map(
      (k) =>
        `http-request set-var(txn.gp_jwt_valid) ${TOKEN},jwt_verify(RS256,"${k.file}") if ${OK} { var(txn.gp_jwt_kid) ${matchesAny([k.kid])} }`,
    ),
    fail('the signature does not verify', `!{ var(txn.gp_jwt_valid) -m int 1 }`),
    'http-request set-var(txn.gp_now) date',
    fail('the issuer is not trusted', `!{ ${CLAIM('iss')} ${matchesAny([issuer])} }`),
    // aud is a string or a list; only without it may client_id name the audience.
    ...['aud', 'aud[0]'].map((present) =>
      fail(
        'the audience is not allowed',
        `{ ${CLAIM(present)} -m found } !{ ${CLAIM('aud')} ${matchesAny([audience])} } ${[0, 1, 2, 3].map((i) => `!{ ${CLAIM(`aud[${i}]`)} ${matchesAny([audience])} }`).join(' ')}`,
      ),
    ),
    fail(
      'the audience is not allowed',
      `!{ ${CLAIM('aud')} -m found } !{ ${CLAIM('aud[0]')} -m found } !{ ${CLAIM('client_id')} ${matchesAny([audience])} }`,
    ),
    `http-request set-var(txn.gp_jwt_exp) ${CLAIM('exp', 'int')}`,
    fail('the token has expired', `!{ var(txn.gp_jwt_exp),sub(txn.gp_now) gt 0 }`),
    ...(['nbf', 'iat'] as const).flatMap((claim) => [
      `http-request set-var(txn.gp_jwt_${claim}) ${CLAIM(claim, 'int')}`,
      // Present, it must be a number no later than now.
      fail(
        claim === 'nbf' ? 'the token is not valid yet' : 'the token was issued in the future',
        `{ ${CLAIM(claim)} -m found } !{ var(txn.gp_jwt_${claim}),sub(txn.gp_now) le 0 }`,
      ),
    ]),
  ];
  if (scopes.length > 0) {
    const held = scopes.map((s) => `'(^| )${s.replace(/[.]/g, '\\.')}( |$)'`).join(' ');
    rules.push(
      fail(
        'the token holds none of the route scopes',
        // scope is a space-separated string; scp a string or a list.
        `!{ ${CLAIM('scope')} -m reg ${held} } !{ ${CLAIM('scp')} -m reg ${held} } ${[0, 1, 2, 3].map((i) => `!{ ${CLAIM(`scp[${i}]`)} ${matchesAny(scopes)} }`).join(' ')}`,
      ),
    );
  }
  rules.push(
    `http-request ${gatewayReturn('unauthorized', {
      'WWW-Authenticate':
        'Bearer scope="" error="invalid_token" error_description="%[var(txn.gp_jwt_error)]"',
    })} if { var(txn.gp_jwt_error) -m found }`,
    ...FORWARDED_CLAIMS.map((c) => `http-request set-header x-gp-authorizer-claims-${c} %[${CLAIM(c)}]`),
  );
  return rules;
}

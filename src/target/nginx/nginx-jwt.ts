import { join } from 'node:path';
import { JWKS_PATH } from '../../auth/oidc-issuer.js';
import { checked } from '../config-values.js';
import { FORWARDED_CLAIMS } from '../gateway-routes.js';
import type { Profile } from '../profile-schema.js';
import { jwtVerifierJs } from './nginx-jwt-js.js';
import { block } from './nginx-syntax.js';

type Jwt = NonNullable<Profile['jwt']>;

const VERIFY = '/__gateproof/jwt';
const JWKS = { cached: '/__gateproof/jwks', fresh: '/__gateproof/jwks-fresh' };
export const JWT_MODULE_FILE = 'jwt.js';

/** The njs module the config imports, written beside nginx.conf. */
export function jwtModule(jwt: Jwt): string {
  return jwtVerifierJs({ issuer: jwt.issuer, audience: jwt.audience, scopes: jwt.scopes, jwks: JWKS });
}

export function jwtHttp(prefix: string): string[] {
  return [
    `js_import gp_jwt from ${join(prefix, JWT_MODULE_FILE)};`,
    // Set by the verifying subrequest, read by its parent: a subrequest shares its parent's variables.
    'js_var $gp_jwt_error;',
    ...FORWARDED_CLAIMS.map((c) => `js_var $gp_jwt_${c};`),
    `proxy_cache_path ${join(prefix, 'jwks')} levels=1 keys_zone=gp_jwks:1m max_size=4m inactive=1h use_temp_path=off;`,
  ];
}

/** The challenge of a refused token, with the verifier's reason (it never holds a quote). */
export const JWT_CHALLENGE =
  'add_header WWW-Authenticate \'Bearer scope="" error="invalid_token" error_description="$gp_jwt_error"\' always;';

/** The route's lines: verify first, then the claims to the integration, in place of any a client sent. */
export function jwtRoute(unauthorized: string): string[] {
  return [
    `auth_request ${VERIFY};`,
    `error_page 401 ${unauthorized};`,
    ...FORWARDED_CLAIMS.map((c) => `proxy_set_header x-gp-authorizer-claims-${c} $gp_jwt_${c};`),
  ];
}

/**
 * The verifier and the issuer's JWKS: cached for an hour, and a second copy cached for a second,
 * which an unknown kid is looked up in, so a new key is learnt at once and an attacker's stream of
 * unknown kids costs the issuer at most one fetch a second. A JWKS fetch gets API Gateway's 1.5 s,
 * and a document over 150 KB does not fit the buffer, so no key is learnt from it.
 */
export function jwtLocations(jwt: Jwt): string[] {
  const issuer = checked(jwt.issuer, /^http:\/\/[0-9.]+:\d+\/?$/, 'jwt.issuer').replace(/\/$/, '');
  const upstream = `${issuer}${JWKS_PATH}`;
  const jwks = (path: string, seconds: number) =>
    block(`location = ${path}`, [
      'internal;',
      `proxy_pass ${upstream};`,
      'proxy_cache gp_jwks;',
      `proxy_cache_key ${path};`,
      `proxy_cache_valid 200 ${seconds}s;`,
      'proxy_cache_lock on;',
      'proxy_ignore_headers Cache-Control Expires Set-Cookie;',
      'proxy_connect_timeout 1500ms;',
      'proxy_read_timeout 1500ms;',
      'subrequest_output_buffer_size 150k;',
    ]);
  return [
    block(`location = ${VERIFY}`, ['internal;', 'js_content gp_jwt.verify;']),
    jwks(JWKS.cached, 3600),
    jwks(JWKS.fresh, 1),
  ];
}

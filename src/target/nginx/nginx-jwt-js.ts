/**
 * The JWT authorizer in njs (nginx's JavaScript, 0.7 and later), as an HTTP API's: RS256 only, a
 * kid the issuer's JWKS publishes (refetched once on an unknown kid), iss, aud (or client_id),
 * exp, nbf, iat and one of the route's scopes. Header parameters that name other keys (jwk, jku,
 * x5u, x5c) are ignored, never fetched. It runs as nginx's auth_request: 204 admits, 401 refuses,
 * and the claims go to the integration through variables the subrequest shares with its parent.
 */

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  /** The route's scopes: a token must hold one of them (none: no scope is needed). */
  scopes: readonly string[];
  /** Internal locations proxying to the issuer's JWKS: cached for long, and for a second (a refetch). */
  jwks: { cached: string; fresh: string };
}

import { FORWARDED_CLAIMS } from '../gateway-routes.js';

/** The njs module: plain ES5-style code with async/await, which njs 0.7 runs. */
export function jwtVerifierJs(options: JwtVerifierOptions): string {
  const config = JSON.stringify({
    issuer: options.issuer,
    audience: options.audience,
    scopes: options.scopes,
    jwks: options.jwks,
    claims: FORWARDED_CLAIMS,
  });
  return `// Written by gateproof: the JWT authorizer of an nginx target.
var CONFIG = ${config};
var TOKEN = /^(?:bearer +)?([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]*)$/i;
// AlgorithmIdentifier rsaEncryption with NULL parameters, as SubjectPublicKeyInfo begins.
var RSA_ALGORITHM = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

function derLength(n) {
  if (n < 0x80) return [n];
  var bytes = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = n >> 8;
  }
  return [0x80 | bytes.length].concat(bytes);
}

function der(tag, content) {
  return [tag].concat(derLength(content.length), content);
}

function bytesOf(b64url) {
  var buffer = Buffer.from(b64url, 'base64url');
  var out = [];
  for (var i = 0; i < buffer.length; i++) out.push(buffer[i]);
  return out;
}

function unsignedInteger(bytes) {
  var i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  var value = bytes.slice(i);
  if (value[0] & 0x80) value.unshift(0);
  return der(0x02, value);
}

// njs 0.7 imports RSA keys as SPKI only: the JWK's modulus and exponent, written out in DER.
function spki(jwk) {
  var key = der(0x30, unsignedInteger(bytesOf(jwk.n)).concat(unsignedInteger(bytesOf(jwk.e))));
  return new Uint8Array(der(0x30, RSA_ALGORITHM.concat(der(0x03, [0].concat(key)))));
}

async function findKey(r, kid, refresh) {
  var reply = await r.subrequest(refresh ? CONFIG.jwks.fresh : CONFIG.jwks.cached);
  if (reply.status !== 200) return undefined;
  var jwks;
  try {
    jwks = JSON.parse(reply.responseText);
  } catch (e) {
    return undefined;
  }
  var keys = jwks && Array.isArray(jwks.keys) ? jwks.keys : [];
  for (var i = 0; i < keys.length; i++) {
    var k = keys[i];
    if (k && k.kid === kid && k.kty === 'RSA' && (k.alg === undefined || k.alg === 'RS256')) return k;
  }
  return undefined;
}

function object(text) {
  var value = JSON.parse(Buffer.from(text, 'base64url').toString());
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
  return value;
}

function audienceOk(payload) {
  if (payload.aud === undefined) return payload.client_id === CONFIG.audience;
  var list = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  return list.indexOf(CONFIG.audience) !== -1;
}

function scopeOk(payload) {
  if (CONFIG.scopes.length === 0) return true;
  var held = [];
  if (typeof payload.scope === 'string') held = held.concat(payload.scope.split(' '));
  if (typeof payload.scp === 'string') held = held.concat(payload.scp.split(' '));
  if (Array.isArray(payload.scp)) held = held.concat(payload.scp);
  return CONFIG.scopes.some(function (s) { return held.indexOf(s) !== -1; });
}

function claimsProblem(payload) {
  var now = Date.now() / 1000;
  if (payload.iss !== CONFIG.issuer) return 'the issuer is not trusted';
  if (!audienceOk(payload)) return 'the audience is not allowed';
  if (typeof payload.exp !== 'number' || payload.exp <= now) return 'the token has expired';
  if (payload.nbf !== undefined && !(typeof payload.nbf === 'number' && payload.nbf <= Math.ceil(now))) {
    return 'the token is not valid yet';
  }
  if (payload.iat !== undefined && !(typeof payload.iat === 'number' && payload.iat <= Math.ceil(now))) {
    return 'the token was issued in the future';
  }
  if (!scopeOk(payload)) return 'the token holds none of the route scopes';
  return undefined;
}

async function verify(r) {
  function refuse(why) {
    r.variables.gp_jwt_error = why;
    r.return(401);
  }
  var authorization = r.headersIn.Authorization;
  if (!authorization) return refuse('no token');
  var parts = TOKEN.exec(authorization);
  if (!parts) return refuse('the token is malformed');
  var header;
  var payload;
  try {
    header = object(parts[1]);
    payload = object(parts[2]);
  } catch (e) {
    return refuse('the token is malformed');
  }
  if (header.alg !== 'RS256') return refuse('the algorithm is not allowed');
  // No extension is understood, so a token that makes one critical is refused (RFC 7515 4.1.11).
  if (header.crit !== undefined) return refuse('the token names critical extensions');
  if (typeof header.kid !== 'string') return refuse('the token names no key');
  var jwk = (await findKey(r, header.kid, false)) || (await findKey(r, header.kid, true));
  if (!jwk) return refuse('the key is unknown');
  var valid = false;
  try {
    var key = await crypto.subtle.importKey('spki', spki(jwk), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, Buffer.from(parts[3], 'base64url'), parts[1] + '.' + parts[2]);
  } catch (e) {
    valid = false;
  }
  if (!valid) return refuse('the signature does not verify');
  var problem = claimsProblem(payload);
  if (problem) return refuse(problem);
  for (var i = 0; i < CONFIG.claims.length; i++) {
    var claim = payload[CONFIG.claims[i]];
    // Control characters could end the header the value is sent in.
    r.variables['gp_jwt_' + CONFIG.claims[i]] = claim === undefined ? '' : String(claim).replace(/[\\x00-\\x1f\\x7f]/g, '');
  }
  r.return(204);
}

export default { verify: verify };
`;
}

import { createHmac } from 'node:crypto';
import {
  base64url,
  type CryptoKey,
  compactVerify,
  exportSPKI,
  importJWK,
  importX509,
  type JWK,
  type JWTPayload,
} from 'jose';
import { request } from 'undici';
import { type AuthorizerRejection, rejection } from './authorizer-outcome.js';
import { JwksCache, type JwksCacheOptions, JwksUnavailableError } from './jwks-cache.js';

/**
 * API Gateway's JWT authorizer (HTTP API), and the answers of the REST Cognito user-pool
 * authorizer as a variant. Order of work: size, shape, header, algorithm, kid in the issuer's
 * JWKS, signature, then iss, aud (else client_id), exp, nbf, iat and the route's scopes. Keys
 * come only from the configured issuer: `jwk`, `jku`, `x5u` and `x5c` headers are never used.
 */

/** "RSA algorithms only", as API Gateway's HTTP API puts it. */
export const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;

/** AWS caps all request headers near 10 KB; anything longer is refused before it is parsed. */
export const MAX_TOKEN_LENGTH = 10_240;

/** Promises this authorizer can be told to break, and the cases that must catch each. */
export const JWT_FAULTS = [
  {
    name: 'jwt-accept-alg-none',
    description: 'a token with alg "none", in any letter case, is accepted without a signature',
    breaks: [
      'jwt.attack.alg-none',
      'jwt.attack.alg-none-capitalized',
      'jwt.attack.alg-none-uppercase',
      'jwt.attack.alg-none-mixed-case',
    ],
  },
  {
    name: 'jwt-ignore-exp',
    description: 'the exp claim is not checked',
    breaks: ['jwt.attack.expired', 'jwt.attack.exp-just-past'],
  },
  {
    name: 'jwt-ignore-aud',
    description: 'the aud and client_id claims are not checked',
    breaks: [
      'jwt.attack.wrong-aud',
      'jwt.attack.aud-extended',
      'jwt.attack.aud-truncated',
      'jwt.attack.aud-upper-case',
      'jwt.attack.wrong-aud-right-client-id',
    ],
  },
  {
    name: 'jwt-hs-rs-confusion',
    description:
      "an HS256 token is verified with the kid's RSA public key (PEM or modulus) as the HMAC secret",
    breaks: ['jwt.attack.hs256-key-confusion-pem', 'jwt.attack.hs256-key-confusion-jwk-n'],
  },
  {
    name: 'jwt-trust-embedded-jwk',
    description: "the key in a token's jwk header is trusted",
    breaks: ['jwt.attack.embedded-jwk'],
  },
  {
    name: 'jwt-trust-embedded-x5c',
    description: "the certificate in a token's x5c header is trusted",
    breaks: ['jwt.attack.embedded-x5c'],
  },
  {
    name: 'jwt-follow-jku',
    description: "keys are fetched from the URL in a token's jku header",
    breaks: ['jwt.attack.jku-elsewhere'],
  },
  {
    name: 'jwt-follow-x5u',
    description: "the certificate is fetched from the URL in a token's x5u header",
    breaks: ['jwt.attack.x5u-elsewhere'],
  },
  {
    name: 'jwt-signature-not-verified',
    description: 'the token is decoded and its claims checked, but its signature is never verified',
    breaks: [
      'jwt.attack.bad-signature',
      'jwt.attack.empty-signature',
      'jwt.attack.oversized-signature',
      'jwt.attack.alg-none',
      'jwt.attack.alg-none-capitalized',
      'jwt.attack.alg-none-uppercase',
      'jwt.attack.alg-none-mixed-case',
      'jwt.attack.hs256-key-confusion-pem',
      'jwt.attack.hs256-key-confusion-jwk-n',
      'jwt.attack.hs256-weak-secret',
      'jwt.attack.unknown-kid',
      'jwt.attack.embedded-jwk',
      'jwt.attack.jku-elsewhere',
      'jwt.attack.x5u-elsewhere',
      'jwt.attack.embedded-x5c',
      'jwt.attack.ecdsa-zero-raw',
      'jwt.attack.ecdsa-zero-der',
      'jwt.attack.crit-unknown',
      'jwt.attack.kid-path-traversal',
    ],
  },
  {
    name: 'jwt-kid-fallback-any-key',
    description: 'a kid absent from the JWKS falls back to trying every published key',
    breaks: ['jwt.attack.unknown-kid'],
  },
  {
    name: 'jwt-hmac-shared-secret',
    description: 'HS256 tokens signed with a shared secret left at its default ("secret") are accepted too',
    breaks: ['jwt.attack.hs256-weak-secret'],
  },
  {
    name: 'jwt-ecdsa-psychic-signature',
    description: 'ES256 is allowed and an all-zero signature verifies (CVE-2022-21449)',
    breaks: ['jwt.attack.ecdsa-zero-raw', 'jwt.attack.ecdsa-zero-der'],
  },
  {
    name: 'jwt-ignore-iss',
    description: 'the iss claim is not checked',
    breaks: [
      'jwt.attack.wrong-iss',
      'jwt.attack.iss-trailing-slash',
      'jwt.attack.iss-upper-case',
      'jwt.attack.iss-truncated',
      'jwt.attack.iss-empty',
    ],
  },
  {
    name: 'jwt-ignore-nbf-iat',
    description: 'only exp is checked: a token not valid yet, or issued in the future, is accepted',
    breaks: [
      'jwt.attack.nbf-ahead',
      'jwt.attack.iat-ahead',
      'jwt.attack.nbf-just-ahead',
      'jwt.attack.iat-just-ahead',
    ],
  },
  {
    name: 'jwt-ignore-scopes',
    description: "the route's authorization scopes are not checked",
    breaks: [
      'jwt.attack.missing-scope',
      'jwt.attack.scope-superstring',
      'jwt.attack.scope-truncated',
      'jwt.attack.scope-upper-case',
      'jwt.attack.scope-comma-list',
    ],
  },
  {
    name: 'jwt-fail-open-malformed',
    description: 'a token that cannot be parsed lets the request through without claims (fail open)',
    breaks: [
      'jwt.attack.not-three-parts',
      'jwt.attack.bad-base64',
      'jwt.attack.bad-json',
      'jwt.attack.two-tokens',
    ],
  },
  {
    name: 'jwt-leeway-5-minutes',
    description: 'exp, nbf and iat are checked with 5 minutes of leeway',
    breaks: ['jwt.attack.exp-just-past', 'jwt.attack.nbf-just-ahead', 'jwt.attack.iat-just-ahead'],
  },
  {
    name: 'jwt-leeway-inverted',
    description:
      'the leeway is applied the wrong way: a token must have a minute left before exp and be a minute past nbf',
    breaks: ['jwt.accept.expiring-soon', 'jwt.accept.nbf-just-passed'],
  },
  {
    name: 'jwt-iss-compared-as-url',
    description:
      'iss is compared as a URL, ignoring a trailing slash and letter case, not as the exact string',
    breaks: ['jwt.attack.iss-trailing-slash', 'jwt.attack.iss-upper-case'],
  },
  {
    name: 'jwt-iss-substring',
    description: 'iss passes when the configured issuer contains it',
    breaks: ['jwt.attack.iss-truncated', 'jwt.attack.iss-empty'],
  },
  {
    name: 'jwt-aud-prefix',
    description: 'aud passes when it starts with a configured audience',
    breaks: ['jwt.attack.aud-extended'],
  },
  {
    name: 'jwt-aud-substring',
    description: 'aud passes when a configured audience contains it',
    breaks: ['jwt.attack.aud-truncated'],
  },
  {
    name: 'jwt-aud-case-insensitive',
    description: 'aud is compared without regard to letter case',
    breaks: ['jwt.attack.aud-upper-case'],
  },
  {
    name: 'jwt-aud-array-unsupported',
    description: 'aud is read as a string only: a list of audiences never matches',
    breaks: ['jwt.accept.aud-in-list'],
  },
  {
    name: 'jwt-aud-or-client-id',
    description: 'the token passes when either aud or client_id is a configured audience',
    breaks: ['jwt.attack.wrong-aud-right-client-id'],
  },
  {
    name: 'jwt-client-id-ignored',
    description: 'only aud is read: a token that names its audience in client_id is refused',
    breaks: ['jwt.accept.client-id'],
  },
  {
    name: 'jwt-scope-substring',
    description: 'the scope claim passes when its text contains a required scope',
    breaks: ['jwt.attack.scope-superstring', 'jwt.attack.scope-comma-list', 'jwt.accept.scp-list'],
  },
  {
    name: 'jwt-scope-prefix',
    description: 'scopes are read as a hierarchy: a token scope that begins a required one grants it',
    breaks: ['jwt.attack.scope-truncated'],
  },
  {
    name: 'jwt-scope-case-insensitive',
    description: 'scopes are compared without regard to letter case',
    breaks: ['jwt.attack.scope-upper-case'],
  },
  {
    name: 'jwt-scope-exact-string',
    description:
      'the scope claim must equal a required scope as a whole, so a token holding several is refused',
    breaks: ['jwt.accept.scope-among-others', 'jwt.accept.scp-list'],
  },
  {
    name: 'jwt-scp-ignored',
    description: 'only the scope claim is read, never scp',
    breaks: ['jwt.accept.scp-list'],
  },
  {
    name: 'jwt-bearer-case-sensitive',
    description:
      'only "Bearer " with a capital B is taken off the token; "bearer " stays and the token is unreadable',
    breaks: ['jwt.accept.bearer-lower-case'],
  },
  {
    name: 'jwt-kid-file-lookup',
    description: 'a kid naming a file is read as the HMAC secret, so ../../dev/null gives an empty one',
    breaks: ['jwt.attack.kid-path-traversal'],
  },
  {
    name: 'jwt-crit-ignored',
    description: 'the crit header is not read: a token needing an unknown extension is accepted',
    breaks: ['jwt.attack.crit-unknown'],
  },
  {
    name: 'jwt-exp-coerced',
    description:
      'exp is coerced to a number without checking it is one, so a missing or non-numeric exp never expires',
    breaks: ['jwt.attack.no-exp', 'jwt.attack.exp-not-a-number'],
  },
  {
    name: 'jwt-first-token-of-list',
    description: 'an Authorization header holding a list is cut at the first comma and its first token used',
    breaks: ['jwt.attack.two-tokens'],
  },
] as const;
export type JwtFaultName = (typeof JWT_FAULTS)[number]['name'];

export interface JwtAuthorizerConfig {
  /** Must equal the token's `iss`; discovery is read from it when `jwksUrl` is absent. */
  issuer: string;
  /** The token's `aud` (else `client_id`) must be one of these. */
  audience: readonly string[];
  jwksUrl?: string;
  /** Allowed `alg` values; RSA only by default. */
  algorithms?: readonly string[];
  /** `http`: the HTTP API JWT authorizer (default). `cognito`: the REST Cognito authorizer's answers. */
  variant?: 'http' | 'cognito';
  maxTokenLength?: number;
  /** Milliseconds since the epoch, for the claims and the JWKS cache. */
  now?: () => number;
  jwks?: Omit<JwksCacheOptions, 'jwksUrl' | 'now'>;
  fault?: JwtFaultName;
}

export interface JwtAllow {
  ok: true;
  claims: JWTPayload;
  /** `$context.authorizer.claims.<name>`, every value a string. */
  context: Record<string, string>;
}

export type JwtOutcome = JwtAllow | AuthorizerRejection;

export interface JwtAuthorizer {
  /**
   * Decides on the identity source (the `Authorization` header: the token alone or `Bearer <token>`)
   * for a route requiring `scopes` (any one of them; none means no scope check). Never throws.
   */
  authorize(
    authorization: string | readonly string[] | undefined,
    scopes?: readonly string[],
  ): Promise<JwtOutcome>;
  readonly jwks: JwksCache;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** A failed check: `expired` selects the Cognito variant's own message; `malformed` is a token that does not parse. */
class Refusal {
  constructor(
    readonly description: string,
    readonly kind: 'invalid' | 'malformed' | 'expired' | 'scope' = 'invalid',
  ) {}
}

/** The secret a faulty gateway left at its default. */
const DEFAULT_SHARED_SECRET = new TextEncoder().encode('secret');

/** ECDSA r = s = 0, raw (64 zero bytes) or DER (SEQUENCE of two zero INTEGERs). */
function isZeroEcdsaSignature(signature: Uint8Array): boolean {
  const der = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
  if (signature.length === der.length && signature.every((byte, i) => byte === der[i])) return true;
  return signature.length === 64 && signature.every((byte) => byte === 0);
}

export function createJwtAuthorizer(config: JwtAuthorizerConfig): JwtAuthorizer {
  const now = config.now ?? Date.now;
  const algorithms = new Set(config.algorithms ?? RSA_ALGORITHMS);
  const maxLength = config.maxTokenLength ?? MAX_TOKEN_LENGTH;
  const jwks = new JwksCache(config.issuer, { ...config.jwks, jwksUrl: config.jwksUrl, now });

  async function verify(
    authorization: string | readonly string[] | undefined,
    scopes: readonly string[],
  ): Promise<JwtAllow> {
    if (authorization === undefined || authorization === '')
      throw new Refusal('no token in the identity source');
    if (typeof authorization !== 'string') throw new Refusal('more than one Authorization header');
    if (authorization.length > maxLength) throw new Refusal('the token is too large');
    const value =
      config.fault === 'jwt-first-token-of-list' ? (authorization.split(',')[0] ?? '').trim() : authorization;
    const token = value.replace(
      config.fault === 'jwt-bearer-case-sensitive' ? /^Bearer +/ : /^bearer +/i,
      '',
    );
    if (!COMPACT_JWS.test(token))
      throw new Refusal('the token is not a compact JWS of three parts', 'malformed');
    const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = token.split('.');
    const header = decodeJson(encodedHeader, 'header');
    const alg = header.alg;
    if (typeof alg !== 'string') throw new Refusal('the token header has no alg', 'malformed');

    const unverified =
      config.fault === 'jwt-signature-not-verified' ||
      (config.fault === 'jwt-accept-alg-none' && alg.toLowerCase() === 'none') ||
      (config.fault === 'jwt-ecdsa-psychic-signature' &&
        alg === 'ES256' &&
        isZeroEcdsaSignature(base64url.decode(encodedSignature)));
    const payload = unverified ? encodedPayload : await verifiedPayload(token, header, alg);
    const claims = decodeJson(payload, 'payload');
    checkClaims(claims, scopes);
    return { ok: true, claims, context: claimsContext(claims) };
  }

  /** The payload segment, once the signature is proven by a key of the issuer's JWKS. */
  async function verifiedPayload(
    token: string,
    header: Record<string, unknown>,
    alg: string,
  ): Promise<string> {
    if (config.fault === 'jwt-kid-file-lookup' && isKeyFile(header.kid) && alg === 'HS256') {
      return hmacWithFileKey(token);
    }
    // The fault: every extension the token says is critical is taken as understood.
    const crit =
      config.fault === 'jwt-crit-ignored' && Array.isArray(header.crit)
        ? Object.fromEntries(header.crit.map((name) => [String(name), false]))
        : undefined;
    for (const candidate of await signingKey(header, alg)) {
      try {
        await compactVerify(token, candidate, { algorithms: [alg], ...(crit && { crit }) });
        return token.split('.')[1] ?? '';
      } catch {
        // the next candidate, if the fault gave several
      }
    }
    throw new Refusal('the token signature is invalid');
  }

  /** Usually the one JWKS key named by `kid`; under some faults, whatever a broken verifier would use. */
  async function signingKey(
    header: Record<string, unknown>,
    alg: string,
  ): Promise<(CryptoKey | Uint8Array)[]> {
    const foreign = await foreignKeys(header, alg).catch(() => Promise.reject(new Refusal('bad key header')));
    if (foreign) return foreign;
    const kid = header.kid;
    if (config.fault === 'jwt-hs-rs-confusion' && alg.startsWith('HS') && typeof kid === 'string') {
      return confusedSecrets(kid);
    }
    if (config.fault === 'jwt-hmac-shared-secret' && alg === 'HS256') return [DEFAULT_SHARED_SECRET];
    if (!algorithms.has(alg)) throw new Refusal('the signing algorithm of the token is not allowed');
    if (typeof kid !== 'string') throw new Refusal('the token header has no kid');
    const key = await jwks.key(kid, alg).catch((err: unknown) => {
      if (err instanceof JwksUnavailableError) throw new Refusal("unable to get the issuer's signing keys");
      throw new Refusal('the signing key of the JWKS cannot be imported');
    });
    if (key) return [key];
    if (config.fault === 'jwt-kid-fallback-any-key') return everyPublishedKey(alg);
    throw new Refusal('no key of the issuer matches the kid of the token');
  }

  /** Keys a broken verifier takes from the token itself (jwk, x5c) or from where it points (jku, x5u). */
  async function foreignKeys(
    header: Record<string, unknown>,
    alg: string,
  ): Promise<(CryptoKey | Uint8Array)[] | undefined> {
    const { fault } = config;
    if (fault === 'jwt-trust-embedded-jwk' && isObject(header.jwk))
      return [await importJWK(header.jwk as JWK, alg)];
    if (
      fault === 'jwt-trust-embedded-x5c' &&
      Array.isArray(header.x5c) &&
      typeof header.x5c[0] === 'string'
    ) {
      return [await importX509(pemCertificate(header.x5c[0]), alg)];
    }
    if (fault === 'jwt-follow-x5u' && typeof header.x5u === 'string') {
      return [await importX509(await fetchText(header.x5u), alg)];
    }
    if (fault === 'jwt-follow-jku' && typeof header.jku === 'string') {
      const set = JSON.parse(await fetchText(header.jku)) as { keys?: JWK[] };
      const jwk = set.keys?.find((candidate) => candidate.kid === header.kid);
      return jwk ? [await importJWK(jwk, alg)] : undefined;
    }
    return undefined;
  }

  async function everyPublishedKey(alg: string): Promise<(CryptoKey | Uint8Array)[]> {
    const keys: (CryptoKey | Uint8Array)[] = [];
    for (const jwk of await jwks.published()) {
      const key = await importJWK(jwk, alg).catch(() => undefined);
      if (key) keys.push(key);
    }
    return keys;
  }

  /** The HMAC secrets a confused verifier derives from an RSA public key. */
  async function confusedSecrets(kid: string): Promise<Uint8Array[]> {
    const jwk = await jwks.jwk(kid).catch(() => undefined);
    if (jwk?.kty !== 'RSA' || typeof jwk.n !== 'string')
      throw new Refusal('no RSA key matches the kid of the token');
    const publicKey = (await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256', {
      extractable: true,
    })) as CryptoKey;
    return [new TextEncoder().encode(await exportSPKI(publicKey)), base64url.decode(jwk.n)];
  }

  function checkClaims(claims: JWTPayload, scopes: readonly string[]): void {
    const at = Math.floor(now() / 1000);
    const { fault } = config;
    if (!issuerMatches(claims.iss, config.issuer, fault) && fault !== 'jwt-ignore-iss') {
      throw new Refusal('the token does not have a valid issuer');
    }
    if (config.fault !== 'jwt-ignore-aud' && !audienceMatches(claims, config.audience, fault)) {
      throw new Refusal('the token does not have a valid audience');
    }
    const coerced = fault === 'jwt-exp-coerced';
    if (typeof claims.exp !== 'number' && !coerced) throw new Refusal('the token has no numeric exp');
    // The leeway faults: a window widened, or narrowed by a leeway applied the wrong way.
    const leeway = fault === 'jwt-leeway-5-minutes' ? 300 : fault === 'jwt-leeway-inverted' ? -60 : 0;
    if (config.fault !== 'jwt-ignore-exp' && Number(claims.exp) + leeway <= at)
      throw new Refusal('the token has expired', 'expired');
    const timesChecked = fault !== 'jwt-ignore-nbf-iat';
    const notAfterNow = (value: unknown) => typeof value === 'number' && value - leeway <= at;
    if (timesChecked && claims.nbf !== undefined && !notAfterNow(claims.nbf)) {
      throw new Refusal('the token is not valid yet');
    }
    const iatLeeway = Math.max(leeway, 0);
    if (
      timesChecked &&
      claims.iat !== undefined &&
      !(typeof claims.iat === 'number' && claims.iat - iatLeeway <= at)
    ) {
      throw new Refusal('the token was issued in the future');
    }
    const scopesChecked = fault !== 'jwt-ignore-scopes';
    if (scopesChecked && scopes.length > 0 && !scopesGranted(claims, scopes, fault)) {
      throw new Refusal(`expected scopes: [${scopes.join(' ')}]`, 'scope');
    }
  }

  function refuse(refusal: Refusal, scopes: readonly string[]): AuthorizerRejection {
    const reason = refusal.description;
    if (config.variant === 'cognito') {
      const message = refusal.kind === 'expired' ? 'The incoming token has expired' : 'Unauthorized';
      return rejection('UNAUTHORIZED', { message }, reason);
    }
    if (refusal.kind === 'scope') {
      const challenge = `Bearer scope="${scopes.join(' ')}" error="insufficient_scope" error_description="${reason}"`;
      return rejection('ACCESS_DENIED', { message: 'Forbidden' }, reason, { 'www-authenticate': challenge });
    }
    const challenge = `Bearer scope="" error="invalid_token" error_description="${reason}"`;
    return rejection('UNAUTHORIZED', { message: 'Unauthorized' }, reason, { 'www-authenticate': challenge });
  }

  return {
    jwks,
    async authorize(authorization, scopes = []) {
      try {
        return await verify(authorization, scopes);
      } catch (err) {
        const refusal = err instanceof Refusal ? err : new Refusal('the token cannot be verified');
        if (refusal.kind === 'malformed' && config.fault === 'jwt-fail-open-malformed') {
          return { ok: true, claims: {}, context: {} };
        }
        return refuse(refusal, scopes);
      }
    },
  };
}

function decodeJson(segment: string, part: 'header' | 'payload'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(segment)));
  } catch {
    throw new Refusal(`the token ${part} is not base64url-encoded JSON`, 'malformed');
  }
  if (!isObject(value)) throw new Refusal(`the token ${part} is not a JSON object`, 'malformed');
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `scope` (space-separated) and `scp` (a list, or space-separated). */
function tokenScopes(claims: JWTPayload, scopeOnly = false): string[] {
  const found: string[] = [];
  for (const value of scopeOnly ? [claims.scope] : [claims.scope, claims.scp]) {
    if (typeof value === 'string') found.push(...value.split(' ').filter(Boolean));
    else if (Array.isArray(value))
      found.push(...value.filter((item): item is string => typeof item === 'string'));
  }
  return found;
}

/** Claims as API Gateway hands them on: strings, lists as `[a b]`. */
function claimsContext(claims: JWTPayload): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    context[`claims.${name}`] = Array.isArray(value)
      ? `[${value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ')}]`
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  }
  return context;
}

function pemCertificate(base64Der: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64Der}\n-----END CERTIFICATE-----\n`;
}

/** What a broken verifier fetches from a URL in the token: small, and quickly given up on. */
async function fetchText(url: string): Promise<string> {
  const response = await request(url, { signal: AbortSignal.timeout(1500) });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`${url} answered ${response.statusCode}`);
  }
  return response.body.text();
}

function issuerMatches(iss: unknown, issuer: string, fault: JwtFaultName | undefined): boolean {
  if (typeof iss !== 'string') return false;
  if (fault === 'jwt-iss-compared-as-url') {
    const norm = (url: string) => url.replace(/\/+$/, '').toLowerCase();
    return norm(iss) === norm(issuer);
  }
  if (fault === 'jwt-iss-substring') return issuer.includes(iss);
  return iss === issuer;
}

/** `aud` (a string or a list) must hold a configured audience; `client_id` counts only without `aud`. */
function audienceMatches(
  claims: JWTPayload,
  audience: readonly string[],
  fault: JwtFaultName | undefined,
): boolean {
  const matches = (aud: unknown) =>
    typeof aud === 'string' &&
    audience.some((configured) => {
      if (fault === 'jwt-aud-prefix') return aud.startsWith(configured);
      if (fault === 'jwt-aud-substring') return configured.includes(aud);
      if (fault === 'jwt-aud-case-insensitive') return aud.toLowerCase() === configured.toLowerCase();
      return aud === configured;
    });
  const auds =
    claims.aud === undefined
      ? []
      : fault === 'jwt-aud-array-unsupported'
        ? [String(claims.aud)]
        : [claims.aud].flat();
  if (fault === 'jwt-aud-or-client-id') return auds.some(matches) || matches(claims.client_id);
  if (claims.aud === undefined) return fault !== 'jwt-client-id-ignored' && matches(claims.client_id);
  return auds.some(matches);
}

/** Any one of the route's scopes, in `scope` (space-separated) or `scp`. */
function scopesGranted(
  claims: JWTPayload,
  scopes: readonly string[],
  fault: JwtFaultName | undefined,
): boolean {
  if (fault === 'jwt-scope-substring') {
    return scopes.some((scope) => String(claims.scope ?? '').includes(scope));
  }
  if (fault === 'jwt-scope-exact-string') return scopes.includes(String(claims.scope));
  const held = tokenScopes(claims, fault === 'jwt-scp-ignored');
  return held.some((own) =>
    scopes.some((scope) => {
      if (fault === 'jwt-scope-prefix') return own !== '' && scope.startsWith(own);
      if (fault === 'jwt-scope-case-insensitive') return own.toLowerCase() === scope.toLowerCase();
      return own === scope;
    }),
  );
}

/** What the kid-file fault takes a kid for: a path. */
function isKeyFile(kid: unknown): kid is string {
  return typeof kid === 'string' && kid.includes('/');
}

/** The faulty verifier's own HMAC check with the "file's" content: /dev/null is empty, anything else unreadable. */
function hmacWithFileKey(token: string): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const kid = String(decodeJson(header, 'header').kid);
  if (!kid.endsWith('/dev/null')) throw new Refusal('the key file cannot be read');
  const expected = createHmac('sha256', Buffer.alloc(0)).update(`${header}.${payload}`).digest('base64url');
  if (expected !== signature) throw new Refusal('the token signature is invalid');
  return payload;
}

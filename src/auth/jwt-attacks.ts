import { createHmac } from 'node:crypto';
import { base64url, decodeJwt, exportSPKI, type JWTPayload, SignJWT } from 'jose';
import type { Attacker } from './jwt-attacker.js';
import type { TokenIssuer } from './oidc-issuer.js';

/**
 * Tokens a JWT verifier must reject, each built from a valid token of the built-in issuer. The
 * suite maps over this list; a name becomes the case id `jwt.attack.<name>`, so names never change.
 */

export interface AttackContext {
  /** The issuer itself, or the issuer through its mint API: attacks never need a private key. */
  issuer: TokenIssuer;
  /** A valid token of `issuer`, accepted on the route under test. */
  token: string;
  attacker: Attacker;
}

export interface JwtAttack {
  /** Stable kebab-case name. */
  name: string;
  /** The promise, as a case title. */
  title: string;
  refs: readonly string[];
  /** The statuses a correct gateway may answer with. */
  statuses: readonly number[];
  /** The token to send, as `Authorization: Bearer <token>` or alone. */
  build(ctx: AttackContext): Promise<string>;
}

const AWS_JWT = 'aws-semantics.md: JWT authorizer (HTTP API)';
const UNAUTHORIZED = [401] as const;

const encodeJson = (value: unknown): string => base64url.encode(JSON.stringify(value));

function parts(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

const claims = (token: string): JWTPayload => decodeJwt(token);

/** The valid token's `iat`: attack times are relative to it, so they follow the issuer's clock. */
const issuedAt = (token: string): number => claims(token).iat ?? Math.floor(Date.now() / 1000);

const rsaKid = (ctx: AttackContext): string => ctx.issuer.signingKey('RS256').kid;

/** The valid claims under a header of our choosing and a given signature. */
function forged(ctx: AttackContext, header: Record<string, unknown>, signature: Uint8Array | string): string {
  const [, payload] = parts(ctx.token);
  const sig = typeof signature === 'string' ? signature : base64url.encode(signature);
  return `${encodeJson(header)}.${payload}.${sig}`;
}

function algNone(name: string, spelling: string): JwtAttack {
  return {
    name,
    title: `a token with alg "${spelling}" and no signature is rejected`,
    refs: ['RFC 8725 §3.1', 'CVE-2015-9235', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) => forged(ctx, { alg: spelling, typ: 'JWT' }, ''),
  };
}

function hmacWithPublicKey(
  name: string,
  what: string,
  secret: (ctx: AttackContext) => Promise<Uint8Array>,
): JwtAttack {
  return {
    name,
    title: `a token signed HS256 with the issuer's RSA public key (${what}) as the HMAC secret is rejected`,
    refs: ['RFC 8725 §2.1', 'CVE-2016-10555', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) =>
      new SignJWT(claims(ctx.token))
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rsaKid(ctx) })
        .sign(await secret(ctx)),
  };
}

function attackerSigned(
  name: string,
  title: string,
  header: (ctx: AttackContext) => Record<string, unknown>,
  refs: readonly string[],
): JwtAttack {
  return {
    name,
    title,
    refs: [...refs, AWS_JWT],
    statuses: UNAUTHORIZED,
    build: (ctx) =>
      new SignJWT(claims(ctx.token))
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...header(ctx) })
        .sign(ctx.attacker.privateKey),
  };
}

function ecdsaZero(name: string, form: string, signature: Uint8Array): JwtAttack {
  return {
    name,
    title: `an ES256 token whose signature is r = s = 0 (${form}) is rejected`,
    refs: ['CVE-2022-21449', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) =>
      forged(ctx, { alg: 'ES256', typ: 'JWT', kid: ctx.issuer.signingKey('ES256').kid }, signature),
  };
}

function claimsChanged(
  name: string,
  title: string,
  change: (iat: number, ctx: AttackContext) => Record<string, unknown>,
  refs: readonly string[],
  statuses: readonly number[] = UNAUTHORIZED,
): JwtAttack {
  return {
    name,
    title,
    refs: [...refs, AWS_JWT],
    statuses,
    build: (ctx) => ctx.issuer.mint({ ...claims(ctx.token), ...change(issuedAt(ctx.token), ctx) }),
  };
}

/** The route's first scope, as the valid token holds it. */
function requiredScope(ctx: AttackContext): string {
  const scope = claims(ctx.token).scope;
  return typeof scope === 'string' ? (scope.split(' ')[0] ?? '') : '';
}

/** Seconds past an edge: beyond the minute of leeway a verifier may allow, well short of a plain lapse. */
const JUST_PAST_S = 120;

/**
 * Claims a verifier matches almost right: the issuer and audience near the trusted ones (a slash,
 * a letter case, a character more or less), the route's scope inside or around another, times just
 * past their edge. One list per claim, one function from a variant to an attack.
 */
const NEAR_ISSUERS: [string, string, (iss: string) => string][] = [
  ['iss-trailing-slash', 'the trusted issuer with a trailing slash', (iss) => `${iss}/`],
  ['iss-upper-case', 'the trusted issuer in upper case', (iss) => iss.toUpperCase()],
  ['iss-truncated', 'the trusted issuer missing its last character', (iss) => iss.slice(0, -1)],
  ['iss-empty', 'empty', () => ''],
];

const NEAR_AUDIENCES: [string, string, (aud: string) => string][] = [
  ['aud-extended', 'the audience with a character appended', (aud) => `${aud}x`],
  ['aud-truncated', 'the audience missing its last character', (aud) => aud.slice(0, -1)],
  ['aud-upper-case', 'the audience in upper case', (aud) => aud.toUpperCase()],
];

const NEAR_SCOPES: [string, string, (scope: string) => string][] = [
  [
    'scope-superstring',
    "a scope that starts with the route's (read → readwrite)",
    (scope) => `${scope}write`,
  ],
  ['scope-truncated', "the route's scope missing its last character", (scope) => scope.slice(0, -1)],
  ['scope-upper-case', "the route's scope in upper case", (scope) => scope.toUpperCase()],
  [
    'scope-comma-list',
    "the route's scope after a comma, in one space-delimited item",
    (scope) => `gateproof/other,${scope}`,
  ],
];

const NEAR_MISSES: readonly JwtAttack[] = [
  ...NEAR_ISSUERS.map(([name, what, iss]) =>
    claimsChanged(
      name,
      `a token whose iss is ${what} is rejected`,
      (_iat, ctx) => ({ iss: iss(ctx.issuer.issuerUrl) }),
      ['RFC 7519 §4.1.1', 'OpenID Connect Core §3.1.3.7'],
    ),
  ),
  ...NEAR_AUDIENCES.map(([name, what, aud]) =>
    claimsChanged(
      name,
      `a token whose aud is ${what} is rejected`,
      (_iat, ctx) => ({ aud: aud(ctx.issuer.audience) }),
      ['RFC 7519 §4.1.3'],
    ),
  ),
  claimsChanged(
    'wrong-aud-right-client-id',
    'a token for another audience is rejected though its client_id is the trusted one: client_id counts only without aud',
    (_iat, ctx) => ({ aud: `other-${ctx.issuer.audience}`, client_id: ctx.issuer.audience }),
    ['RFC 7519 §4.1.3'],
  ),
  ...NEAR_SCOPES.map(([name, what, scope]) =>
    claimsChanged(
      name,
      `a token whose scope is ${what} is rejected`,
      (_iat, ctx) => ({ scope: scope(requiredScope(ctx)) }),
      ['RFC 6749 §3.3', 'RFC 6750 §3.1'],
      [401, 403],
    ),
  ),
  claimsChanged(
    'exp-just-past',
    `a token that expired ${JUST_PAST_S} s ago, past any minute of leeway, is rejected`,
    (iat) => ({ iat: iat - 300 - JUST_PAST_S, exp: iat - JUST_PAST_S }),
    ['RFC 7519 §4.1.4'],
  ),
  claimsChanged(
    'nbf-just-ahead',
    `a token not valid for another ${JUST_PAST_S} s is rejected`,
    (iat) => ({ nbf: iat + JUST_PAST_S, exp: iat + 600 }),
    ['RFC 7519 §4.1.5'],
  ),
  claimsChanged(
    'iat-just-ahead',
    `a token issued ${JUST_PAST_S} s in the future is rejected`,
    (iat) => ({ iat: iat + JUST_PAST_S, exp: iat + 600 }),
    ['RFC 7519 §4.1.6'],
  ),
  claimsChanged('no-exp', 'a token without exp is rejected', () => ({ exp: undefined }), ['RFC 7519 §4.1.4']),
  claimsChanged(
    'exp-not-a-number',
    'a token whose exp is not a number ("never") is rejected',
    () => ({ exp: 'never' }),
    ['RFC 7519 §2 NumericDate'],
  ),
  {
    name: 'crit-unknown',
    title: 'a token whose crit header names an extension the verifier does not know is rejected',
    refs: ['RFC 7515 §4.1.11', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: (ctx) =>
      ctx.issuer.mint(claims(ctx.token), { header: { crit: ['gp-unknown'], 'gp-unknown': true } }),
  },
  {
    name: 'kid-path-traversal',
    title:
      'an HS256 token whose kid is a path (../../dev/null), signed with the empty secret that file holds, is rejected',
    refs: ['RFC 8725 §3.10', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) => {
      const header = encodeJson({ alg: 'HS256', typ: 'JWT', kid: '../../../../../../dev/null' });
      const [, payload] = parts(ctx.token);
      const signature = createHmac('sha256', Buffer.alloc(0))
        .update(`${header}.${payload}`)
        .digest('base64url');
      return `${header}.${payload}.${signature}`;
    },
  },
];

/** A token that is right in a way a verifier may get almost right: the suite expects it accepted. */
export interface JwtAcceptance {
  name: string;
  title: string;
  refs: readonly string[];
  /** The Authorization header to send. */
  build(ctx: AttackContext): Promise<string>;
}

const nowS = () => Math.floor(Date.now() / 1000);
/** A token with the valid one's claims and `change` over them, valid for 5 more minutes. */
const reminted = (ctx: AttackContext, change: Record<string, unknown>) =>
  ctx.issuer.mint({ ...claims(ctx.token), exp: nowS() + 300, ...change });

export const JWT_ACCEPTED: readonly JwtAcceptance[] = [
  {
    name: 'expiring-soon',
    title: 'a token that expires in 30 s is still accepted',
    refs: ['RFC 7519 §4.1.4', AWS_JWT],
    build: async (ctx) => `Bearer ${await reminted(ctx, { exp: nowS() + 30 })}`,
  },
  {
    name: 'nbf-just-passed',
    title: 'a token valid since 30 s ago is accepted',
    refs: ['RFC 7519 §4.1.5', AWS_JWT],
    build: async (ctx) => `Bearer ${await reminted(ctx, { nbf: nowS() - 30 })}`,
  },
  {
    name: 'aud-in-list',
    title: 'a token whose aud is a list holding the audience among others is accepted',
    refs: ['RFC 7519 §4.1.3', AWS_JWT],
    build: async (ctx) =>
      `Bearer ${await reminted(ctx, { aud: ['gateproof-other-audience', ctx.issuer.audience] })}`,
  },
  {
    name: 'client-id',
    title: 'a token without aud whose client_id is the audience is accepted',
    refs: [AWS_JWT],
    build: async (ctx) => `Bearer ${await reminted(ctx, { aud: undefined, client_id: ctx.issuer.audience })}`,
  },
  {
    name: 'scope-among-others',
    title: "a token whose scope lists the route's scope among others is accepted",
    refs: ['RFC 6749 §3.3', AWS_JWT],
    build: async (ctx) =>
      `Bearer ${await reminted(ctx, { scope: `gateproof/other ${requiredScope(ctx)} gateproof/more` })}`,
  },
  {
    name: 'scp-list',
    title: "a token holding the route's scope in an scp list instead of scope is accepted",
    refs: [AWS_JWT],
    build: async (ctx) =>
      `Bearer ${await reminted(ctx, { scope: undefined, scp: ['gateproof/other', requiredScope(ctx)] })}`,
  },
  {
    name: 'bearer-lower-case',
    title: 'a valid token after "bearer" in lower case is accepted: the scheme is case-insensitive',
    refs: ['RFC 9110 §11.1', AWS_JWT],
    build: async (ctx) => `bearer ${ctx.token}`,
  },
];

export const JWT_ATTACKS: readonly JwtAttack[] = [
  {
    name: 'not-three-parts',
    title: 'a token of two parts instead of three is rejected',
    refs: ['RFC 7515 §7.1', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) => parts(ctx.token).slice(0, 2).join('.'),
  },
  {
    name: 'bad-base64',
    title: 'a token whose payload is not base64url is rejected',
    refs: ['RFC 7515 §2', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) => {
      const [header, payload, signature] = parts(ctx.token);
      return `${header}.${payload.slice(0, 10)}*~${payload.slice(10)}.${signature}`;
    },
  },
  {
    name: 'bad-json',
    title: 'a correctly signed token whose payload is not JSON is rejected',
    refs: ['RFC 7519 §7.2', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: (ctx) => ctx.issuer.sign(new TextEncoder().encode('{"sub":"gateproof-user",'), { alg: 'RS256' }),
  },
  claimsChanged('expired', 'an expired token is rejected', (iat) => ({ iat: iat - 1200, exp: iat - 600 }), [
    'RFC 7519 §4.1.4',
  ]),
  claimsChanged(
    'nbf-ahead',
    'a token not valid before a time in the future is rejected',
    (iat) => ({ nbf: iat + 600, exp: iat + 900 }),
    ['RFC 7519 §4.1.5'],
  ),
  claimsChanged(
    'iat-ahead',
    'a token issued in the future is rejected',
    (iat) => ({ iat: iat + 600, exp: iat + 900 }),
    ['RFC 7519 §4.1.6'],
  ),
  claimsChanged(
    'wrong-iss',
    'a token from another issuer, signed by a trusted key, is rejected',
    (_iat, ctx) => ({ iss: `${ctx.issuer.issuerUrl}/other` }),
    ['RFC 7519 §4.1.1'],
  ),
  claimsChanged(
    'wrong-aud',
    'a token for another audience is rejected',
    (_iat, ctx) => ({ aud: `other-${ctx.issuer.audience}` }),
    ['RFC 7519 §4.1.3'],
  ),
  claimsChanged(
    'missing-scope',
    "a token holding none of the route's scopes is rejected",
    () => ({ scope: undefined }),
    ['RFC 6750 §3.1'],
    [401, 403],
  ),
  {
    name: 'bad-signature',
    title: 'a token whose signature has one byte changed is rejected',
    refs: ['RFC 7515 §5.2', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) => {
      const [header, payload, signature] = parts(ctx.token);
      const bytes = base64url.decode(signature);
      const middle = bytes.length >> 1;
      bytes[middle] = (bytes[middle] ?? 0) ^ 0x01;
      return `${header}.${payload}.${base64url.encode(bytes)}`;
    },
  },
  {
    name: 'empty-signature',
    title: 'an RS256 token with an empty signature is rejected',
    refs: ['RFC 7515 §5.2', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) => forged(ctx, { alg: 'RS256', typ: 'JWT', kid: rsaKid(ctx) }, ''),
  },
  {
    name: 'oversized-signature',
    title: 'an RS256 token with a 4 KB signature is rejected without harm',
    refs: ['RFC 7515 §5.2', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: async (ctx) =>
      forged(ctx, { alg: 'RS256', typ: 'JWT', kid: rsaKid(ctx) }, new Uint8Array(4096).fill(0x41)),
  },
  algNone('alg-none', 'none'),
  algNone('alg-none-capitalized', 'None'),
  algNone('alg-none-uppercase', 'NONE'),
  algNone('alg-none-mixed-case', 'nOnE'),
  hmacWithPublicKey('hs256-key-confusion-pem', 'its SPKI PEM', async (ctx) =>
    new TextEncoder().encode(await exportSPKI(ctx.issuer.signingKey('RS256').publicKey)),
  ),
  hmacWithPublicKey('hs256-key-confusion-jwk-n', 'its JWK modulus bytes', async (ctx) =>
    base64url.decode(String(ctx.issuer.signingKey('RS256').jwk.n)),
  ),
  {
    name: 'hs256-weak-secret',
    title: 'a token signed HS256 with the secret "secret" is rejected',
    refs: ['RFC 8725 §3.5', AWS_JWT],
    statuses: UNAUTHORIZED,
    build: (ctx) =>
      new SignJWT(claims(ctx.token))
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rsaKid(ctx) })
        .sign(new TextEncoder().encode('secret')),
  },
  {
    name: 'unknown-kid',
    title: "a token signed by the issuer's key but naming a kid absent from the JWKS is rejected",
    refs: [AWS_JWT],
    statuses: UNAUTHORIZED,
    build: (ctx) => ctx.issuer.mint(claims(ctx.token), { header: { kid: 'gateproof-unknown-kid' } }),
  },
  attackerSigned(
    'embedded-jwk',
    "a token signed by the attacker's key and carrying that key in a jwk header is rejected",
    (ctx) => ({ kid: ctx.attacker.kid, jwk: ctx.attacker.jwk }),
    ['RFC 8725 §3.10', 'CVE-2018-0114'],
  ),
  attackerSigned(
    'jku-elsewhere',
    "a token whose jku header points to the attacker's JWKS is rejected",
    (ctx) => ({ kid: ctx.attacker.kid, jku: ctx.attacker.jwksUrl }),
    ['RFC 8725 §3.10', 'RFC 7515 §4.1.2'],
  ),
  attackerSigned(
    'x5u-elsewhere',
    "a token whose x5u header points to the attacker's certificate is rejected",
    (ctx) => ({ kid: rsaKid(ctx), x5u: ctx.attacker.certUrl }),
    ['RFC 8725 §3.10', 'RFC 7515 §4.1.5'],
  ),
  attackerSigned(
    'embedded-x5c',
    "a token carrying the attacker's self-signed certificate in an x5c header is rejected",
    (ctx) => ({ kid: rsaKid(ctx), x5c: [Buffer.from(ctx.attacker.certificate).toString('base64')] }),
    ['RFC 8725 §3.10', 'RFC 7515 §4.1.6'],
  ),
  ecdsaZero('ecdsa-zero-raw', '64 zero bytes', new Uint8Array(64)),
  ecdsaZero(
    'ecdsa-zero-der',
    'DER 3006020100020100',
    Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00),
  ),
  claimsChanged(
    'oversized',
    'a validly signed token of 64 KB is refused with a 4xx, never a 5xx',
    () => ({ padding: 'x'.repeat(64 * 1024) }),
    ['aws-semantics.md: header size limits'],
    [400, 401, 403, 413, 431, 494],
  ),
  {
    name: 'two-tokens',
    title: 'two valid tokens in one Authorization header are rejected',
    refs: ['RFC 6750 §2.1', AWS_JWT],
    statuses: [400, 401],
    build: async (ctx) => `${ctx.token}, Bearer ${ctx.token}`,
  },
  ...NEAR_MISSES,
];

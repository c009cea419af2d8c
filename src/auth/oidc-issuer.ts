import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CompactSign,
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { serveMintApi } from './issuer-mint-api.js';

/**
 * gateproof's own OpenID Connect issuer: a discovery document and a JWKS on loopback, and the
 * keys to mint tokens a gateway is configured to trust. It holds one key per signing algorithm
 * so a gateway's algorithm policy can be probed, and rotates its RS256 key on demand.
 */

export const ISSUER_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type IssuerAlgorithm = (typeof ISSUER_ALGORITHMS)[number];

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks.json';

/** The public half of a signing key, which anyone may hold. */
export interface PublishedKey {
  kid: string;
  alg: IssuerAlgorithm;
  publicKey: CryptoKey;
  /** The public key as published in the JWKS (with kid, alg and use). */
  jwk: JWK;
}

export interface IssuerKey extends PublishedKey {
  privateKey: CryptoKey;
}

export interface IssuerOptions {
  host?: string;
  port?: number;
  /** The default `aud` of minted tokens. */
  audience?: string;
  /** The default `scope` of minted tokens. */
  scope?: string;
  /** Milliseconds since the epoch; minted `iat` and `exp` follow it. */
  now?: () => number;
  /**
   * Serve the mint API (see issuer-mint-api.ts) to callers presenting this secret, so that suites
   * in other processes can have tokens signed without ever holding a private key.
   */
  mintSecret?: string;
  /**
   * The host name gateways reach the issuer by, when that is not the address it listens on (a
   * wildcard address, NAT): it is part of the `iss` and of the discovery and JWKS URLs.
   */
  publicHost?: string;
}

export interface MintOptions {
  /** Signing algorithm; its current key signs. Default RS256. */
  alg?: IssuerAlgorithm;
  /** Extra or replaced protected-header parameters (a foreign `kid`, a `jku`...). */
  header?: Record<string, unknown>;
}

/** How the JWKS endpoint misbehaves, for a gateway's fetch timeout and size limit. */
export interface JwksBehaviour {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Pad the JSON document to at least this many bytes (it stays a valid JWKS). */
  padToBytes?: number;
}

/** What signs tokens for a suite: the issuer itself, or the issuer reached through its mint API. */
export interface TokenIssuer {
  /** The `iss` of minted tokens; discovery is at `issuerUrl + DISCOVERY_PATH`. */
  readonly issuerUrl: string;
  readonly audience: string;
  /** The key that currently signs for `alg`. */
  signingKey(alg?: IssuerAlgorithm): PublishedKey;
  /**
   * A signed token: default claims iss, aud, sub, iat, exp (+5 min) and scope, then `claims` over
   * them; a claim set to `undefined` is removed.
   */
  mint(claims?: Record<string, unknown>, options?: MintOptions): Promise<string>;
  /** Any payload, JSON or not, signed as a compact JWS by the current key for `options.alg`. */
  sign(payload: Uint8Array, options?: MintOptions): Promise<string>;
  /** Publishes a new RS256 key and makes it the default signer; the old one stays published. */
  rotate(): Promise<PublishedKey>;
}

export interface Issuer extends TokenIssuer {
  readonly jwksUrl: string;
  /** Every published key, oldest first. */
  readonly keys: readonly IssuerKey[];
  signingKey(alg?: IssuerAlgorithm): IssuerKey;
  rotate(): Promise<IssuerKey>;
  jwks(): JSONWebKeySet;
  setJwksBehaviour(behaviour: JwksBehaviour): void;
  /** How many times the JWKS was requested: proves a gateway's caching and refetch limits. */
  readonly jwksRequests: number;
  close(): Promise<void>;
}

const TOKEN_LIFETIME_S = 300;

/** The issuer signs whatever a test asks for, extensions marked critical included (a verifier must refuse those it does not know). */
function signOptions(mintOptions: MintOptions): { crit?: Record<string, boolean> } {
  const crit = mintOptions.header?.crit;
  return Array.isArray(crit) ? { crit: Object.fromEntries(crit.map((name) => [String(name), true])) } : {};
}

async function createKey(alg: IssuerAlgorithm): Promise<IssuerKey> {
  const pair = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  const exported = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(exported);
  return { kid, alg, ...pair, jwk: { ...exported, kid, alg, use: 'sig' } };
}

export async function startIssuer(options: IssuerOptions = {}): Promise<Issuer> {
  const now = options.now ?? Date.now;
  const keys = await Promise.all(ISSUER_ALGORITHMS.map(createKey));
  const signers = new Map<IssuerAlgorithm, IssuerKey>(keys.map((key) => [key.alg, key]));
  let behaviour: JwksBehaviour = {};
  let jwksRequests = 0;
  const timers = new Set<NodeJS.Timeout>();

  const jwks = (): JSONWebKeySet => ({ keys: keys.map((key) => key.jwk) });

  const jwksBody = (): string => {
    const base = JSON.stringify(jwks());
    const missing = (behaviour.padToBytes ?? 0) - base.length;
    if (missing <= 0) return base;
    const empty = JSON.stringify({ ...jwks(), 'x-gateproof-padding': '' });
    return JSON.stringify({
      ...jwks(),
      'x-gateproof-padding': 'x'.repeat(Math.max(0, missing - (empty.length - base.length))),
    });
  };

  const send = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    res.end(body);
  };

  let issuer: Issuer | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://issuer').pathname;
    if (options.mintSecret && issuer && serveMintApi(req, res, path, issuer, options.mintSecret)) return;
    if (req.method !== 'GET') return send(res, 405, '{"error":"method not allowed"}');
    if (path === DISCOVERY_PATH) return send(res, 200, JSON.stringify(discovery()));
    if (path !== JWKS_PATH) return send(res, 404, '{"error":"not found"}');
    jwksRequests += 1;
    const body = jwksBody();
    if (!behaviour.delayMs) return send(res, 200, body);
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, 200, body);
    }, behaviour.delayMs);
    timers.add(timer);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const name = options.publicHost ?? address.address;
  const host = name.includes(':') ? `[${name}]` : name;
  const issuerUrl = `http://${host}:${address.port}`;
  const jwksUrl = `${issuerUrl}${JWKS_PATH}`;
  const audience = options.audience ?? 'gateproof';

  function discovery(): Record<string, unknown> {
    return {
      issuer: issuerUrl,
      jwks_uri: jwksUrl,
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...ISSUER_ALGORITHMS],
    };
  }

  const signingKey = (alg: IssuerAlgorithm = 'RS256'): IssuerKey => {
    const key = signers.get(alg);
    if (!key) throw new Error(`the issuer has no ${alg} key`);
    return key;
  };

  const headerOf = (key: IssuerKey, mintOptions: MintOptions) => ({
    alg: key.alg,
    typ: 'JWT',
    kid: key.kid,
    ...mintOptions.header,
  });

  issuer = {
    issuerUrl,
    jwksUrl,
    audience,
    get keys() {
      return keys;
    },
    signingKey,
    async mint(claims = {}, mintOptions = {}) {
      const key = signingKey(mintOptions.alg);
      const iat = Math.floor(now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuerUrl,
        aud: audience,
        sub: 'gateproof-user',
        iat,
        exp: iat + TOKEN_LIFETIME_S,
        scope: options.scope ?? 'gateproof/read',
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload as JWTPayload)
        .setProtectedHeader(headerOf(key, mintOptions))
        .sign(key.privateKey, signOptions(mintOptions));
    },
    async sign(payload, mintOptions = {}) {
      const key = signingKey(mintOptions.alg);
      return new CompactSign(payload)
        .setProtectedHeader(headerOf(key, mintOptions))
        .sign(key.privateKey, signOptions(mintOptions));
    },
    async rotate() {
      const key = await createKey('RS256');
      keys.push(key);
      signers.set('RS256', key);
      return key;
    },
    jwks,
    setJwksBehaviour(next) {
      behaviour = { ...next };
    },
    get jwksRequests() {
      return jwksRequests;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return issuer;
}

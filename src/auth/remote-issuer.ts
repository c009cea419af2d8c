import { base64url, type CryptoKey, importJWK, type JWK } from 'jose';
import { boundedExchange, parseJsonBody } from '../contract/bounded-exchange.js';
import { HarnessError } from '../contract/harness-error.js';
import { describeTransportError } from '../contract/typed-client.js';
import {
  MINT_API_PATH,
  type MintRequest,
  type SignersResponse,
  type SignRequest,
} from './issuer-mint-api.js';
import type { IssuerAlgorithm, MintOptions, PublishedKey, TokenIssuer } from './oidc-issuer.js';

/**
 * The built-in issuer seen from another process (a Playwright worker): tokens are signed by the
 * issuer through its mint API, so no private key ever leaves the process that holds it.
 */

export interface RemoteIssuerOptions {
  issuerUrl: string;
  audience: string;
  /** The issuer's base URL serving the mint API (usually `issuerUrl`). */
  mintUrl: string;
  secret: string;
  timeoutMs?: number;
}

async function publishedKeys(response: SignersResponse): Promise<Map<IssuerAlgorithm, PublishedKey>> {
  const keys = new Map<IssuerAlgorithm, PublishedKey>();
  for (const [alg, jwk] of Object.entries(response.signers) as [IssuerAlgorithm, JWK][]) {
    const publicKey = (await importJWK(jwk, alg, { extractable: true })) as CryptoKey;
    keys.set(alg, { kid: String(jwk.kid), alg, publicKey, jwk });
  }
  return keys;
}

/** The issuer's own answers: a token padded to test a gateway's limits stays far below this. */
const MINTED_TOKEN_BYTES = 1024 * 1024;

export async function connectIssuer(options: RemoteIssuerOptions): Promise<TokenIssuer> {
  const base = `${options.mintUrl.replace(/\/+$/, '')}${MINT_API_PATH}`;
  const timeout = options.timeoutMs ?? 10_000;

  async function call<T>(action: string, body?: unknown): Promise<T> {
    let res: Awaited<ReturnType<typeof boundedExchange>>;
    try {
      res = await boundedExchange(`${base}/${action}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${options.secret}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        timeoutMs: timeout,
        // Tokens minted to be oversized (an attack case) are far longer than a gateway's answer.
        keepBytes: MINTED_TOKEN_BYTES,
      });
    } catch (err) {
      throw new HarnessError(
        `the issuer's mint API did not answer ${action}: ${describeTransportError(err)}`,
      );
    }
    // The issuer is the harness's own: an answer outside its protocol is never the gateway's failure.
    if (res.status !== 200) {
      throw new HarnessError(
        `the issuer's mint API answered ${action} with ${res.status}: ${res.body.text.slice(0, 200)}`,
      );
    }
    const json = parseJsonBody(res.body);
    if (typeof json !== 'object' || json === null) {
      throw new HarnessError(`the issuer's mint API answered ${action} with something other than JSON`);
    }
    return json as T;
  }

  let signers = await publishedKeys(await call<SignersResponse>('signers'));
  const signingKey = (alg: IssuerAlgorithm = 'RS256'): PublishedKey => {
    const key = signers.get(alg);
    if (!key) throw new Error(`the issuer has no ${alg} key`);
    return key;
  };
  const withOptions = (mintOptions: MintOptions) => ({
    ...(mintOptions.alg && { alg: mintOptions.alg }),
    ...(mintOptions.header && { header: mintOptions.header }),
  });

  return {
    issuerUrl: options.issuerUrl,
    audience: options.audience,
    signingKey,
    async mint(claims = {}, mintOptions = {}) {
      const body: MintRequest = {
        claims: Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined)),
        remove: Object.keys(claims).filter((name) => claims[name] === undefined),
        ...withOptions(mintOptions),
      };
      return (await call<{ token: string }>('mint', body)).token;
    },
    async sign(payload, mintOptions = {}) {
      const body: SignRequest = { payload: base64url.encode(payload), ...withOptions(mintOptions) };
      return (await call<{ token: string }>('sign', body)).token;
    },
    async rotate() {
      signers = await publishedKeys(await call<SignersResponse>('rotate', {}));
      return signingKey('RS256');
    },
  };
}

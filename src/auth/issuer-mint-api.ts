import type { IncomingMessage, ServerResponse } from 'node:http';
import { base64url, type JWK } from 'jose';
import type { Issuer, IssuerAlgorithm, MintOptions } from './oidc-issuer.js';
import { sameSecret } from './same-secret.js';

/**
 * The built-in issuer's mint API: suites run in Playwright workers, the issuer in the process that
 * started the target, and the private keys stay there. A worker asks for a token (claims, header,
 * algorithm), a signature over any payload, a key rotation, or the current signers' public keys.
 * Only callers presenting the issuer's mint secret are served; it lives on loopback beside the JWKS.
 */

export const MINT_API_PATH = '/__gateproof/issuer';

/** `POST {claims, remove, alg, header}` → `{token}`: JSON cannot say "remove this claim", hence `remove`. */
export interface MintRequest {
  claims?: Record<string, unknown>;
  remove?: string[];
  alg?: IssuerAlgorithm;
  header?: Record<string, unknown>;
}

/** `POST {payload (base64url), alg, header}` → `{token}`. */
export interface SignRequest {
  payload: string;
  alg?: IssuerAlgorithm;
  header?: Record<string, unknown>;
}

/** `GET` signers and `POST` rotate both answer the current signer of each algorithm. */
export interface SignersResponse {
  signers: Partial<Record<IssuerAlgorithm, JWK>>;
}

const MAX_BODY_BYTES = 256 * 1024;

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch {
        reject(new Error('the request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function signers(issuer: Issuer): SignersResponse {
  const out: SignersResponse['signers'] = {};
  for (const key of issuer.keys) out[key.alg] = issuer.signingKey(key.alg).jwk;
  return { signers: out };
}

function mintOptions(body: { alg?: IssuerAlgorithm; header?: Record<string, unknown> }): MintOptions {
  return { ...(body.alg && { alg: body.alg }), ...(body.header && { header: body.header }) };
}

async function answer(req: IncomingMessage, action: string, issuer: Issuer): Promise<[number, unknown]> {
  if (action === 'signers' && req.method === 'GET') return [200, signers(issuer)];
  if (req.method !== 'POST') return [405, { error: 'method not allowed' }];
  if (action === 'rotate') {
    await issuer.rotate();
    return [200, signers(issuer)];
  }
  const body = (await readJson(req)) as MintRequest & Partial<SignRequest>;
  if (action === 'mint') {
    const claims: Record<string, unknown> = { ...body.claims };
    for (const name of body.remove ?? []) claims[name] = undefined;
    return [200, { token: await issuer.mint(claims, mintOptions(body)) }];
  }
  if (action === 'sign' && typeof body.payload === 'string') {
    return [200, { token: await issuer.sign(base64url.decode(body.payload), mintOptions(body)) }];
  }
  return [404, { error: 'not found' }];
}

/** Serves the request when it is for the mint API; false leaves it to the issuer's other routes. */
export function serveMintApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  issuer: Issuer,
  secret: string,
): boolean {
  if (!path.startsWith(`${MINT_API_PATH}/`)) return false;
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (given === undefined || !sameSecret(given, secret)) {
    req.resume();
    reply(res, 401, { error: 'the mint API needs the issuer mint secret' });
    return true;
  }
  answer(req, path.slice(MINT_API_PATH.length + 1), issuer).then(
    ([status, body]) => reply(res, status, body),
    (err: Error) => reply(res, 400, { error: err.message }),
  );
  return true;
}

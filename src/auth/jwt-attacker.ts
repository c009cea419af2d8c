import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
} from 'jose';

/**
 * The attacker's side of the JWT attacks: a key pair the gateway has never seen, and a loopback
 * server that publishes it as a JWKS (for `jku`) and as a self-signed certificate (for `x5u`).
 * The server counts every request, so a test can prove the gateway never fetched from it.
 */

export const ATTACKER_JWKS_PATH = '/attacker/jwks.json';
export const ATTACKER_CERT_PATH = '/attacker/cert.pem';

export interface Attacker {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public key as a JWK, with kid and alg RS256. */
  readonly jwk: JWK;
  /** A self-signed X.509 certificate of the key, DER. */
  readonly certificate: Uint8Array;
  readonly jwksUrl: string;
  readonly certUrl: string;
  /** Requests the attacker's server received: a correct gateway sends none. */
  readonly hits: number;
  close(): Promise<void>;
}

export async function startAttacker(options: { host?: string; port?: number } = {}): Promise<Attacker> {
  const pair = await generateKeyPair('RS256');
  const exported = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(exported);
  const jwk: JWK = { ...exported, kid, alg: 'RS256', use: 'sig' };
  const certificate = await selfSignedCertificate(pair.publicKey, pair.privateKey, 'gateproof attacker');
  const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(certificate).toString('base64')}\n-----END CERTIFICATE-----\n`;
  let hits = 0;

  const server = createServer((req, res) => {
    hits += 1;
    const path = new URL(req.url ?? '/', 'http://attacker').pathname;
    if (path === ATTACKER_JWKS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else if (path === ATTACKER_CERT_PATH) {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pem);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    kid,
    privateKey: pair.privateKey,
    jwk,
    certificate,
    jwksUrl: `${origin}${ATTACKER_JWKS_PATH}`,
    certUrl: `${origin}${ATTACKER_CERT_PATH}`,
    get hits() {
      return hits;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// A minimal DER writer: just enough of X.509 for one self-signed RSA certificate.
const concat = (parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> =>
  new Uint8Array(Buffer.concat(parts));

function tlv(tag: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const n = body.length;
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concat([Uint8Array.of(tag, ...length), body]);
}

const sequence = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => tlv(0x30, concat(parts));

function objectId(dotted: string): Uint8Array {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) groups.unshift((value & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

function utcTime(date: Date): Uint8Array {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14);
  return tlv(0x17, new TextEncoder().encode(`${text}Z`));
}

function commonName(name: string): Uint8Array {
  const attribute = sequence(objectId('2.5.4.3'), tlv(0x0c, new TextEncoder().encode(name)));
  return sequence(tlv(0x31, attribute));
}

async function selfSignedCertificate(
  publicKey: CryptoKey,
  privateKey: CryptoKey,
  name: string,
): Promise<Uint8Array> {
  const sha256WithRsa = sequence(objectId('1.2.840.113549.1.1.11'), Uint8Array.of(0x05, 0x00));
  const spki = new Uint8Array(
    Buffer.from((await exportSPKI(publicKey)).replace(/-----[^-]+-----|\s/g, ''), 'base64'),
  );
  const serial = tlv(0x02, Uint8Array.of(0x01, ...crypto.getRandomValues(new Uint8Array(8))));
  const now = Date.now();
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Uint8Array.of(2))),
    serial,
    sha256WithRsa,
    commonName(name),
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    commonName(name),
    spki,
  );
  const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, tbs));
  return sequence(tbs, sha256WithRsa, tlv(0x03, concat([Uint8Array.of(0), signature])));
}

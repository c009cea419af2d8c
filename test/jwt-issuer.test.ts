import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { request } from 'undici';
import { type Attacker, startAttacker } from '../src/auth/jwt-attacker.js';
import { DISCOVERY_PATH, ISSUER_ALGORITHMS, type Issuer, startIssuer } from '../src/auth/oidc-issuer.js';

async function getJson(url: string): Promise<{ status: number; body: unknown; size: number }> {
  const response = await request(url);
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text), size: Buffer.byteLength(text) };
}

describe('built-in OIDC issuer', () => {
  let issuer: Issuer;
  before(async () => {
    issuer = await startIssuer({ audience: 'gateproof-test' });
  });
  after(() => issuer.close());

  test('serves a discovery document that points at its JWKS', async () => {
    const { status, body } = await getJson(`${issuer.issuerUrl}${DISCOVERY_PATH}`);
    assert.equal(status, 200);
    assert.deepEqual(
      { issuer: (body as { issuer: string }).issuer, jwks_uri: (body as { jwks_uri: string }).jwks_uri },
      { issuer: issuer.issuerUrl, jwks_uri: issuer.jwksUrl },
    );
    assert.match(issuer.issuerUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('publishes one public key per algorithm, each with its own kid', async () => {
    const { body } = await getJson(issuer.jwksUrl);
    const keys = (body as { keys: Record<string, string>[] }).keys;
    assert.deepEqual(
      keys.map((key) => key.alg),
      [...ISSUER_ALGORITHMS],
    );
    assert.equal(new Set(keys.map((key) => key.kid)).size, keys.length);
    for (const key of keys) assert.equal(key.d, undefined, 'no private part is published');
  });

  test('mints tokens that verify against its JWKS with every algorithm', async () => {
    const keySet = createLocalJWKSet(issuer.jwks());
    for (const alg of ISSUER_ALGORITHMS) {
      const token = await issuer.mint({}, { alg });
      const { payload, protectedHeader } = await jwtVerify(token, keySet, {
        issuer: issuer.issuerUrl,
        audience: 'gateproof-test',
      });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(protectedHeader.kid, issuer.signingKey(alg).kid);
      assert.equal(payload.scope, 'gateproof/read');
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
    }
  });

  test('mint overrides claims and removes those set to undefined', async () => {
    const claims = decodeJwt(await issuer.mint({ sub: 'someone', scope: undefined, client_id: 'c' }));
    assert.equal(claims.sub, 'someone');
    assert.equal(claims.client_id, 'c');
    assert.equal('scope' in claims, false);
  });

  test('rotate publishes a new RS256 key that becomes the default signer', async () => {
    const before = issuer.signingKey('RS256').kid;
    const rotated = await issuer.rotate();
    assert.notEqual(rotated.kid, before);
    assert.equal(decodeProtectedHeader(await issuer.mint()).kid, rotated.kid);
    const { body } = await getJson(issuer.jwksUrl);
    const kids = (body as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    assert.ok(kids.includes(before) && kids.includes(rotated.kid));
  });

  test('the JWKS can be made oversized and slow, and counts its requests', async () => {
    const requests = issuer.jwksRequests;
    issuer.setJwksBehaviour({ padToBytes: 200_000 });
    const { body, size } = await getJson(issuer.jwksUrl);
    assert.ok(size >= 200_000 && size < 200_100, `size ${size}`);
    assert.equal((body as { keys: unknown[] }).keys.length, issuer.keys.length);

    issuer.setJwksBehaviour({ delayMs: 300 });
    const started = performance.now();
    await getJson(issuer.jwksUrl);
    assert.ok(performance.now() - started >= 290);
    issuer.setJwksBehaviour({});
    assert.equal(issuer.jwksRequests, requests + 2);
  });
});

describe('attacker server', () => {
  let attacker: Attacker;
  before(async () => {
    attacker = await startAttacker();
  });
  after(() => attacker.close());

  test("serves the attacker's JWKS and a self-signed certificate of the same key, and counts hits", async () => {
    const { body } = await getJson(attacker.jwksUrl);
    assert.deepEqual(body, { keys: [attacker.jwk] });
    const pem = await (await request(attacker.certUrl)).body.text();
    const certificate = new X509Certificate(pem);
    assert.ok(certificate.verify(certificate.publicKey), 'self-signed');
    assert.equal(certificate.publicKey.export({ format: 'jwk' }).n, attacker.jwk.n);
    assert.equal(attacker.hits, 2);
  });
});

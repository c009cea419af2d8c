import { decodeProtectedHeader } from 'jose';
import { JWT_ACCEPTED, JWT_ATTACKS } from '../src/auth/jwt-attacks.js';

import type { Feature } from '../src/target/profile-schema.js';
import {
  expectGatewayResponse,
  expectNotReached,
  expectReached,
  expectRefused,
  type Rejection,
} from './expectations.js';
import { expect, gateCase, test } from './fixtures.js';
import { spoofCases } from './identity-spoofing.js';
import { attackerServer, closeAttacker, scopeClaim, tokenIssuer, validToken } from './jwt-tokens.js';

/**
 * The JWT authorizer (HTTP API semantics): a route admits a token signed by a key of the trusted
 * issuer's JWKS, for this audience, current, and holding one of the route's scopes; its claims
 * reach the integration. Every attack a verifier has been known to fall for is refused, and
 * proven not to have reached the origin; after all of them, the valid token still works.
 */

const REF = 'aws-semantics.md#authorizers (JWT authorizer, HTTP API)';

const UNAUTHORIZED: Rejection = {
  statuses: [401, 403],
  aws: { status: 401, message: 'Unauthorized' },
};

const jwtCase = (
  meta: { id: string; title: string; refs?: readonly string[]; features?: Feature[] },
  body: Parameters<typeof gateCase>[1],
) =>
  gateCase(
    {
      id: meta.id,
      title: meta.title,
      level: 'core',
      features: ['jwt', ...(meta.features ?? [])],
      refs: [...(meta.refs ?? [REF])],
    },
    body,
  );

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Wrong in two independent ways (expired, and its signature broken), so no one lapse lets it through. */
async function refusedToken(target: Parameters<typeof tokenIssuer>[0]): Promise<string> {
  const issuer = await tokenIssuer(target);
  const expired = await issuer.mint({ ...scopeClaim(target), exp: Math.floor(Date.now() / 1000) - 600 });
  const [header, payload, signature = ''] = expired.split('.');
  const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return `${header}.${payload}.${flipped}`;
}

test.describe('jwt', () => {
  test.afterAll(closeAttacker);

  jwtCase(
    { id: 'jwt.accept.valid', title: 'a valid token from the trusted issuer reaches the integration' },
    async ({ client, target, probe, nonce }) => {
      const res = await client.get('/jwt', {
        query: { gpn: nonce },
        headers: bearer(await validToken(target)),
      });
      expect(res.status).toBe(200);
      expect(res.json?.nonce, 'the echo is of this request').toBe(nonce);
      await expectReached(probe, nonce, 1);
    },
  );

  jwtCase(
    {
      id: 'jwt.accept.claims-forwarded',
      title: "the token's claims reach the integration as the authorizer context",
      refs: [REF, 'aws-semantics.md: $context.authorizer.claims'],
    },
    async ({ client, target, nonce, strict }) => {
      const issuer = await tokenIssuer(target);
      const sub = `gateproof-${nonce}`;
      const token = await issuer.mint({ ...scopeClaim(target), sub, groups: ['readers', 'writers'] });
      const res = await client.get('/jwt', { query: { gpn: nonce }, headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(res.json?.headers['x-gp-authorizer-claims-sub'], 'claims.sub at the integration').toBe(sub);
      // HTTP APIs flatten a list claim to "[a b]".
      if (strict)
        expect(res.json?.headers['x-gp-authorizer-claims-groups'], 'a list claim at the integration').toBe(
          '[readers writers]',
        );
    },
  );

  jwtCase(
    {
      id: 'jwt.accept.bare-token',
      title: 'a valid token sent alone, without "Bearer", is accepted',
    },
    async ({ client, target, strict, nonce }) => {
      test.skip(!strict, 'API Gateway accepts the token alone; RFC 6750 needs "Bearer": --profile aws only');
      const res = await client.get('/jwt', {
        query: { gpn: nonce },
        headers: { authorization: await validToken(target) },
      });
      expect(res.status).toBe(200);
    },
  );

  // Before any refusal: a gateway that locks out a caller after refused tokens must not hide these.
  for (const acceptance of JWT_ACCEPTED) {
    jwtCase(
      { id: `jwt.accept.${acceptance.name}`, title: acceptance.title, refs: acceptance.refs },
      async ({ client, target, nonce }) => {
        const [issuer, token, attacker] = await Promise.all([
          tokenIssuer(target),
          validToken(target),
          attackerServer(),
        ]);
        const authorization = await acceptance.build({ issuer, token, attacker });
        const res = await client.get('/jwt', { query: { gpn: nonce }, headers: { authorization } });
        expect(res.status, 'status').toBe(200);
        expect(res.json?.nonce, 'the echo is of this request').toBe(nonce);
      },
    );
  }

  spoofCases('jwt', 'on a JWT method', ['jwt'], async ({ client, target, nonce }, spoofed) =>
    client.get('/jwt', {
      query: { gpn: nonce },
      headers: { ...spoofed, ...bearer(await validToken(target)) },
    }),
  );

  jwtCase(
    {
      id: 'jwt.reject.token-in-query',
      title:
        'a valid token in the query string (access_token) instead of the identity-source header is refused',
      refs: [REF, 'RFC 6750 §2.3'],
    },
    async ({ client, target, probe, nonce, strict }) => {
      const res = await client.get('/jwt', { query: { gpn: nonce, access_token: await validToken(target) } });
      expectRefused(res, UNAUTHORIZED, strict);
      await expectNotReached(probe, nonce);
    },
  );

  jwtCase(
    { id: 'jwt.reject.missing', title: 'a request without a token is refused' },
    async ({ client, probe, nonce, strict }) => {
      const res = await client.get('/jwt', { query: { gpn: nonce } });
      expectRefused(res, UNAUTHORIZED, strict);
      await expectNotReached(probe, nonce);
    },
  );

  for (const attack of JWT_ATTACKS) {
    jwtCase(
      { id: `jwt.attack.${attack.name}`, title: attack.title, refs: attack.refs },
      async ({ client, target, probe, nonce, strict }) => {
        const [issuer, attacker, token] = await Promise.all([
          tokenIssuer(target),
          attackerServer(),
          validToken(target),
        ]);
        const forged = await attack.build({ issuer, attacker, token });
        const contacted = attacker.hits;
        const res = await client.get('/jwt', { query: { gpn: nonce }, headers: bearer(forged) });
        if (strict) expect(attack.statuses, `status ${res.status}`).toContain(res.status);
        else
          expect(res.status >= 400 && res.status < 500, `status ${res.status} is not a 4xx refusal`).toBe(
            true,
          );
        await expectNotReached(probe, nonce);
        expect(attacker.hits - contacted, "requests the gateway made to the attacker's server").toBe(0);
      },
    );
  }

  jwtCase(
    {
      id: 'jwt.response.unauthorized-body',
      title: 'a refused token is answered 401 {"message":"Unauthorized"}, saying nothing of why',
    },
    async ({ client, target, nonce, strict }) => {
      test.skip(!strict, 'API Gateway body: asserted at --profile aws only');
      const res = await client.get('/jwt', {
        query: { gpn: nonce },
        headers: bearer(await refusedToken(target)),
      });
      expectGatewayResponse(res, UNAUTHORIZED);
    },
  );

  jwtCase(
    {
      id: 'jwt.response.www-authenticate',
      title: 'a refused token is answered with a WWW-Authenticate Bearer challenge naming invalid_token',
      refs: [REF, 'RFC 6750 §3'],
    },
    async ({ client, target, nonce, strict }) => {
      test.skip(!strict, 'the exact challenge of API Gateway: asserted at --profile aws only');
      const res = await client.get('/jwt', {
        query: { gpn: nonce },
        headers: bearer(await refusedToken(target)),
      });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate'] ?? '', 'www-authenticate').toMatch(
        /^Bearer scope="[^"]*" error="invalid_token" error_description="[^"]*"$/,
      );
    },
  );

  jwtCase(
    {
      id: 'jwt.accept.after-attacks',
      title: 'after every attack, the valid token still reaches the integration',
    },
    async ({ client, target, nonce }) => {
      const res = await client.get('/jwt', {
        query: { gpn: nonce },
        headers: bearer(await validToken(target)),
      });
      expect(res.status).toBe(200);
      expect(res.json?.nonce).toBe(nonce);
    },
  );

  // Last: from here on the issuer signs with its new key.
  jwtCase(
    {
      id: 'jwt.rotation.new-key-accepted',
      title: "a token signed by the issuer's new key is accepted once the key is published in its JWKS",
      refs: [REF, 'aws-semantics.md: JWKS refetched on an unknown kid'],
      features: ['jwt-rotation'],
    },
    async ({ client, target, nonce }) => {
      const issuer = await tokenIssuer(target);
      const key = await issuer.rotate();
      const token = await issuer.mint(scopeClaim(target));
      expect(decodeProtectedHeader(token).kid, 'signed by the new key').toBe(key.kid);
      // A gateway may wait a little before it refetches keys: retry for a while, never forever.
      await expect
        .poll(
          async () => (await client.get('/jwt', { query: { gpn: nonce }, headers: bearer(token) })).status,
          { timeout: 20_000, intervals: [500, 1000] },
        )
        .toBe(200);
    },
  );
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Attacker, startAttacker } from '../src/auth/jwt-attacker.js';
import { JWT_ATTACKS } from '../src/auth/jwt-attacks.js';
import { type Issuer, startIssuer } from '../src/auth/oidc-issuer.js';
import { authorizerHeaders } from '../src/reference/authorizer-outcome.js';
import {
  createJwtAuthorizer,
  JWT_FAULTS,
  type JwtAuthorizerConfig,
  type JwtOutcome,
} from '../src/reference/jwt-authorizer.js';

const AUDIENCE = 'gateproof-test';
const SCOPES = ['gateproof/read'];

/** A clock the test moves; starts at the real time so the issuer's tokens are current. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let ms = Date.now();
  return { now: () => ms, advance: (by) => (ms += by) };
}

function assertRejected(outcome: JwtOutcome, status: number, description?: RegExp): void {
  assert.equal(outcome.ok, false, 'expected a rejection');
  if (outcome.ok) return;
  assert.equal(outcome.status, status);
  if (status === 401) {
    assert.deepEqual(outcome.body, { message: 'Unauthorized' });
    assert.match(
      outcome.headers['www-authenticate'] ?? '',
      /^Bearer scope="" error="invalid_token" error_description="[^"]+"$/,
    );
  }
  if (description) assert.match(outcome.reason, description);
}

describe('JWT authorizer (HTTP API)', () => {
  let issuer: Issuer;
  let attacker: Attacker;
  let config: JwtAuthorizerConfig;

  before(async () => {
    [issuer, attacker] = await Promise.all([startIssuer({ audience: AUDIENCE }), startAttacker()]);
    config = { issuer: issuer.issuerUrl, audience: [AUDIENCE] };
  });
  after(() => Promise.all([issuer.close(), attacker.close()]));

  test('accepts a valid token alone or after Bearer, and exposes its claims as authorizer context', async () => {
    const authorizer = createJwtAuthorizer(config);
    const token = await issuer.mint({ sub: 'alice' });
    for (const value of [token, `Bearer ${token}`, `bearer ${token}`]) {
      const outcome = await authorizer.authorize(value, SCOPES);
      assert.equal(outcome.ok, true, outcome.ok ? '' : outcome.reason);
    }
    const outcome = await authorizer.authorize(token, SCOPES);
    assert.ok(outcome.ok);
    assert.equal(outcome.claims.sub, 'alice');
    assert.equal(outcome.context['claims.sub'], 'alice');
    assert.equal(authorizerHeaders(outcome.context)['x-gp-authorizer-claims-sub'], 'alice');
    assert.equal(authorizer.jwks.fetches, 2, 'discovery and JWKS, once');
  });

  test('every attack token is rejected, the attacker is never contacted, and the valid token still works', async () => {
    const authorizer = createJwtAuthorizer(config);
    const token = await issuer.mint();
    assert.equal((await authorizer.authorize(`Bearer ${token}`, SCOPES)).ok, true);
    for (const attack of JWT_ATTACKS) {
      const forged = await attack.build({ issuer, attacker, token });
      const outcome = await authorizer.authorize(`Bearer ${forged}`, SCOPES);
      assert.equal(outcome.ok, false, `${attack.name} was accepted`);
      assert.ok(
        !outcome.ok && attack.statuses.includes(outcome.status),
        `${attack.name}: ${JSON.stringify(outcome)}`,
      );
    }
    assert.equal(attacker.hits, 0);
    assert.equal((await authorizer.authorize(`Bearer ${token}`, SCOPES)).ok, true);
  });

  test('attack names are unique kebab-case', () => {
    const names = JWT_ATTACKS.map((attack) => attack.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test('answers each failure with its own description', async () => {
    const authorizer = createJwtAuthorizer(config);
    const ctx = { issuer, attacker, token: await issuer.mint() };
    const reasonOf = async (name: string): Promise<JwtOutcome> => {
      const attack = JWT_ATTACKS.find((candidate) => candidate.name === name);
      assert.ok(attack, name);
      return authorizer.authorize(await attack.build(ctx), SCOPES);
    };
    assertRejected(await reasonOf('wrong-aud'), 401, /^the token does not have a valid audience$/);
    assertRejected(await reasonOf('wrong-iss'), 401, /issuer/);
    assertRejected(await reasonOf('expired'), 401, /expired/);
    assertRejected(await reasonOf('nbf-ahead'), 401, /not valid yet/);
    assertRejected(await reasonOf('iat-ahead'), 401, /issued in the future/);
    assertRejected(await reasonOf('alg-none'), 401, /algorithm/);
    assertRejected(await reasonOf('unknown-kid'), 401, /kid/);
    assertRejected(await reasonOf('bad-signature'), 401, /signature/);
    assertRejected(await reasonOf('oversized'), 401, /too large/);
    assertRejected(await authorizer.authorize(undefined, SCOPES), 401, /no token/);
    assertRejected(await authorizer.authorize('', SCOPES), 401, /no token/);

    const scope = await reasonOf('missing-scope');
    assert.ok(!scope.ok);
    assert.equal(scope.status, 403);
    assert.deepEqual(scope.body, { message: 'Forbidden' });
    assert.match(
      scope.headers['www-authenticate'] ?? '',
      /^Bearer scope="gateproof\/read" error="insufficient_scope"/,
    );
  });

  test('aud may be a list; client_id stands in only when aud is absent; scp is read too', async () => {
    const authorizer = createJwtAuthorizer(config);
    const accepted = async (claims: Record<string, unknown>): Promise<boolean> =>
      (await authorizer.authorize(await issuer.mint(claims), SCOPES)).ok;
    assert.equal(await accepted({ aud: ['other', AUDIENCE] }), true);
    assert.equal(await accepted({ aud: undefined, client_id: AUDIENCE }), true);
    assert.equal(await accepted({ aud: 'other', client_id: AUDIENCE }), false);
    assert.equal(await accepted({ scope: undefined, scp: ['x', 'gateproof/read'] }), true);
    assert.equal(await accepted({ scope: 'a gateproof/read b' }), true);
    assert.equal(await accepted({ exp: undefined }), false);
    assert.equal((await authorizer.authorize(await issuer.mint({ scope: undefined }), [])).ok, true);
  });

  test('the clock is injected: a token expires when the clock passes exp, and nbf opens it', async () => {
    const clock = manualClock();
    const authorizer = createJwtAuthorizer({ ...config, now: clock.now });
    const iat = Math.floor(clock.now() / 1000);
    const token = await issuer.mint({ iat, nbf: iat + 60, exp: iat + 120 });
    assertRejected(await authorizer.authorize(token, SCOPES), 401, /not valid yet/);
    clock.advance(60_000);
    assert.equal((await authorizer.authorize(token, SCOPES)).ok, true);
    clock.advance(60_000);
    assertRejected(await authorizer.authorize(token, SCOPES), 401, /expired/);
  });

  test('only RSA algorithms by default; ES256 and EdDSA when configured', async () => {
    const rsaOnly = createJwtAuthorizer(config);
    const any = createJwtAuthorizer({ ...config, algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'] });
    for (const alg of ['RS256', 'PS256'] as const) {
      assert.equal((await rsaOnly.authorize(await issuer.mint({}, { alg }), SCOPES)).ok, true, alg);
    }
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const token = await issuer.mint({}, { alg });
      assertRejected(await rsaOnly.authorize(token, SCOPES), 401, /algorithm/);
      assert.equal((await any.authorize(token, SCOPES)).ok, true, alg);
    }
  });

  test('the Cognito variant answers "The incoming token has expired" or Unauthorized', async () => {
    const authorizer = createJwtAuthorizer({ ...config, variant: 'cognito' });
    const ctx = { issuer, attacker, token: await issuer.mint() };
    for (const attack of JWT_ATTACKS) {
      const outcome = await authorizer.authorize(await attack.build(ctx), SCOPES);
      assert.ok(!outcome.ok, attack.name);
      assert.equal(outcome.status, 401, attack.name);
      const expired = ['expired', 'exp-just-past'].includes(attack.name);
      const message = expired ? 'The incoming token has expired' : 'Unauthorized';
      assert.deepEqual(outcome.body, { message }, attack.name);
    }
    assert.equal((await authorizer.authorize(ctx.token, SCOPES)).ok, true);
  });

  test('each fault makes exactly its declared attacks pass', async () => {
    const ctx = { issuer, attacker, token: await issuer.mint() };
    const tokens = await Promise.all(
      JWT_ATTACKS.map(async (attack) => [attack.name, await attack.build(ctx)] as const),
    );
    for (const fault of JWT_FAULTS) {
      const authorizer = createJwtAuthorizer({ ...config, fault: fault.name });
      const accepted: string[] = [];
      for (const [name, token] of tokens) {
        if ((await authorizer.authorize(`Bearer ${token}`, SCOPES)).ok) accepted.push(`jwt.attack.${name}`);
      }
      const attacks = fault.breaks.filter((id) => id.startsWith('jwt.attack.'));
      assert.deepEqual(accepted, attacks, fault.name);
      assert.equal((await authorizer.authorize(ctx.token, SCOPES)).ok, true, fault.name);
    }
  });
});

describe('JWT authorizer: keys from the JWKS', () => {
  let issuer: Issuer;
  before(async () => {
    issuer = await startIssuer({ audience: AUDIENCE });
  });
  after(() => issuer.close());

  test('a token from a rotated key is accepted once the JWKS is refetched for its unknown kid', async () => {
    const authorizer = createJwtAuthorizer({
      issuer: issuer.issuerUrl,
      audience: [AUDIENCE],
      jwksUrl: issuer.jwksUrl,
      jwks: { refetchCooldownMs: 0 },
    });
    assert.equal((await authorizer.authorize(await issuer.mint(), SCOPES)).ok, true);
    const before = issuer.jwksRequests;
    await issuer.rotate();
    assert.equal((await authorizer.authorize(await issuer.mint(), SCOPES)).ok, true);
    assert.equal(issuer.jwksRequests, before + 1);
  });

  test('unknown kids cause at most one refetch per cooldown, and known kids none within an hour', async () => {
    const clock = manualClock();
    const authorizer = createJwtAuthorizer({
      issuer: issuer.issuerUrl,
      audience: [AUDIENCE],
      jwksUrl: issuer.jwksUrl,
      now: clock.now,
      jwks: { refetchCooldownMs: 10_000 },
    });
    const valid = await issuer.mint();
    const unknown = await issuer.mint({}, { header: { kid: 'gateproof-unknown-kid' } });
    const start = issuer.jwksRequests;
    assert.equal((await authorizer.authorize(valid, SCOPES)).ok, true);
    for (let i = 0; i < 20; i += 1) assertRejected(await authorizer.authorize(unknown, SCOPES), 401, /kid/);
    assert.equal(issuer.jwksRequests, start + 1, 'the first fetch was within the cooldown');
    clock.advance(10_000);
    for (let i = 0; i < 20; i += 1) assertRejected(await authorizer.authorize(unknown, SCOPES), 401, /kid/);
    assert.equal(issuer.jwksRequests, start + 2);
    const mintNow = () => {
      const iat = Math.floor(clock.now() / 1000);
      return issuer.mint({ iat, exp: iat + 60 });
    };
    clock.advance(3_000_000);
    assert.equal((await authorizer.authorize(await mintNow(), SCOPES)).ok, true);
    assert.equal(issuer.jwksRequests, start + 2, 'cached keys served without a fetch');
    clock.advance(3_600_000);
    assert.equal((await authorizer.authorize(await mintNow(), SCOPES)).ok, true);
    assert.equal(issuer.jwksRequests, start + 3, 'refetched after an hour');
  });

  test('a JWKS slower than 1.5 s is not waited for', async () => {
    const authorizer = createJwtAuthorizer({
      issuer: issuer.issuerUrl,
      audience: [AUDIENCE],
      jwksUrl: issuer.jwksUrl,
    });
    issuer.setJwksBehaviour({ delayMs: 2500 });
    try {
      const started = performance.now();
      assertRejected(await authorizer.authorize(await issuer.mint(), SCOPES), 401, /signing keys/);
      const waited = performance.now() - started;
      assert.ok(waited >= 1400 && waited < 2400, `waited ${waited} ms`);
    } finally {
      issuer.setJwksBehaviour({});
    }
  });

  test('a JWKS over 150,000 bytes is refused, one under it is used', async () => {
    const make = () =>
      createJwtAuthorizer({ issuer: issuer.issuerUrl, audience: [AUDIENCE], jwksUrl: issuer.jwksUrl });
    try {
      issuer.setJwksBehaviour({ padToBytes: 150_001 });
      assertRejected(await make().authorize(await issuer.mint(), SCOPES), 401, /signing keys/);
      issuer.setJwksBehaviour({ padToBytes: 150_000 });
      assert.equal((await make().authorize(await issuer.mint(), SCOPES)).ok, true);
    } finally {
      issuer.setJwksBehaviour({});
    }
  });

  test('concurrent requests share one JWKS fetch', async () => {
    const authorizer = createJwtAuthorizer({
      issuer: issuer.issuerUrl,
      audience: [AUDIENCE],
      jwksUrl: issuer.jwksUrl,
    });
    const token = await issuer.mint();
    const before = issuer.jwksRequests;
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => authorizer.authorize(token, SCOPES)));
    assert.ok(outcomes.every((outcome) => outcome.ok));
    assert.equal(issuer.jwksRequests, before + 1);
  });
});

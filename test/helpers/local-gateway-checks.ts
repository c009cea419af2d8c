import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { TokenIssuer } from '../../src/auth/oidc-issuer.js';
import { connectIssuer } from '../../src/auth/remote-issuer.js';
import type { Results } from '../../src/results/model.js';
import { validateResults } from '../../src/results/validate.js';
import { type Profile, profileSchema } from '../../src/target/profile-schema.js';
import { UsageError } from '../../src/usage-error.js';
import { gateproof } from './cli.js';

export const KEY = 'Abcdefghij0123456789KLMNOPqrst';
export const cacheSettings = (input: object) => profileSchema.shape.cache.unwrap().parse(input);
export const corsSettings = (input: object) => profileSchema.shape.cors.unwrap().parse(input);

/** A gateway's default profile with fixed keys and the features its config checks render. */
export function configProfile(defaults: Profile, overrides: Partial<Profile> = {}): Profile {
  return {
    ...defaults,
    features: ['apikey', 'throttle', 'quota', 'cache', 'cors'],
    apiKeys: { valid: KEY, disabled: `${KEY}dis`, quota: [`${KEY}q0`], quotaPair: [`${KEY}p0`, `${KEY}p1`] },
    ...overrides,
  };
}

/** Plans with a method throttle and a quota offset, a cache with an invalidation header, a wildcard origin. */
export function configSettings(): Partial<Profile> {
  return {
    plans: {
      default: { throttle: { rateLimit: 50, burstLimit: 10 } },
      tinyQuota: { quota: { limit: 3, period: 'WEEK', offset: 1 } },
      throttled: { throttle: { rateLimit: 20, burstLimit: 5 } },
    },
    cache: cacheSettings({
      ttlSeconds: 60,
      shortTtlSeconds: 3,
      keyParameters: ['id'],
      invalidationHeaders: { 'X-Invalidate': 'Secret0123456789' },
    }),
    cors: corsSettings({
      allowOrigins: ['https://app.example.com', 'https://*.example.com'],
      allowMethods: ['GET'],
      maxAge: 600,
    }),
  };
}

/**
 * A key, an origin and a path holding the config's own syntax are refused in one line, the key's
 * message never showing it.
 */
export function expectInjectionRefused(
  render: (p: Profile) => string,
  profile: (overrides?: Partial<Profile>) => Profile,
  hostile: { key: string; origin: string; path: string },
): void {
  assert.throws(
    () => render(profile({ apiKeys: { valid: hostile.key, quota: [] } })),
    (err: Error) =>
      err instanceof UsageError && !err.message.includes('Secret') && !err.message.includes('\n'),
  );
  const cors = corsSettings({ allowOrigins: [hostile.origin] });
  assert.throws(() => render(profile({ cors })), /cors\.allowOrigins: .* cannot go into a gateway config/);
  assert.throws(
    () => render(profile({ routes: { ...profile().routes, open: hostile.path } })),
    /routes\.open/,
  );
}

/**
 * What every gateway gateproof configures itself must do, checked by hand against a started one
 * with a plan of rate 1 and burst 3: the cache keyed by the declared parameters and refreshed
 * only by a caller with the right, the throttle admitting 3 then refusing, CORS preflights
 * answered without a key and CORS headers on refusals too.
 */
export async function checkCacheThrottleCors(p: Profile): Promise<void> {
  const base = `${p.baseUrl}/${p.stage}`;
  const reached = async (nonce: string) =>
    (
      (await (await request(`${p.probe!.url}/__probe/counters?nonce=${nonce}`)).body.json()) as {
        count?: number;
      }
    ).count ?? 0;
  const cached = async (query: string, headers: Record<string, string> = {}) => {
    const res = await request(`${base}/cached?${query}`, {
      headers: { 'x-gp-nonce': 'cache-1', ...headers },
    });
    return ((await res.body.json()) as { version: number }).version;
  };
  const first = await cached('id=a&other=1');
  assert.equal(await cached('id=a&other=2'), first, 'a parameter that is not a key does not split the cache');
  assert.equal(await reached('cache-1'), 1, 'the hit never reached the origin');
  assert.notEqual(await cached('id=b'), first);
  assert.equal(
    await cached('id=a', { 'cache-control': 'max-age=0' }),
    first,
    'max-age=0 alone refreshes nothing',
  );
  const refreshed = await cached('id=a', { 'cache-control': 'max-age=0', ...p.cache!.invalidationHeaders });
  assert.notEqual(refreshed, first, 'max-age=0 from a caller allowed to invalidate fetches a fresh answer');
  assert.equal(await cached('id=a'), refreshed, 'and stores it');

  const statuses: number[] = [];
  let body: unknown;
  for (let i = 0; i < 5; i++) {
    const res = await request(`${base}/throttled`, { headers: { 'x-api-key': p.apiKeys!.valid } });
    statuses.push(res.statusCode);
    body = await res.body.json();
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  assert.deepEqual(body, { message: 'Too Many Requests' });

  const allowed = p.cors!.allowOrigins[0]!;
  const preflight = (origin: string) =>
    request(`${base}/keyed`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-api-key',
      },
    });
  const ok = await preflight(allowed);
  await ok.body.dump();
  assert.equal(ok.statusCode, 204, 'a preflight needs no key');
  assert.equal(ok.headers['access-control-allow-origin'], allowed);
  assert.match(String(ok.headers['access-control-allow-headers']), /x-api-key/);
  assert.equal(ok.headers.vary, 'Origin');
  const evil = await preflight(p.cors!.disallowedOrigin);
  await evil.body.dump();
  assert.equal(evil.headers['access-control-allow-origin'], undefined);
  const plain = await request(`${base}/open`);
  await plain.body.dump();
  assert.equal(plain.headers['access-control-allow-origin'], undefined, 'no Origin, no CORS headers');
  const refusal = await request(`${base}/keyed`, { headers: { origin: allowed } });
  await refusal.body.dump();
  assert.equal(refusal.statusCode, 403);
  assert.equal(refusal.headers['access-control-allow-origin'], allowed, 'CORS headers on a refusal too');
}

/**
 * The JWT route admits a token of the built-in issuer with its claims forwarded (never a header
 * the client sent), and refuses each forgery `forged` makes with 401 and a Bearer challenge.
 */
export async function checkJwtRoute(
  p: Profile,
  forged: (token: string, issuer: TokenIssuer) => Promise<Array<string | undefined>>,
): Promise<void> {
  const jwt = p.jwt!;
  const issuer = await connectIssuer({
    issuerUrl: jwt.issuer,
    audience: jwt.audience,
    mintUrl: jwt.mint!.url,
    secret: jwt.mint!.secret,
    timeoutMs: 5_000,
  });
  const token = await issuer.mint({ scope: jwt.scopes.join(' '), sub: 'alice' });
  const get = async (authorization?: string) => {
    const res = await request(`${p.baseUrl}/${p.stage}/jwt`, {
      headers: authorization ? { authorization, 'x-gp-authorizer-claims-sub': 'mallory' } : {},
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: (await res.body.json()) as Record<string, unknown>,
    };
  };
  const ok = await get(`Bearer ${token}`);
  assert.equal(ok.status, 200);
  const echoed = (ok.body.headers as Record<string, string>)['x-gp-authorizer-claims-sub'];
  assert.equal(echoed, 'alice', "the token's sub, never the client's header");
  const [header, payload] = token.split('.');
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
  for (const authorization of [
    `Bearer ${none}`,
    `Bearer ${header}.${payload}.AAAA`,
    undefined,
    ...(await forged(token, issuer)),
  ]) {
    const refused = await get(authorization);
    assert.equal(refused.status, 401, String(authorization).slice(0, 40));
    assert.deepEqual(refused.body, { message: 'Unauthorized' });
    assert.match(String(refused.headers['www-authenticate']), /^Bearer scope="" error="invalid_token"/);
  }
}

/** `gateproof run --target NAME --suites ... --no-load` exits 0: claimed cases pass, the rest skip. */
export async function runSuites(name: string, suites: string[]): Promise<Results> {
  const out = mkdtempSync(join(tmpdir(), `gp-${name}-run-`));
  const result = await gateproof([
    'run',
    '--target',
    name,
    '--suites',
    suites.join(','),
    '--no-load',
    '--out',
    out,
  ]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  assert.deepEqual(validateResults(results), []);
  assert.equal(results.target.vendor, name);
  assert.match(results.target.version, /^\d+\.\d+/);
  const odd = results.cases.filter((c) => c.status !== 'pass' && c.status !== 'skip');
  assert.deepEqual(
    odd.map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`),
    [],
  );
  return results;
}

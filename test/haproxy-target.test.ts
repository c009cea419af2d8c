import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { throttleSteady } from '../scenarios/throttle-steady.js';
import { connectIssuer } from '../src/auth/remote-issuer.js';
import type { EngineResult } from '../src/load/engine.js';
import { ThrottleObserver } from '../src/load/throttle-findings.js';
import { servesGateproofPage } from '../src/probe/page-origin.js';
import type { Results } from '../src/results/model.js';
import { validateResults } from '../src/results/validate.js';
import { findHaproxy } from '../src/target/haproxy/haproxy-binary.js';
import { renderHaproxyConfig } from '../src/target/haproxy/haproxy-config.js';
import { keysMap, slidingWindow } from '../src/target/haproxy/haproxy-plans.js';
import { defaultHaproxyProfile, haproxyCapabilities } from '../src/target/haproxy/haproxy-profile.js';
import { startHaproxyTarget } from '../src/target/haproxy/haproxy-target.js';
import type { Profile } from '../src/target/profile-schema.js';
import { profileSchema } from '../src/target/profile-schema.js';
import { UsageError } from '../src/usage-error.js';
import { gateproof } from './helpers/cli.js';

const KEY = 'Abcdefghij0123456789KLMNOPqrst';
const noHaproxy = (() => {
  try {
    findHaproxy();
    return false;
  } catch {
    return 'haproxy is not installed';
  }
})();

function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    ...defaultHaproxyProfile(),
    features: ['apikey', 'throttle', 'quota', 'cache', 'cors'],
    apiKeys: { valid: KEY, disabled: `${KEY}dis`, quota: [`${KEY}q0`], quotaPair: [`${KEY}p0`, `${KEY}p1`] },
    ...overrides,
  };
}

const cacheSettings = (input: object) => profileSchema.shape.cache.unwrap().parse(input);
const corsSettings = (input: object) => profileSchema.shape.cors.unwrap().parse(input);
const JWT = { issuer: 'http://127.0.0.1:7000', audience: 'gateproof', scopes: ['gateproof/read'] };

function render(p: Profile): string {
  return renderHaproxyConfig({
    profile: p,
    port: 8123,
    probe: '127.0.0.1:9000',
    keysMap: '/tmp/gp/keys.map',
    jwtKeys: [{ kid: 'kid-1', file: '/tmp/gp/jwt-key-0.pem' }],
    plansCreatedAt: 1_700_000_000,
  });
}

/** A backend's lines, up to the next section. */
const backend = (conf: string, role: string) =>
  conf.slice(conf.indexOf(`backend gp_${role}\n`)).split('\n\n')[0]!;

test('the config is written from the profile: keys, windows, quota, cache, CORS, stage routes', () => {
  const conf = render(
    profile({
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
    }),
  );
  for (const line of [
    'bind 127.0.0.1:8123',
    'nbthread 1',
    'http-request set-var(txn.gp_role) str(keyed) if { path /test/keyed }',
    'use_backend gp_%[var(txn.gp_role)]',
    'http-after-response set-header x-amzn-RequestId %[unique-id]',
    'http-request set-var(txn.gp_plan) req.fhdr(x-api-key),map(/tmp/gp/keys.map)',
    // rate 50, burst 10: at most 10 in any 200 ms.
    'stick-table type string len 512 size 100k expire 10000ms store gpc0_rate(200ms)',
    '{ sc_gpc0_rate(0) ge 10 }',
    'http-request set-var(txn.gp_period) date,add(259200),div(604800)',
    `{ var(txn.gp_period) -m str ${Math.floor((1_700_000_000 + 259200) / 604800)} } { sc_get_gpc0(2) ge 2 }`,
    '{ sc_get_gpc0(2) ge 3 }',
    'cache gp_cache_cached',
    'max-age 60',
    'max-object-size 1048576',
    'http-request set-uri /cached?id=%[urlp(id)]',
    'http-request cache-use gp_cache_cached',
    'http-request set-uri %[var(txn.gp_url)]',
    'http-request set-path /cached-short',
    '{ req.fhdr(X-Invalidate) -m str Secret0123456789 }',
    'http-request del-header X-Invalidate',
    'http-request set-header cache-control no-cache if { var(txn.gp_cache_refresh) -m bool } { var(txn.gp_invalidator) -m bool }',
    `'^https:\\/\\/app\\.example\\.com$'`,
    `'^https://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.example\\.com$'`,
    'http-request return status 204 if { var(txn.gp_preflight) -m bool } { var(txn.gp_role) -m found }',
    'http-after-response set-header Access-Control-Max-Age "600"',
    `return status 403 content-type application/json string '{"message":"Forbidden"}' hdr x-amzn-ErrorType 'ForbiddenException'`,
    `return status 429 content-type application/json string '{"message":"Limit Exceeded"}'`,
  ]) {
    assert.ok(conf.includes(line), line);
  }
  // No route for what HAProxy cannot honour (or is not asked for): those answer "Missing Authentication Token".
  assert.doesNotMatch(conf, /backend gp_(iam|authorizer|jwt)\b/, 'jwt is not claimed here');
  assert.doesNotMatch(backend(conf, 'cachedOff'), /cache-use/, 'a TTL of 0 turns the cache off');
  // The method throttle of the throttled route adds to the plan's, on that route only.
  assert.match(backend(conf, 'throttled'), /table gp_method_throttled/);
  assert.doesNotMatch(backend(conf, 'keyed'), /gp_method_throttled/);
  assert.match(
    backend(conf, 'cachedStrict'),
    /Forbidden.* if \{ var\(txn.gp_cache_unauthorized\) -m bool \}/,
  );
  assert.doesNotMatch(backend(conf, 'cachedSilent'), /Forbidden|Warning/);
  assert.match(backend(conf, 'cached'), /http-after-response set-header Warning/);
  // Checks come before increments: a refused request does not count against the window.
  const keyed = backend(conf, 'keyed');
  assert.ok(keyed.indexOf('sc_gpc0_rate(0) ge') < keyed.indexOf('sc-inc-gpc0(0)'));
  assert.ok(
    keyed.indexOf('sc-inc-gpc0(0)') < keyed.indexOf('sc_get_gpc0(2)'),
    'throttled requests use no quota',
  );
});

test('the key map admits exactly the keys of this stage, each under its plan', () => {
  const map = keysMap(profile({ apiKeys: { valid: KEY, otherStage: `${KEY}os`, quota: [`${KEY}q0`, KEY] } }));
  assert.equal(map, `${KEY} plan-default\n${KEY}os other-stage\n${KEY}q0 plan-tiny\n`);
});

test('a plan becomes a sliding window that admits its burst at once and its rate over time', () => {
  assert.deepEqual(slidingWindow({ rateLimit: 200, burstLimit: 100 }), { limit: 100, windowMs: 500 });
  assert.deepEqual(slidingWindow({ rateLimit: 0.5, burstLimit: 0 }), { limit: 1, windowMs: 2000 });
});

test('the JWT route verifies with jwt_verify and checks the claims, and exists only when claimed', () => {
  const conf = render(profile({ features: ['apikey', 'jwt'], jwt: JWT }));
  const jwt = backend(conf, 'jwt');
  for (const line of [
    '{ req.fhdr_cnt(authorization) eq 1 }',
    'jwt_verify(RS256,"/tmp/gp/jwt-key-0.pem") if !{ var(txn.gp_jwt_error) -m found } { var(txn.gp_jwt_kid) -m str kid-1 }',
    '!{ var(txn.gp_jwt_alg) -m str RS256 }',
    "jwt_payload_query('$.iss') -m str http://127.0.0.1:7000 }",
    "jwt_payload_query('$.aud[0]') -m str gateproof }",
    '!{ var(txn.gp_jwt_exp),sub(txn.gp_now) gt 0 }',
    "jwt_payload_query('$.scope') -m reg '(^| )gateproof/read( |$)' }",
    `hdr WWW-Authenticate 'Bearer scope="" error="invalid_token" error_description="%[var(txn.gp_jwt_error)]"'`,
    "http-request set-header x-gp-authorizer-claims-sub %[var(txn.gp_jwt),jwt_payload_query('$.sub')]",
  ]) {
    assert.ok(jwt.includes(line), line);
  }
  assert.doesNotMatch(jwt, /jku|x5u|x5c|jwk'/, 'never a key from the token');
  assert.doesNotMatch(render(profile({ features: ['apikey'], jwt: JWT })), /backend gp_jwt\b|jwt_verify/);
  const features = haproxyCapabilities({ jwt: true });
  assert.ok(features.includes('jwt') && !haproxyCapabilities({ jwt: false }).includes('jwt'));
  for (const f of ['sigv4', 'authorizer', 'jwt-rotation', 'cache-flush'] as const)
    assert.ok(!features.includes(f), f);
});

test('values that could change the config are refused in one line, secrets unseen', () => {
  const secret = 'Secret unknown plan-default';
  assert.throws(
    () => keysMap(profile({ apiKeys: { valid: secret, quota: [] } })),
    (err: Error) =>
      err instanceof UsageError && !err.message.includes('Secret') && !err.message.includes('\n'),
  );
  const cors = corsSettings({ allowOrigins: ["https://a.example' evil"] });
  assert.throws(() => render(profile({ cors })), /cors\.allowOrigins: .* cannot go into a gateway config/);
  assert.throws(() => render(profile({ routes: { ...profile().routes, open: '/open }' } })), /routes\.open/);
  assert.throws(
    () => render(profile({ features: ['jwt'], jwt: { ...JWT, audience: "a' }" } })),
    /jwt\.audience/,
  );
});

test('a sliding-window limiter is measured as one: its rate and the most it admitted in a window', () => {
  const observer = new ThrottleObserver(throttleSteady);
  // 100 admitted at once, then 20 every 100 ms for 2 s (200/s), the rest refused.
  const meta = (connected: number) => ({ template: 0, intended: connected, connected, completed: connected });
  for (let i = 0; i < 100; i++) observer.classify(200, {}, undefined, meta(1));
  for (let t = 100; t <= 2000; t += 100) {
    for (let i = 0; i < 20; i++) observer.classify(200, {}, undefined, meta(t + i));
    for (let i = 0; i < 20; i++) observer.classify(429, {}, undefined, meta(t + 20 + i));
  }
  const result = {
    stats: {},
    byStatus: { '200': 500, '429': 400 },
    totals: { responses: 900, dropped: 0 },
  } as unknown as EngineResult;
  const findings = observer.findings(result, { rateLimit: 200, burstLimit: 100 }, 2, 'sliding-window');
  assert.equal(findings.limiter, 'sliding-window');
  assert.equal(findings.declaredWindowS, 0.5);
  assert.equal(findings.declaredWindowLimit, 100);
  // The first window holds the burst and the first refills: 100 + 4 x 20.
  assert.equal(findings.maxInWindow, 180);
  assert.equal(findings.windowLimitError, 0.8);
  assert.ok(!('inferredBurst' in findings), 'no bucket is read into a window');
  const bucket = observer.findings(result, { rateLimit: 200, burstLimit: 100 }, 2);
  assert.equal(bucket.limiter, 'token-bucket');
  assert.ok('inferredBurst' in bucket && !('maxInWindow' in bucket));
});

test('HAProxy starts from the profile, answers, and leaves no process or file behind', {
  skip: noHaproxy,
}, async () => {
  const target = await startHaproxyTarget();
  const { profile: p, pid, prefix } = target;
  let closed = false;
  try {
    assert.equal(p.kind, 'haproxy');
    assert.equal(p.vendor, 'haproxy');
    assert.equal(p.limiter, 'sliding-window');
    assert.match(p.version, /^\d+\.\d+/);
    const pages = p.cors!.pages!;
    assert.ok(p.features.includes('cors-browser') && p.cors!.allowOrigins.includes(pages.allowed));
    assert.ok(await servesGateproofPage(pages.allowed));
    assert.match(
      readFileSync(join(prefix, 'haproxy.cfg'), 'utf8'),
      new RegExp(`bind ${new URL(p.baseUrl).host}`),
    );
    const base = `${p.baseUrl}/${p.stage}`;
    const open = await request(`${base}/open?gpn=start`);
    assert.equal(open.statusCode, 200);
    assert.match(String(open.headers['x-amzn-requestid']), /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.equal(((await open.body.json()) as { route: string }).route, '/open');
    const refused = await request(`${base}/keyed`);
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(await refused.body.json(), { message: 'Forbidden' });
    const unknown = await request(`${base}/iam`);
    assert.equal(unknown.statusCode, 403);
    assert.deepEqual(await unknown.body.json(), { message: 'Missing Authentication Token' });
    await target.close();
    closed = true;
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'HAProxy is gone');
    assert.ok(!existsSync(prefix), 'the private directory is removed');
    assert.ok(!(await servesGateproofPage(pages.allowed)), 'and the page origins are closed');
  } finally {
    if (!closed) await target.close();
  }
});

test('the window, the cache and CORS do what the profile says', { skip: noHaproxy }, async () => {
  const target = await startHaproxyTarget({
    profile: {
      ...defaultHaproxyProfile(),
      plans: { default: { throttle: { rateLimit: 1, burstLimit: 3 } } },
    },
  });
  try {
    const { profile: p } = target;
    const base = `${p.baseUrl}/${p.stage}`;
    const reached = async (nonce: string) =>
      (
        (await (await request(`${p.probe!.url}/__probe/counters?nonce=${nonce}`)).body.json()) as {
          count?: number;
        }
      ).count ?? 0;
    const cached = async (query: string, headers: Record<string, string> = {}) => {
      const res = await request(`${base}/cached?${query}`, {
        headers: { 'x-gp-nonce': 'hap-1', ...headers },
      });
      return ((await res.body.json()) as { version: number }).version;
    };
    const first = await cached('id=a&other=1');
    assert.equal(
      await cached('id=a&other=2'),
      first,
      'a parameter that is not a key does not split the cache',
    );
    assert.equal(await reached('hap-1'), 1, 'the hit never reached the origin');
    assert.notEqual(await cached('id=b'), first);
    assert.equal(
      await cached('id=a', { 'cache-control': 'max-age=0' }),
      first,
      'max-age=0 alone refreshes nothing',
    );
    assert.equal(await cached('id=a', { 'cache-control': 'no-cache', pragma: 'no-cache' }), first);
    const refreshed = await cached('id=a', { 'cache-control': 'max-age=0', ...p.cache!.invalidationHeaders });
    assert.notEqual(refreshed, first, 'max-age=0 from a caller allowed to invalidate fetches a fresh answer');
    assert.equal(await cached('id=a'), refreshed, 'and stores it');

    // A window of 3 admits 3 at once, then refuses with API Gateway's throttle response.
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
    const refusal = await request(`${base}/keyed`, { headers: { origin: allowed } });
    await refusal.body.dump();
    assert.equal(refusal.statusCode, 403);
    assert.equal(refusal.headers['access-control-allow-origin'], allowed, 'CORS headers on a refusal too');
  } finally {
    await target.close();
  }
});

test('the JWT route admits a token of the built-in issuer and refuses forgeries', {
  skip: noHaproxy,
}, async () => {
  const target = await startHaproxyTarget();
  try {
    const { profile: p } = target;
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
    const wrongScope = await issuer.mint({ scope: 'gateproof/readx' });
    const expired = await issuer.mint({
      scope: jwt.scopes.join(' '),
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    for (const forged of [
      `Bearer ${none}`,
      `Bearer ${header}.${payload}.AAAA`,
      `Bearer ${token}, Bearer ${token}`,
      `Bearer ${wrongScope}`,
      `Bearer ${expired}`,
      undefined,
    ]) {
      const refused = await get(forged);
      assert.equal(refused.status, 401, String(forged).slice(0, 40));
      assert.deepEqual(refused.body, { message: 'Unauthorized' });
      assert.match(String(refused.headers['www-authenticate']), /^Bearer scope="" error="invalid_token"/);
    }
  } finally {
    await target.close();
  }
});

test('gateproof run --target haproxy: claimed cases pass, unclaimed ones skip', {
  skip: noHaproxy,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'gp-haproxy-run-'));
  const result = await gateproof([
    'run',
    '--target',
    'haproxy',
    '--suites',
    'apikey,quota,jwt',
    '--no-load',
    '--out',
    out,
  ]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  assert.deepEqual(validateResults(results), []);
  assert.equal(results.target.vendor, 'haproxy');
  const passed = results.cases.filter((c) => c.status === 'pass');
  for (const suite of ['apikey', 'quota', 'jwt'])
    assert.ok(
      passed.some((c) => c.suite === suite),
      suite,
    );
  const rotation = results.cases.find((c) => c.id === 'jwt.rotation.new-key-accepted');
  assert.equal(rotation?.status, 'skip', 'HAProxy learns no key after start: not claimed');
  const odd = results.cases.filter((c) => c.status !== 'pass' && c.status !== 'skip');
  assert.deepEqual(
    odd.map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`),
    [],
  );
});

test('gateproof run --target haproxy without HAProxy is one line and exit code 2', async () => {
  const result = await gateproof(
    ['run', '--target', 'haproxy', '--no-load', '--out', join(tmpdir(), 'gp-none')],
    {
      env: { GATEPROOF_HAPROXY: '/nonexistent/haproxy' },
    },
  );
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'gateproof: haproxy not found at GATEPROOF_HAPROXY=/nonexistent/haproxy\n');
});

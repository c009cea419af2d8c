import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { throttleSteady } from '../scenarios/throttle-steady.js';
import type { EngineResult } from '../src/load/engine.js';
import { engineTraffic, ThrottleObserver } from '../src/load/throttle-findings.js';
import { servesGateproofPage } from '../src/probe/page-origin.js';
import { findHaproxy } from '../src/target/haproxy/haproxy-binary.js';
import { renderHaproxyConfig } from '../src/target/haproxy/haproxy-config.js';
import { keysMap, slidingWindow } from '../src/target/haproxy/haproxy-plans.js';
import { defaultHaproxyProfile, haproxyCapabilities } from '../src/target/haproxy/haproxy-profile.js';
import { startHaproxyTarget } from '../src/target/haproxy/haproxy-target.js';
import type { Profile } from '../src/target/profile-schema.js';
import { gateproof } from './helpers/cli.js';
import {
  checkCacheThrottleCors,
  checkJwtRoute,
  configProfile,
  configSettings,
  expectInjectionRefused,
  KEY,
  runSuites,
} from './helpers/local-gateway-checks.js';

const noHaproxy = (() => {
  try {
    findHaproxy();
    return false;
  } catch {
    return 'haproxy is not installed';
  }
})();

const profile = (overrides: Partial<Profile> = {}) => configProfile(defaultHaproxyProfile(), overrides);

const JWT = { issuer: 'http://127.0.0.1:7000', audience: 'gateproof', scopes: ['gateproof/read'] };

function render(p: Profile, kid = 'kid-1'): string {
  return renderHaproxyConfig({
    profile: p,
    port: 8123,
    probe: '127.0.0.1:9000',
    keysMap: '/tmp/gp/keys.map',
    jwtKeys: [{ kid, file: '/tmp/gp/jwt-key-0.pem' }],
    plansCreatedAt: 1_700_000_000,
  });
}

/** A backend's lines, up to the next section. */
const backend = (conf: string, role: string) =>
  conf.slice(conf.indexOf(`backend gp_${role}\n`)).split('\n\n')[0]!;

test('the config is written from the profile: keys, windows, quota, cache, CORS, stage routes', () => {
  const conf = render(profile(configSettings()));
  for (const line of [
    'bind 127.0.0.1:8123',
    'nbthread 1',
    'http-request set-var(txn.gp_role) str(keyed) if { path /test/keyed }',
    'use_backend gp_%[var(txn.gp_role)]',
    'http-request del-header x-gp-authorizer- -m beg',
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
    '{ req.fhdr(X-Invalidate) -m str -- Secret0123456789 }',
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
    'jwt_verify(RS256,"/tmp/gp/jwt-key-0.pem") if !{ var(txn.gp_jwt_error) -m found } { var(txn.gp_jwt_kid) -m str -- kid-1 }',
    '!{ var(txn.gp_jwt_alg) -m str RS256 }',
    "jwt_payload_query('$.iss') -m str -- http://127.0.0.1:7000 }",
    "jwt_payload_query('$.aud[0]') -m str -- gateproof }",
    '!{ var(txn.gp_jwt_exp),sub(txn.gp_now) gt 0 }',
    "jwt_payload_query('$.scope') -m reg '(^| )gateproof/read( |$)' }",
    `hdr WWW-Authenticate 'Bearer scope="" error="invalid_token" error_description="%[var(txn.gp_jwt_error)]"'`,
    "http-request set-header x-gp-authorizer-claims-sub %[var(txn.gp_jwt),jwt_payload_query('$.sub')]",
  ]) {
    assert.ok(jwt.includes(line), line);
  }
  assert.doesNotMatch(jwt, /jku|x5u|x5c|jwk'/, 'never a key from the token');
  // The issuer's kids are random base64url: one in 64 starts with a dash, which HAProxy would
  // read as a flag of the ACL unless the patterns are set apart.
  assert.ok(
    backend(render(profile({ features: ['jwt'], jwt: JWT }), '-OrI3c'), 'jwt').includes('-m str -- -OrI3c }'),
  );
  assert.doesNotMatch(render(profile({ features: ['apikey'], jwt: JWT })), /backend gp_jwt\b|jwt_verify/);
  const features = haproxyCapabilities({ jwt: true });
  assert.ok(features.includes('jwt') && !haproxyCapabilities({ jwt: false }).includes('jwt'));
  for (const f of ['sigv4', 'authorizer', 'jwt-rotation', 'cache-flush'] as const)
    assert.ok(!features.includes(f), f);
});

test('values that could change the config are refused in one line, secrets unseen', () => {
  expectInjectionRefused((p) => render(p) + keysMap(p), profile, {
    key: 'Secret unknown plan-default',
    origin: "https://a.example' evil",
    path: '/open }',
  });
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
  const result = engineTraffic({
    stats: {},
    byStatus: { '200': 500, '429': 400 },
    totals: { responses: 900, dropped: 0 },
  } as unknown as EngineResult);
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
    const open = await request(`${base}/open?gpn=start`, {
      headers: { 'x-gp-authorizer-principal-id': 'mallory' },
    });
    assert.equal(open.statusCode, 200);
    assert.match(String(open.headers['x-amzn-requestid']), /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const echo = (await open.body.json()) as { route: string; headers: Record<string, string> };
    assert.equal(echo.route, '/open');
    assert.equal(
      echo.headers['x-gp-authorizer-principal-id'],
      undefined,
      'only the gateway speaks for its authorizer',
    );
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
    await checkCacheThrottleCors(target.profile);
    // HAProxy's own bypass is not a client's to use.
    const version = async (headers: Record<string, string>) => {
      const res = await request(`${target.profile.baseUrl}/test/cached?id=a`, { headers });
      return ((await res.body.json()) as { version: number }).version;
    };
    const stored = await version({});
    assert.equal(await version({ 'cache-control': 'no-cache', pragma: 'no-cache' }), stored);
  } finally {
    await target.close();
  }
});

test('the JWT route admits a token of the built-in issuer and refuses forgeries', {
  skip: noHaproxy,
}, async () => {
  const target = await startHaproxyTarget();
  try {
    const scope = target.profile.jwt!.scopes.join(' ');
    await checkJwtRoute(target.profile, async (token, issuer) => [
      `Bearer ${token}, Bearer ${token}`,
      `Bearer ${await issuer.mint({ scope: `${scope}x` })}`,
      `Bearer ${await issuer.mint({ scope, exp: Math.floor(Date.now() / 1000) - 5 })}`,
      `Bearer ${await issuer.mint({ scope, aud: ['other', 'gateproofx'] })}`,
    ]);
  } finally {
    await target.close();
  }
});

test('gateproof run --target haproxy: claimed cases pass, unclaimed ones skip', {
  skip: noHaproxy,
}, async () => {
  const results = await runSuites('haproxy', ['apikey', 'quota', 'jwt']);
  const passed = results.cases.filter((c) => c.status === 'pass');
  for (const suite of ['apikey', 'quota', 'jwt'])
    assert.ok(
      passed.some((c) => c.suite === suite),
      suite,
    );
  const rotation = results.cases.find((c) => c.id === 'jwt.rotation.new-key-accepted');
  assert.equal(rotation?.status, 'skip', 'HAProxy learns no key after start: not claimed');
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

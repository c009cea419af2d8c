import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { servesGateproofPage } from '../src/probe/page-origin.js';
import { findNginx, type NginxInstall } from '../src/target/nginx/nginx-binary.js';
import { renderNginxConfig } from '../src/target/nginx/nginx-config.js';
import { jwtModule } from '../src/target/nginx/nginx-jwt.js';
import { defaultNginxProfile, nginxCapabilities } from '../src/target/nginx/nginx-profile.js';
import { startNginxTarget } from '../src/target/nginx/nginx-target.js';
import type { Profile } from '../src/target/profile-schema.js';
import { UsageError } from '../src/usage-error.js';
import { gateproof } from './helpers/cli.js';
import {
  cacheSettings,
  checkCacheThrottleCors,
  checkJwtRoute,
  configProfile,
  configSettings,
  corsSettings,
  expectInjectionRefused,
  KEY,
  runSuites,
} from './helpers/local-gateway-checks.js';

const JS = ['/modules/ngx_http_js_module.so'];
const LUA: NginxInstall['modules'] = {
  lua: ['/modules/ndk_http_module.so', '/modules/ngx_http_lua_module.so'],
};

function nginxInstalled(): boolean {
  try {
    findNginx();
    return true;
  } catch {
    return false;
  }
}
const noNginx = nginxInstalled() ? false : 'nginx is not installed';

const profile = (overrides: Partial<Profile> = {}) => configProfile(defaultNginxProfile(), overrides);

function render(p: Profile, modules = LUA): string {
  return renderNginxConfig({
    profile: p,
    prefix: '/tmp/gp-prefix',
    port: 8123,
    probe: '127.0.0.1:9000',
    modules,
    plansCreatedAt: 1_700_000_000,
  });
}

test('the config is written from the profile: keys, throttle, quota, cache, CORS, stage routes', () => {
  const p = profile(configSettings());
  const conf = render(p);
  for (const line of [
    'listen 127.0.0.1:8123;',
    'pid /tmp/gp-prefix/nginx.pid;',
    'error_log /tmp/gp-prefix/error.log warn;',
    'proxy_temp_path /tmp/gp-prefix/temp/proxy;',
    'upstream gp_probe { server 127.0.0.1:9000; keepalive 64; }',
    'load_module /modules/ndk_http_module.so;',
    `"~^${KEY}$" plan-default;`,
    `"~^${KEY}dis$" disabled;`,
    `"~^${KEY}q0$" plan-tiny;`,
    'limit_req_zone $gp_plan_default_key zone=gp_plan_default:4m rate=50r/s;',
    // A token bucket of 10: nginx admits burst + 1 at once.
    'limit_req zone=gp_plan_default burst=9 nodelay;',
    'local limit = 3',
    'if period == first_period then limit = limit - 1 end',
    'if "WEEK" == "WEEK" then return math.floor((t / 86400 + 3) / 7) end',
    'access_by_lua_block { gp_quota_check() }',
    'location = /test/keyed {',
    'location = /test/cached {',
    'proxy_pass http://gp_probe/keyed;',
    'map $args $gp_key_id { default ""; "~(^|&)id=(?<v>[^&]*)" $v; }',
    'proxy_cache_key "$request_method|cached|id=$gp_key_id";',
    'proxy_cache_valid 200 60s;',
    'proxy_cache_key "$request_method|cachedShort|id=$gp_key_id";',
    'proxy_cache_valid 200 3s;',
    'proxy_pass http://gp_probe/cached-short;',
    'proxy_cache_bypass $gp_cache_bypass;',
    'proxy_no_cache $gp_cache_too_big;',
    // Only a caller with the profile's invalidation header may refresh an entry; the header stays here.
    'map "$http_x_invalidate" $gp_invalidator {',
    '"~^Secret0123456789$" 1;',
    'proxy_set_header X-Invalidate "";',
    'add_header Warning $gp_cache_warning always;',
    'if ($gp_cache_unauthorized) { rewrite ^ /__gateproof/forbidden last; }',
    '"~^https:\\/\\/app\\.example\\.com$" $http_origin;',
    '"~^https://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.example\\.com$" $http_origin;',
    'map "$gp_preflight|$gp_cors_origin" $gp_cors_max_age { default ""; "~^1\\|." "600"; }',
    'return 403 \'{"message":"Forbidden"}\';',
    'return 429 \'{"message":"Limit Exceeded"}\';',
  ]) {
    assert.ok(conf.includes(line), line);
  }
  // No route for what nginx cannot honour: those answer "Missing Authentication Token".
  assert.doesNotMatch(conf, /location = \/test\/(iam|authorizer|jwt)/, 'jwt is not claimed here');
  const location = (path: string) =>
    conf.slice(conf.indexOf(`location = /test/${path} {`)).split('\n    }')[0]!;
  assert.doesNotMatch(location('cached-off'), /proxy_cache /, 'a TTL of 0 turns the cache off');
  // The method throttle of the throttled route adds to the plan's, on that route only.
  assert.match(
    location('throttled'),
    /gp_plan_default burst=9 nodelay;\n.*gp_method_throttled burst=4 nodelay;/,
  );
  assert.doesNotMatch(location('keyed'), /gp_method_throttled/);
  assert.match(location('cached-strict'), /gp_cache_unauthorized/);
  assert.doesNotMatch(location('cached-silent'), /gp_cache_unauthorized|Warning/);
  assert.doesNotMatch(conf, /^user /m);
});

test('the JWT route verifies in njs against the issuer, and exists only when claimed', () => {
  const jwt = { issuer: 'http://127.0.0.1:7000', audience: 'gateproof', scopes: ['gateproof/read'] };
  const conf = render(profile({ features: ['apikey', 'jwt'], jwt }), { js: JS });
  for (const line of [
    'load_module /modules/ngx_http_js_module.so;',
    'js_import gp_jwt from /tmp/gp-prefix/jwt.js;',
    'js_var $gp_jwt_sub;',
    'auth_request /__gateproof/jwt;',
    'error_page 401 /__gateproof/unauthorized;',
    'proxy_set_header x-gp-authorizer-claims-sub $gp_jwt_sub;',
    'proxy_pass http://127.0.0.1:7000/.well-known/jwks.json;',
    'subrequest_output_buffer_size 150k;',
    'add_header WWW-Authenticate \'Bearer scope="" error="invalid_token" error_description="$gp_jwt_error"\' always;',
    'return 401 \'{"message":"Unauthorized"}\';',
  ]) {
    assert.ok(conf.includes(line), line);
  }
  assert.ok(nginxCapabilities({ js: JS }).includes('jwt'));
  assert.ok(!nginxCapabilities({}).includes('jwt'));
  for (const modules of [{}, { js: JS }]) {
    const off = render(profile({ features: modules.js ? ['apikey'] : ['apikey', 'jwt'], jwt }), modules);
    assert.doesNotMatch(
      off,
      /location = \/test\/jwt|js_import/,
      'no authorizer, no route: never an open one',
    );
  }
  const js = jwtModule(jwt);
  assert.ok(js.includes('"issuer":"http://127.0.0.1:7000"'));
  assert.ok(js.includes("if (header.alg !== 'RS256') return refuse"));
  assert.ok(js.includes('if (header.crit !== undefined) return refuse'));
  // A client's own authorizer headers are cleared by Lua when it loads, and only then.
  const withLua = render(profile({ features: ['apikey', 'jwt'], jwt }), { js: JS, ...LUA });
  assert.match(withLua, /load_module \/modules\/ngx_http_lua_module\.so;[\s\S]*ngx\.req\.clear_header/);
  assert.doesNotMatch(conf, /clear_header/);
  assert.ok(!/jku|x5u|x5c/.test(js.replace(/^\/\/.*$/gm, '')), 'never a key from the token');
});

test('without the Lua module nginx claims no quota and loads no Lua', () => {
  assert.ok(nginxCapabilities(LUA).includes('quota'));
  assert.ok(!nginxCapabilities({}).includes('quota'));
  for (const f of ['sigv4', 'sigv4-presigned', 'authorizer'] as const)
    assert.ok(!nginxCapabilities(LUA).includes(f));
  const conf = render(profile({ features: ['apikey', 'throttle'] }), {});
  assert.doesNotMatch(conf, /lua|load_module/);
  assert.doesNotMatch(conf, /proxy_cache |Access-Control/, 'unclaimed cache and CORS are not configured');
});

test('fractional rates, any-host origins, and invalidation nobody may make', () => {
  const conf = render(
    profile({
      plans: { default: { throttle: { rateLimit: 0.5, burstLimit: 1 } } },
      cors: corsSettings({ allowOrigins: ['https://*', '*'], allowCredentials: true }),
      cache: cacheSettings({ ttlSeconds: 10, unauthorizedStrategy: 'FAIL_WITH_403' }),
    }),
  );
  assert.ok(conf.includes('rate=30r/m;'));
  assert.ok(conf.includes('burst=0 nodelay;'));
  assert.ok(conf.includes('"~^https://[^/]+$" $http_origin;'));
  assert.ok(conf.includes('default $http_origin;'), 'credentials: the origin is echoed, never *');
  assert.ok(conf.includes('map "" $gp_invalidator { default 0; }'), 'no invalidation header: nobody');
  const cached = conf.slice(conf.indexOf('location = /test/cached {')).split('\n    }')[0]!;
  assert.ok(cached.includes('if ($gp_cache_unauthorized) { rewrite ^ /__gateproof/forbidden last; }'));
});

test('values that could change the config are refused in one line, secrets unseen', () => {
  expectInjectionRefused(render, profile, {
    key: 'Secret"; } server { listen 80; #',
    origin: 'https://a.example"; evil',
    path: '/open;{',
  });
});

test('nginx starts from the profile, answers, and leaves no process or file behind', {
  skip: noNginx,
}, async () => {
  const target = await startNginxTarget();
  const { profile: p, pid, prefix } = target;
  let closed = false;
  try {
    assert.equal(p.kind, 'nginx');
    assert.equal(p.vendor, 'nginx');
    assert.match(p.version, /^\d+\.\d+\.\d+$/);
    assert.ok(!p.features.includes('sigv4') && !p.features.includes('authorizer'));
    const pages = p.cors!.pages!;
    assert.ok(p.features.includes('cors-browser') && p.cors!.allowOrigins.includes(pages.allowed));
    assert.ok(!p.cors!.allowOrigins.includes(pages.disallowed));
    assert.ok(await servesGateproofPage(pages.allowed), 'the browser pages are served for the run');
    assert.ok(existsSync(prefix));
    assert.ok(!existsSync(join(prefix, 'nginx.conf')), 'the config, holding the keys, is gone once read');
    const base = `${p.baseUrl}/${p.stage}`;
    const open = await request(`${base}/open?gpn=start`);
    assert.equal(open.statusCode, 200);
    assert.equal(((await open.body.json()) as { route: string }).route, '/open');
    const refused = await request(`${base}/keyed`);
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(await refused.body.json(), { message: 'Forbidden' });
    await target.close();
    closed = true;
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the nginx master is gone');
    assert.throws(() => process.kill(-pid, 0), /ESRCH/, 'and so are its workers');
    assert.ok(!existsSync(prefix), 'the private prefix is removed');
    assert.ok(!(await servesGateproofPage(pages.allowed)), 'and the page origins are closed');
  } finally {
    if (!closed) await target.close();
  }
});

test('the cache, the throttle and CORS do what the profile says', { skip: noNginx }, async () => {
  const target = await startNginxTarget({
    profile: { ...defaultNginxProfile(), plans: { default: { throttle: { rateLimit: 1, burstLimit: 3 } } } },
  });
  try {
    await checkCacheThrottleCors(target.profile);
  } finally {
    await target.close();
  }
});

test('the JWT route admits a token of the built-in issuer and refuses forgeries', {
  skip: noNginx,
}, async (t) => {
  const target = await startNginxTarget();
  try {
    if (!target.profile.features.includes('jwt')) {
      t.skip('the njs module does not load: jwt is not claimed');
      return;
    }
    await checkJwtRoute(target.profile, async () => []);
  } finally {
    await target.close();
  }
});

test('a port nginx cannot bind is one line naming the reason', { skip: noNginx }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  try {
    await assert.rejects(
      startNginxTarget({ profile: { ...defaultNginxProfile(), baseUrl: `http://127.0.0.1:${port}` } }),
      (err: Error) =>
        err instanceof UsageError &&
        /^nginx did not start \(exited\): .*Address already in use/.test(err.message) &&
        !err.message.includes('\n'),
    );
  } finally {
    blocker.close();
  }
});

test('gateproof run --target nginx: claimed cases pass, unclaimed ones skip', { skip: noNginx }, async () => {
  const results = await runSuites('nginx', ['apikey', 'quota']);
  const declared = results.target.features.declared;
  assert.ok(declared.includes('apikey'));
  const passed = results.cases.filter((c) => c.status === 'pass');
  assert.ok(passed.some((c) => c.suite === 'apikey'));
  if (declared.includes('quota')) assert.ok(passed.some((c) => c.suite === 'quota'));
  else assert.ok(results.cases.filter((c) => c.suite === 'quota').every((c) => c.status === 'skip'));
});

test('gateproof run --target nginx without nginx is one line and exit code 2', async () => {
  const result = await gateproof(
    ['run', '--target', 'nginx', '--no-load', '--out', join(tmpdir(), 'gp-none')],
    {
      env: { GATEPROOF_NGINX: '/nonexistent/nginx' },
    },
  );
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'gateproof: nginx not found at GATEPROOF_NGINX=/nonexistent/nginx\n');
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { parse } from 'yaml';
import { servesGateproofPage } from '../src/probe/page-origin.js';
import type { Results } from '../src/results/model.js';
import { validateResults } from '../src/results/validate.js';
import { loadProfile } from '../src/target/load-profile.js';
import type { Profile } from '../src/target/profile-schema.js';
import {
  renderSlsNoDefaultService,
  renderSlsService,
  type SlsConfigInput,
  type SlsService,
} from '../src/target/serverless-offline/sls-config.js';
import { findServerless } from '../src/target/serverless-offline/sls-install.js';
import {
  defaultSlsProfile,
  resolveSlsProfile,
  SLS_CAPABILITIES,
} from '../src/target/serverless-offline/sls-profile.js';
import { startSlsTarget } from '../src/target/serverless-offline/sls-target.js';
import { UsageError } from '../src/usage-error.js';
import { connect } from '../suites/websocket-client.js';
import { gateproof, REPO } from './helpers/cli.js';

/** serverless loads for seconds before it listens (about 7 to 10 s measured on 2 busy cores). */
const STARTUP_BOUND_MS = 45_000;

function installed(): boolean {
  try {
    findServerless();
    return true;
  } catch {
    return false;
  }
}
const noSls = installed() ? false : 'serverless and serverless-offline are not installed';

function resolved(overrides: Partial<Profile> = {}): Profile {
  return resolveSlsProfile(
    { ...defaultSlsProfile(), ...overrides },
    {
      baseUrl: 'http://127.0.0.1:8123',
      probeUrl: 'http://127.0.0.1:9000',
      version: '13.10.1 (serverless 3.40.0)',
      pages: { allowed: 'http://127.0.0.1:7001', disallowed: 'http://127.0.0.1:7002' },
      jwt: { issuer: 'http://127.0.0.1:7000', audience: 'gateproof', scopes: ['gateproof/read'] },
      websocket: {
        url: 'ws://127.0.0.1:8125',
        noDefaultUrl: 'ws://127.0.0.1:8135',
        connectionsUrl: 'http://127.0.0.1:8125/@connections',
      },
    },
  );
}

function render(profile: Profile, service: (input: SlsConfigInput) => SlsService = renderSlsService) {
  return service({
    profile,
    stage: 'test',
    probeUrl: 'http://127.0.0.1:9000',
    callsDir: '/tmp/gp-service/calls',
    websocketDir: '/tmp/gp-service/websocket',
    modulesUrl: 'file:///gateproof/dist/src/target/serverless-offline',
    pluginsDir: '/gateproof/node_modules',
    ports: { http: 8123, lambda: 8124, websocket: 8125 },
  });
}

interface Event {
  http?: Record<string, unknown>;
  httpApi?: Record<string, unknown>;
}

/** What serverless-offline documents: the features it is held to, and no others. */
const CLAIMED = [...SLS_CAPABILITIES];

test('serverless.yml is written from the profile: private keys, both Lambda authorizers, the JWT authorizer, CORS, validators', () => {
  const profile = resolved();
  assert.deepEqual(profile.features, CLAIMED);
  for (const f of ['validation', 'routes', 'cors-browser'] as const) assert.ok(CLAIMED.includes(f), f);
  for (const f of ['throttle', 'quota', 'cache', 'sigv4', 'transform', 'responses'] as const)
    assert.ok(!CLAIMED.includes(f), `${f} is not documented`);
  for (const f of ['validation', 'routes', 'cors-browser'] as const) assert.ok(CLAIMED.includes(f), f);
  for (const f of ['throttle', 'quota', 'cache', 'sigv4', 'transform', 'responses'] as const)
    assert.ok(!CLAIMED.includes(f), `${f} is not documented`);
  assert.equal(profile.stage, '', 'every route at the root: --noPrependStageInUrl');
  assert.ok(profile.cors!.allowOrigins.includes('http://127.0.0.1:7001'));
  const { config, handlers } = render(profile);
  assert.doesNotMatch(config, /[&*]a\d/, 'no YAML anchors: each route reads whole');
  const yml = parse(config);
  assert.equal(yml.frameworkVersion, '3');
  assert.equal(yml.provider.stage, 'test');
  const keys = profile.apiKeys!;
  assert.deepEqual(yml.provider.apiGateway.apiKeys, [
    { name: 'valid', value: keys.valid },
    { name: 'other', value: keys.other },
    { name: 'disabled', value: keys.disabled, enabled: false },
  ]);
  assert.ok(!config.includes(keys.otherStage!), "another stage's key is no key of this stage");
  const fn = (name: string) => yml.functions[name] as { handler: string; events: Event[] };
  assert.deepEqual(
    fn('open').events.map((e) => e.http?.method),
    ['get', 'post'],
  );
  assert.equal(fn('keyed').events[0]!.http!.private, true);
  assert.equal(fn('open').events[0]!.http!.private, undefined);
  assert.deepEqual(fn('authorizer').events[0]!.http!.authorizer, {
    name: 'tokenAuthorizer',
    type: 'token',
    identitySource: 'method.request.header.Authorization',
    identityValidationExpression: '^[A-Za-z0-9._-]+$',
    resultTtlInSeconds: 0,
  });
  assert.deepEqual(fn('authorizerRequest').events[0]!.http!.authorizer, {
    name: 'requestAuthorizer',
    type: 'request',
    identitySource: 'method.request.header.Authorization, method.request.querystring.gpn',
    resultTtlInSeconds: 2,
  });
  assert.deepEqual(fn('jwt').events[0]!.httpApi, {
    method: 'GET',
    path: '/jwt',
    authorizer: { name: 'gateproofJwt', scopes: ['gateproof/read'] },
  });
  assert.deepEqual(yml.provider.httpApi.authorizers.gateproofJwt, {
    type: 'jwt',
    identitySource: '$request.header.Authorization',
    issuerUrl: 'http://127.0.0.1:7000',
    audience: ['gateproof'],
  });
  assert.deepEqual(yml.provider.httpApi.cors.allowedOrigins, profile.cors!.allowOrigins);
  assert.equal(yml.provider.httpApi.cors.maxAge, 600);
  assert.deepEqual(fn('keyed').events[0]!.http!.cors, {
    origins: profile.cors!.allowOrigins,
    headers: profile.cors!.allowHeaders,
    methods: ['GET', 'POST'],
    allowCredentials: true,
    maxAge: 600,
  });
  assert.equal(fn('tokenAuthorizer').handler, 'reference-authorizer.handler');
  // The contract's validators as request.schemas and required parameters, each by what it checks.
  const order = fn('routeValidated').events[0]!.http!.request as {
    schemas: Record<string, { required: string[] }>;
  };
  assert.deepEqual(order.schemas['application/json']!.required, ['name', 'quantity', 'owner']);
  assert.deepEqual((fn('routeValidated').events[0]!.http!.request as { parameters: unknown }).parameters, {
    querystrings: { q1: true },
    headers: { h1: true },
  });
  assert.deepEqual(Object.keys(fn('routeValidatedParams').events[0]!.http!.request as object), [
    'parameters',
  ]);
  assert.deepEqual(Object.keys(fn('routeValidatedBody').events[0]!.http!.request as object), ['schemas']);
  assert.deepEqual(yml.plugins, { localPath: '/gateproof/node_modules', modules: ['serverless-offline'] });
  assert.equal(yml.custom['serverless-offline'].httpPort, 8123);
  assert.equal(yml.custom['serverless-offline'].noPrependStageInUrl, true);
  assert.equal(yml.custom['serverless-offline'].ignoreJWTSignature, true);
  // No route for what serverless-offline does not document.
  for (const role of ['iam', 'quota', 'throttled', 'cached']) assert.equal(yml.functions[role], undefined);
  assert.match(
    handlers['route-authorizerRequest.mjs']!,
    /import \{ lambdaProxy \} from "file:\/\/\/gateproof\/dist\/src\/target\/serverless-offline\/lambda-proxy\.js";\nexport const handler = lambdaProxy\(\{"probeUrl":"http:\/\/127\.0\.0\.1:9000","path":"\/authorizer-request","authorizer":"lambda"\}\);/,
  );
  assert.match(
    handlers['reference-authorizer.mjs']!,
    /lambdaAuthorizer\(\{"callsDir":"\/tmp\/gp-service\/calls"\}\)/,
  );
});

test('the WebSocket APIs: $connect behind a REQUEST authorizer on query token, route responses, a second service without $default', () => {
  const profile = resolved();
  assert.ok(profile.features.includes('websocket'));
  const { manager, ...ws } = profile.websocket!;
  assert.deepEqual(ws, {
    url: 'ws://127.0.0.1:8125',
    noDefaultUrl: 'ws://127.0.0.1:8135',
    connectionsUrl: 'http://127.0.0.1:8125/@connections',
    maxMessageBytes: 131_072,
    maxFrameBytes: 32_768,
    idleTimeoutSeconds: 3,
    maxConnectionSeconds: 8,
  });
  assert.notEqual(manager.accessKeyId, resolved().websocket!.manager.accessKeyId, 'fresh every start');
  const routes = (yml: { functions: Record<string, { events?: { websocket?: { route: string } }[] }> }) =>
    Object.values(yml.functions).flatMap((f) => f.events?.flatMap((e) => e.websocket ?? []) ?? []);
  const service = render(profile);
  const main = parse(service.config);
  // Its own count of calls, apart from the REST authorizers', as the reference's WebSocket API has.
  assert.match(
    service.handlers['websocket-authorizer.mjs']!,
    /lambdaAuthorizer\(\{"callsDir":"\/tmp\/gp-service\/websocket\/calls","queryTokenOnly":true\}\)/,
  );
  assert.equal(main.provider.websocketsApiRouteSelectionExpression, '$request.body.action');
  assert.deepEqual(
    {
      idle: main.custom['serverless-offline'].webSocketIdleTimeout,
      hard: main.custom['serverless-offline'].webSocketHardTimeout,
    },
    { idle: 3, hard: 8 },
  );
  assert.deepEqual(routes(main), [
    {
      route: '$connect',
      authorizer: { name: 'websocketAuthorizer', identitySource: ['route.request.querystring.token'] },
    },
    { route: '$disconnect' },
    { route: 'echo', routeResponseSelectionExpression: '$default' },
    { route: '$default', routeResponseSelectionExpression: '$default' },
  ]);
  const noDefault = parse(render(profile, renderSlsNoDefaultService).config);
  assert.deepEqual(
    routes(noDefault).map((r) => r.route),
    ['$connect', '$disconnect', 'echo'],
  );
  assert.equal(noDefault.provider.apiGateway, undefined, 'no REST API, no keys in the second service');
  const unclaimed = parse(render(resolved({ features: ['apikey'] })).config);
  assert.equal(unclaimed.functions.wsConnect, undefined);
  assert.equal(unclaimed.provider.websocketsApiRouteSelectionExpression, undefined);
});

test('the example profile is the default one, as a file', () => {
  const file = loadProfile(join(REPO, 'targets', 'serverless-offline.yaml'));
  const defaults = defaultSlsProfile();
  assert.equal(file.kind, 'serverless-offline');
  assert.deepEqual(file.features, [
    'apikey',
    'authorizer',
    'jwt',
    'jwt-rotation',
    'cors',
    'cors-browser',
    'websocket',
  ]);
  assert.deepEqual([file.jwt, file.cors, file.stage], [defaults.jwt, defaults.cors, defaults.stage]);
});

test('what is not claimed is not configured, and no profile value can change the file', () => {
  const profile = resolved({
    features: ['apikey'],
    name: 'x: y\n"quoted"',
    routes: { ...defaultSlsProfile().routes, keyed: '/keyed: {evil}' },
  });
  assert.deepEqual(profile.features, ['apikey']);
  const yml = parse(render(profile).config);
  assert.deepEqual(Object.keys(yml.functions), ['open', 'keyed'], 'no authorizer routes, never open ones');
  assert.equal(yml.functions.keyed.events[0].http.path, '/keyed: {evil}');
  assert.equal(yml.provider.httpApi, undefined);
  assert.equal(yml.functions.open.events[0].http.cors, undefined);
  assert.equal(yml.custom['serverless-offline'].ignoreJWTSignature, undefined);
});

test('without serverless, or with another major version, the target is one line naming the install', () => {
  const empty = mkdtempSync(join(tmpdir(), 'gp-sls-none-'));
  const install = /npm install --save-dev serverless@3\.40\.0 serverless-offline@13\.10\.1$/;
  assert.throws(
    () => findServerless([join(empty, 'package.json')]),
    (err: Error) => err instanceof UsageError && install.test(err.message) && !err.message.includes('\n'),
  );
  for (const [name, version] of [
    ['serverless', '4.4.0'],
    ['serverless-offline', '13.10.1'],
  ] as const) {
    mkdirSync(join(empty, 'node_modules', name), { recursive: true });
    writeFileSync(join(empty, 'node_modules', name, 'package.json'), JSON.stringify({ version }));
  }
  assert.throws(
    () => findServerless([join(empty, 'package.json')]),
    /^UsageError: serverless-offline target: found serverless 4\.4\.0 and serverless-offline 13\.10\.1, needs 3\.x and 13\.x/,
  );
  const here = findServerless([join(REPO, 'package.json')]);
  assert.equal(here.version, '13.10.1 (serverless 3.40.0)');
});

test('serverless-offline starts from the profile, forwards to the probe, and leaves nothing behind', {
  skip: noSls,
}, async () => {
  const started = Date.now();
  const target = await startSlsTarget();
  const startupMs = Date.now() - started;
  const { profile: p, pid, serviceDir } = target;
  let closed = false;
  try {
    assert.ok(startupMs < STARTUP_BOUND_MS, `started in ${startupMs} ms`);
    assert.equal(p.kind, 'serverless-offline');
    assert.equal(p.version, '13.10.1 (serverless 3.40.0)');
    assert.ok(await servesGateproofPage(p.cors!.pages!.allowed));
    assert.ok(existsSync(join(serviceDir, 'serverless.yml')));
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await request(`${p.baseUrl}${path}`, { headers });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };
    const open = await get('/open?gpn=sls-open&b=1&b=2');
    assert.equal(open.status, 200);
    assert.equal(open.body.route, '/open');
    assert.equal(open.body.path, '/open?gpn=sls-open&b=1&b=2', 'the query reaches the probe whole');
    assert.deepEqual(await get('/keyed'), { status: 403, body: { message: 'Forbidden' } });
    assert.equal((await get('/keyed', { 'x-api-key': p.apiKeys!.valid })).status, 200);
    const tokens = p.authorizer!.tokens;
    const allowed = await get('/authorizer?gpn=sls-auth', {
      authorization: tokens.allow,
      'x-gp-authorizer-principal': 'mallory',
    });
    assert.equal(allowed.status, 200);
    const headers = allowed.body.headers as Record<string, string>;
    assert.equal(headers['x-gp-authorizer-principal'], p.authorizer!.context!.principal, 'never the caller');
    assert.equal(headers['x-gp-authorizer-invocation'], '1');
    assert.equal((await get('/authorizer', { authorization: tokens.deny })).status, 403);
    assert.equal((await get('/authorizer', { authorization: tokens.unauthorized })).status, 401);
    await webSocketForwards(p, serviceDir);
    await target.close();
    closed = true;
    assert.throws(() => process.kill(-pid, 0), /ESRCH/, 'serverless and its whole group are gone');
    assert.ok(!existsSync(serviceDir), 'the service directory, keys included, is removed');
  } finally {
    if (!closed) await target.close();
  }
});

test('a port serverless-offline cannot bind is one line naming the reason', { skip: noSls }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  try {
    await assert.rejects(
      startSlsTarget({ profile: { ...defaultSlsProfile(), baseUrl: `http://127.0.0.1:${port}` } }),
      (err: Error) =>
        err instanceof UsageError &&
        /^serverless-offline did not start \(exited\): .*EADDRINUSE/.test(err.message) &&
        !err.message.includes('\n'),
    );
  } finally {
    blocker.close();
  }
});

test('gateproof run --target serverless-offline: its deviations fail, nothing it claims is skipped', {
  skip: noSls,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'gp-sls-run-'));
  const result = await gateproof(
    ['run', '--target', 'serverless-offline', '--suites', 'apikey,authorizer', '--no-load', '--out', out],
    { timeoutMs: 240_000 },
  );
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  assert.deepEqual(validateResults(results), []);
  assert.equal(results.target.vendor, 'serverless-offline');
  assert.deepEqual(results.target.features.declared, CLAIMED);
  const by = (status: string) =>
    results.cases
      .filter((c) => c.status === status)
      .map((c) => c.id)
      .sort();
  // serverless-offline accepts a key created disabled, calls the authorizer for an empty token or
  // one failing identityValidationExpression, caches no authorizer result (so every case that
  // needs a cached answer fails), and answers unlike API Gateway.
  assert.deepEqual(by('fail'), [
    'apikey.reject.disabled',
    'apikey.response.request-id',
    'authorizer.cache.expires-after-ttl',
    'authorizer.cache.identities-side-by-side',
    'authorizer.cache.reused-until-ttl',
    'authorizer.cache.reused-within-ttl',
    'authorizer.identity.empty-not-called',
    'authorizer.identity.invalid-not-called',
    'authorizer.reject.crash',
    'authorizer.response.crash-body',
    'authorizer.response.deny-body',
    'authorizer.response.unauthorized-body',
  ]);
  // The declared-identity spoofing cases need identityHeaders, which this profile leaves empty.
  const skipped = by('skip').filter((id) => !id.endsWith('.spoof.declared-identity'));
  assert.deepEqual([...by('setup_fail'), ...by('harness_fail'), ...by('optional_fail'), ...skipped], []);
  assert.ok(by('pass').includes('authorizer.accept.context-forwarded'));
});

test('a signal to gateproof run stops serverless-offline with it', { skip: noSls }, async () => {
  const child = spawn(
    process.execPath,
    [
      join(REPO, 'bin', 'gateproof.js'),
      'run',
      '--target',
      'serverless-offline',
      '--suites',
      'apikey',
      '--no-load',
    ],
    {
      cwd: mkdtempSync(join(tmpdir(), 'gp-sls-signal-')),
      stdio: 'ignore',
      env: { ...process.env, CI: 'true' },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + STARTUP_BOUND_MS;
    let sls: number | undefined;
    while (sls === undefined && Date.now() < deadline) {
      sls = serverlessUnder(child.pid!);
      if (sls === undefined) await sleep(200);
    }
    assert.ok(sls !== undefined, 'serverless was started');
    child.kill('SIGTERM');
    await exited;
    await sleep(200);
    assert.throws(() => process.kill(-sls, 0), /ESRCH/, 'no serverless process outlives the run');
  } finally {
    child.kill('SIGKILL');
  }
});

/**
 * A message reaches the probe with the nonce given at `$connect` (kept across the worker threads of
 * different functions), the store forgets the connection at `$disconnect`, and a denied `$connect`
 * never upgrades.
 */
async function webSocketForwards(p: Profile, serviceDir: string): Promise<void> {
  const ws = p.websocket!;
  const tokens = p.authorizer!.tokens;
  const upgrade = async (url: string, token: string) =>
    connect(
      url,
      { query: { gpn: 'sls-ws', token }, headers: { 'x-api-key': p.apiKeys!.valid }, timeoutMs: 5_000 },
      () => undefined,
    );
  const admitted = await upgrade(ws.url, tokens.allow);
  assert.ok('connection' in admitted, `upgraded: ${admitted.status}`);
  const { connection } = admitted;
  connection.send(JSON.stringify({ action: 'echo' }));
  const echo = JSON.parse((await connection.next(5_000)) ?? '{}') as {
    route?: string;
    headers?: Record<string, string>;
  };
  assert.equal(echo.route, '/ws/echo');
  assert.equal(echo.headers?.['x-gp-nonce'], 'sls-ws.echo');
  const id = echo.headers?.['x-gp-connection-id'] ?? '';
  const kept = join(serviceDir, 'websocket-shared', 'connections', id);
  assert.ok(existsSync(kept), 'the nonce is kept by connection id');
  connection.close();
  await connection.closed;
  const deadline = Date.now() + 5_000;
  while (existsSync(kept) && Date.now() < deadline) await sleep(50);
  assert.ok(!existsSync(kept), 'forgotten at $disconnect');
  assert.equal((await upgrade(ws.url, tokens.deny)).status, 403);
  const other = await upgrade(ws.noDefaultUrl, tokens.allow);
  assert.ok('connection' in other, 'the API without $default upgrades too');
  other.connection.close();
}

/** The serverless process gateproof started, found through /proc by its parent. */
function serverlessUnder(parent: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === parent && cmd.includes('serverless.js')) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { parse } from 'yaml';
import { SCENARIOS } from '../scenarios/index.js';
import { exportK6 } from '../src/k6/export.js';
import { renderScript } from '../src/k6/render-script.js';
import { renderTestRun } from '../src/k6/render-testrun.js';
import type { Scenario } from '../src/load/scenario.js';
import { createSigV4Verifier } from '../src/reference/sigv4-verifier.js';
import { REPO } from './helpers/cli.js';

const K6_DIR = join(REPO, 'k6');
const tmp = mkdtempSync(join(tmpdir(), 'gp-k6-export-'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

test('the committed k6/ is what `gateproof k6 export` writes today', () => {
  const out = join(tmp, 'fresh');
  exportK6(SCENARIOS, { outDir: out, parallelism: 4 });
  const stale = 'k6/ is stale: run `npm run build && node dist/src/cli/main.js k6 export` and commit k6/';
  assert.deepEqual(filesUnder(K6_DIR), filesUnder(out), stale);
  for (const file of filesUnder(out)) {
    assert.equal(
      readFileSync(join(K6_DIR, file), 'utf8'),
      readFileSync(join(out, file), 'utf8'),
      `${file}: ${stale}`,
    );
  }
});

test('the k6 scripts type-check against @types/k6 (tsc --noEmit -p k6/tsconfig.json)', async () => {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', join(K6_DIR, 'tsconfig.json')], {
    timeout: 120_000,
  });
  await assert.doesNotReject(run, 'tsc found errors in k6/');
});

const sample: Scenario = {
  id: 'sample-cache',
  title: 'sample',
  kind: 'cache',
  idleBefore: '3s',
  load: {
    executor: 'ramping-arrival-rate',
    startRate: 5,
    timeUnit: '2s',
    stages: [{ target: 50, duration: '30s' }],
    preAllocatedVUs: 10,
    maxVUs: 40,
  },
  requests: [{ route: 'cached', apiKey: 'other', keys: { param: 'id', distribution: 'zipf', count: 10 } }],
  thresholds: { 'http_req_duration{tag:hit}': ['p(99)<250'], 'http_reqs{status:429}': ['count>0'] },
  expectedStatuses: { min: 200, max: 299, extra: [429, 404] },
};

test('a script keeps the executor, its options, thresholds (hits as the cache trend) and expected statuses', () => {
  const script = renderScript(sample);
  assert.match(
    script,
    /'sample-cache': \{\n {6}executor: 'ramping-arrival-rate',\n {6}startRate: 5,\n {6}timeUnit: '2s',\n {6}stages: \[\n {8}\{ target: 50, duration: '30s' \},\n {6}\],\n {6}preAllocatedVUs: 10,\n {6}maxVUs: 40,\n {6}startTime: '3s',\n {4}\},/,
  );
  assert.match(script, /'gateproof_cache_latency\{cache:hit\}': \['p\(99\)<250'\]/);
  assert.match(script, /'http_reqs\{status:429\}': \['count>0'\]/);
  assert.match(
    script,
    /http\.setResponseCallback\(http\.expectedStatuses\(\{ min: 200, max: 299 \}, 429, 404\)\);/,
  );
  assert.match(script, /send\(templates, \{ tagCacheHits: true, originPerKey: false \}\);/);
  assert.match(script, /GATEPROOF_API_KEY_OTHER/);
  assert.throws(() => renderScript({ ...sample, requests: [{ route: 'iam' }] }), /uses the 'iam' route/);
  assert.throws(
    () => renderScript({ ...sample, thresholds: { 'http_req_duration{status:2xx}': ['p(99)<1'] } }),
    /status class/,
  );
});

test('the TestRun runs the script archive on N pods, each writing its own points file', () => {
  const manifest = parse(renderTestRun(sample, 7));
  assert.equal(manifest.apiVersion, 'k6.io/v1alpha1');
  assert.equal(manifest.kind, 'TestRun');
  assert.equal(manifest.spec.parallelism, 7);
  assert.deepEqual(manifest.spec.script, {
    configMap: { name: 'gateproof-sample-cache', file: 'sample-cache.tar' },
  });
  assert.equal(manifest.spec.arguments, '--out json=/results/$(POD_NAME).json.gz');
  assert.deepEqual(manifest.spec.runner.env[0], {
    name: 'POD_NAME',
    valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
  });
  assert.throws(() => exportK6([sample], { outDir: join(tmp, 'bad'), parallelism: 0 }), /positive integer/);
});

/**
 * The k6 runtime imitated in Node: each k6 module a small stand-in that records what the script
 * did, so the library's request resolution, weights, signing and cache tagging run for real.
 */
const SHIMS: Record<string, string> = {
  'k6/http': `export default {
    request(method, url, body, params) { globalThis.k6.requests.push({ method, url, params }); return globalThis.k6.request(method, url, params); },
    setResponseCallback(callback) { globalThis.k6.callback = callback; },
    expectedStatuses(...args) { return { expected: args }; },
  };`,
  'k6/execution': `export default {
    scenario: { get iterationInTest() { return globalThis.k6.iteration; }, get startTime() { return globalThis.k6.startTime ?? 0; } },
    test: { abort(reason) { throw new Error('aborted: ' + reason); } },
  };`,
  'k6/metrics': `class Metric { constructor(name) { this.name = name; } add(value, tags) { globalThis.k6.metrics.push({ name: this.name, value, tags }); } }
    export class Trend extends Metric {}
    export class Rate extends Metric {}`,
  // A socket whose handlers and timers the test fires by hand: k6's connect blocks, Node cannot.
  'k6/ws': `export default {
    connect(url, params, callback) {
      const handlers = {};
      const socket = { sent: [], timers: [], closed: false,
        on(event, handler) { handlers[event] = handler; },
        send(data) { this.sent.push(data); },
        setInterval(handler, ms) { this.timers.push({ handler, ms, every: true }); },
        setTimeout(handler, ms) { this.timers.push({ handler, ms }); },
        close() { this.closed = true; } };
      callback(socket);
      globalThis.k6.sockets.push({ url, params, socket, handlers });
      return { status: 101 };
    },
  };`,
  'k6/crypto': `import { createHash, createHmac } from 'node:crypto';
    const out = (buffer, encoding) => encoding === 'binary' ? buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length) : buffer.toString(encoding);
    const bytes = (v) => typeof v === 'string' ? v : Buffer.from(v);
    export function sha256(input, encoding) { return out(createHash('sha256').update(bytes(input)).digest(), encoding); }
    export function hmac(algorithm, secret, input, encoding) { return out(createHmac(algorithm, bytes(secret)).update(bytes(input)).digest(), encoding); }`,
};

interface K6Stub {
  iteration: number;
  requests: {
    method: string;
    url: string;
    params: { headers: Record<string, string>; tags: Record<string, string> };
  }[];
  metrics: { name: string; value: number | boolean; tags: Record<string, string> }[];
  callback?: { expected: unknown[] };
  startTime?: number;
  sockets: {
    url: string;
    params: { headers: Record<string, string> };
    socket: {
      sent: string[];
      timers: { handler: () => void; ms: number; every?: boolean }[];
      closed: boolean;
    };
    handlers: Record<string, (data?: string) => void>;
  }[];
  request: (method: string, url: string, params: K6Stub['requests'][number]['params']) => unknown;
}

/** Transpiles a script and the library into a fresh directory (fresh module state: one VU) and imports the script. */
async function loadScript(
  name: string,
  source: string,
): Promise<{ default: () => void; options: { scenarios: Record<string, Record<string, unknown>> } }> {
  const dir = mkdtempSync(join(tmp, 'vu-'));
  mkdirSync(join(dir, 'lib'));
  const transpile = (text: string) =>
    ts
      .transpileModule(text, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      })
      .outputText.replace(
        /from '(k6\/[a-z]+)'/g,
        (_, m: string) => `from '${pathToFileURL(join(dir, `${m.replace('/', '-')}.mjs`))}'`,
      )
      .replace("from './lib/gateproof.ts'", "from './lib/gateproof.mjs'")
      .replace("from './lib/websocket.ts'", "from './lib/websocket.mjs'")
      .replace("from './gateproof.ts'", "from './gateproof.mjs'");
  for (const [module, text] of Object.entries(SHIMS))
    writeFileSync(join(dir, `${module.replace('/', '-')}.mjs`), text);
  writeFileSync(
    join(dir, 'lib', 'gateproof.mjs'),
    transpile(readFileSync(join(K6_DIR, 'lib', 'gateproof.ts'), 'utf8')),
  );
  writeFileSync(
    join(dir, 'lib', 'websocket.mjs'),
    transpile(readFileSync(join(K6_DIR, 'lib', 'websocket.ts'), 'utf8')),
  );
  writeFileSync(join(dir, `${name}.mjs`), transpile(source));
  return import(pathToFileURL(join(dir, `${name}.mjs`)).href);
}

const k6 = (): K6Stub => (globalThis as unknown as { k6: K6Stub }).k6;
const ENV = {
  GATEPROOF_BASE_URL: 'https://gw.example.com/',
  GATEPROOF_STAGE: 'prod',
  GATEPROOF_RUN_TAG: 'r1',
};

function stub(respond: K6Stub['request']): void {
  (globalThis as unknown as { k6: K6Stub }).k6 = {
    iteration: 0,
    requests: [],
    metrics: [],
    sockets: [],
    request: respond,
  };
}

test('the exported invalidation script in a stand-in k6: keys, weights, a SigV4 invalidator the verifier accepts, hits tagged', async () => {
  const scenario = SCENARIOS.find((s) => s.id === 'cache-invalidation-visibility');
  assert.ok(scenario);
  const credentials = { id: 'AKIDEXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  (globalThis as unknown as { __ENV: Record<string, string> }).__ENV = {
    ...ENV,
    GATEPROOF_INVALIDATOR_ACCESS_KEY_ID: credentials.id,
    GATEPROOF_INVALIDATOR_SECRET_ACCESS_KEY: credentials.secret,
    GATEPROOF_INVALIDATOR_REGION: 'eu-west-1',
  };
  // The origin's version moves on whenever a request bypasses the cache (the invalidator's does).
  let version = 7;
  stub((_method, _url, params) => {
    if (params.headers['Cache-Control'] === 'max-age=0') version++;
    return {
      status: 200,
      headers: { 'X-Gp-Version': String(version) },
      body: '{}',
      timings: { duration: 12.5 },
    };
  });
  const script = await loadScript(scenario.id, readFileSync(join(K6_DIR, `${scenario.id}.ts`), 'utf8'));
  for (let i = 0; i < 1000; i++) {
    k6().iteration = i;
    script.default();
  }
  const { requests, metrics } = k6();
  assert.equal(requests.length, 1000);
  assert.ok(
    requests.every((r) => r.url === 'https://gw.example.com/prod/cached?id=gp-r1-0'),
    requests[0]?.url,
  );
  const invalidations = requests.filter((r) => r.params.headers['Cache-Control'] === 'max-age=0');
  assert.ok(invalidations.length >= 9 && invalidations.length <= 11, `${invalidations.length} invalidations`);
  assert.deepEqual(invalidations[0]?.params.tags, { name: 'cached /cached', role: 'invalidator' });

  const now = Date.now();
  const verify = createSigV4Verifier({
    credentials: new Map([
      [
        credentials.id,
        {
          secretAccessKey: credentials.secret,
          arn: 'arn:aws:iam::123456789012:user/invalidator',
          policy: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
      ],
    ]),
    region: 'eu-west-1',
    now: () => now,
  });
  const signed = invalidations[0]!;
  const verdict = verify({
    method: 'GET',
    path: '/prod/cached',
    query: 'id=gp-r1-0',
    headers: { host: 'gw.example.com', ...signed.params.headers },
    body: new Uint8Array(),
  });
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.equal(
    requests.filter((r) => r.params.headers.authorization).length,
    invalidations.length,
    'only invalidations are signed',
  );

  const tagged = metrics.filter((m) => m.name === 'gateproof_cache_latency');
  assert.equal(tagged.length, 1000);
  // Every fresh version is a miss once; a version already seen is a hit.
  assert.equal(tagged.filter((m) => m.tags.cache === 'miss').length, invalidations.length + 1);
  assert.ok(tagged.every((m) => m.value === 12.5));
  assert.deepEqual(k6().callback, { expected: [{ min: 200, max: 399 }] });
});

test('a throttle script fits its rates to GATEPROOF_PLAN_RATE and waits for the bucket; without a base URL it aborts', async () => {
  const source = readFileSync(join(K6_DIR, 'throttle-steady.ts'), 'utf8');
  (globalThis as unknown as { __ENV: Record<string, string> }).__ENV = {
    ...ENV,
    GATEPROOF_API_KEY: 'key-valid',
    GATEPROOF_PLAN_RATE: '50',
    GATEPROOF_PLAN_BURST: '100',
  };
  stub(() => ({ status: 429, headers: {}, body: null, timings: { duration: 1 } }));
  const script = await loadScript('throttle-steady', source);
  const fitted = script.options.scenarios['throttle-steady']!;
  assert.equal(fitted.rate, 100, 'written at twice a 200/s plan: twice 50/s');
  assert.equal(fitted.preAllocatedVUs, 50);
  assert.equal(fitted.startTime, '3000ms');
  assert.deepEqual(k6().callback, { expected: [{ min: 200, max: 399 }, 429] });
  script.default();
  assert.equal(k6().requests[0]?.url, 'https://gw.example.com/prod/throttled');
  assert.deepEqual(k6().requests[0]?.params.headers, { 'x-api-key': 'key-valid' });
  assert.equal(source.includes('key-valid'), false);

  (globalThis as unknown as { __ENV: Record<string, string> }).__ENV = {};
  const bare = await loadScript('throttle-steady', source);
  assert.throws(() => bare.default(), /aborted: GATEPROOF_BASE_URL is not set/);
});

test('the exported WebSocket script in a stand-in k6: admitted as $connect wants, round trips and pushes timed, pushes SigV4-signed as the verifier accepts', async () => {
  const credentials = { id: 'AKIDEXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  (globalThis as unknown as { __ENV: Record<string, string> }).__ENV = {
    GATEPROOF_WS_URL: 'wss://ws.example.com/prod',
    GATEPROOF_WS_TOKEN: 'allow-me',
    GATEPROOF_API_KEY: 'key-valid',
    GATEPROOF_WS_CONNECTIONS_URL: 'https://ws.example.com/prod/@connections',
    GATEPROOF_WS_MANAGER_ACCESS_KEY_ID: credentials.id,
    GATEPROOF_WS_MANAGER_SECRET_ACCESS_KEY: credentials.secret,
    GATEPROOF_WS_REGION: 'eu-west-1',
  };
  stub(() => ({ status: 200, headers: {}, body: '', timings: { duration: 3 } }));
  const startTime = Date.now();
  k6().startTime = startTime;
  const script = await loadScript(
    'websocket-connections',
    readFileSync(join(K6_DIR, 'websocket-connections.ts'), 'utf8'),
  );
  script.default();
  const [connection] = k6().sockets;
  assert.ok(connection);
  assert.equal(connection.url, 'wss://ws.example.com/prod?token=allow-me');
  assert.deepEqual(connection.params.headers, { 'x-api-key': 'key-valid' });
  connection.handlers.open?.();
  const { timers, sent } = connection.socket;
  const messages = timers.find((t) => t.every && t.ms === 1000);
  const close = timers.at(-1);
  assert.ok(messages && close);
  // Every connection closes at the end of the arrivals (2 s) plus the hold (4 s), counted from the
  // test's start: less what loading the script took, which a busy machine makes long.
  const elapsed = Date.now() - startTime;
  assert.ok(close.ms >= 6000 - elapsed && close.ms <= 6000, `closes after ${close.ms} ms, ${elapsed} ms in`);
  messages.handler();
  assert.deepEqual(sent, ['{"action":"echo","seq":0}']);
  connection.handlers.message?.(
    JSON.stringify({ route: '/ws/echo', headers: { 'x-gp-connection-id': 'Ab1+/cD2eF3g=' }, body: sent[0] }),
  );
  timers.find((t) => !t.every && t !== close)?.handler();
  const push = k6().requests[0];
  assert.ok(push);
  assert.equal(push.method, 'POST');
  assert.equal(push.url, 'https://ws.example.com/prod/@connections/Ab1%2B%2FcD2eF3g%3D');
  const now = Date.now();
  const verify = createSigV4Verifier({
    credentials: new Map([
      [
        credentials.id,
        {
          secretAccessKey: credentials.secret,
          arn: 'arn:aws:iam::123456789012:user/manager',
          policy: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
      ],
    ]),
    region: 'eu-west-1',
    now: () => now,
  });
  const verdict = verify({
    method: 'POST',
    path: '/prod/@connections/Ab1%2B%2FcD2eF3g%3D',
    query: '',
    headers: { host: 'ws.example.com', ...push.params.headers },
    body: new TextEncoder().encode('{"gpPush":0}'),
  });
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  connection.handlers.message?.('{"gpPush":0}');
  const names = k6().metrics.map((m) => m.name);
  assert.deepEqual(names.sort(), ['ws_connect_failed', 'ws_push', 'ws_roundtrip']);
  assert.equal(k6().metrics.find((m) => m.name === 'ws_connect_failed')?.value, false);
});

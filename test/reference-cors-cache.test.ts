import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { signRequest } from '../src/auth/sigv4-sign.js';
import { servesGateproofPage } from '../src/probe/page-origin.js';
import type { Echo } from '../src/probe/protocol.js';
import { type Probe, startProbe } from '../src/probe/server.js';
import { ManualClock } from '../src/reference/clock.js';
import { type GatewayConfigInput, parseGatewayConfig } from '../src/reference/config.js';
import { type ReferenceGateway, startReferenceGateway } from '../src/reference/server.js';
import { type ReferenceStack, startReferenceStack } from '../src/reference/stack.js';
import type { Results } from '../src/results/model.js';
import { UsageError } from '../src/usage-error.js';
import { BrowserHost } from '../suites/browser-pages.js';
import { gateproof } from './helpers/cli.js';

let nonces = 0;
const nonce = () => `cc-${process.pid}-${++nonces}`;

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string | string[]> } = {},
) {
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers });
  const text = await res.body.text();
  const version = text.startsWith('{') ? (JSON.parse(text) as Partial<Echo>).version : undefined;
  return { status: res.statusCode, headers: res.headers, text, version };
}

const preflight = (origin: string, method = 'GET') => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': method },
});

describe('reference gateway, REST-style CORS (an OPTIONS method with a mock integration)', () => {
  let stack: ReferenceStack;
  let base: string;
  before(async () => {
    stack = await startReferenceStack({ corsStyle: 'rest' });
    base = `${stack.gatewayUrl}/test`;
  });
  after(() => stack.close());

  it('answers a preflight on an existing resource with the mock: 200 and the configured headers', async () => {
    const res = await call(`${base}/keyed`, preflight('https://app.example.com'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(res.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(res.headers['access-control-max-age'], '600');
    assert.equal(res.headers.vary, 'Origin');
  });

  it('routes OPTIONS like any method: an unknown resource is 403 Missing Authentication Token', async () => {
    const res = await call(`${base}/nowhere`, preflight('https://app.example.com'));
    assert.equal(res.status, 403);
    assert.deepEqual(JSON.parse(res.text), { message: 'Missing Authentication Token' });
  });

  it('answers an OPTIONS that is no preflight with the mock too, without CORS headers for no Origin', async () => {
    const res = await call(`${base}/open`, { method: 'OPTIONS' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it('passes the cors suite, browser cases included, as a url target serving its own pages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-rest-cors-'));
    const file = join(dir, 'target.json');
    // JSON is YAML; a test profile may hold its secrets inline.
    writeFileSync(file, JSON.stringify({ ...stack.profile, kind: 'url', name: 'reference-rest-cors' }));
    const out = join(dir, 'out');
    const result = await gateproof(['run', '--target', file, '--suites', 'cors', '--no-load', '--out', out]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const odd = results.cases
      .filter((c) => c.status !== 'pass')
      .map((c) => `${c.id}: ${c.status} ${c.message}`);
    assert.deepEqual(odd, []);
    assert.equal(result.code, 0);
  });
});

describe('reference gateway, HTTP-style CORS', () => {
  let stack: ReferenceStack;
  let base: string;
  before(async () => {
    stack = await startReferenceStack();
    base = `${stack.gatewayUrl}/test`;
  });
  after(() => stack.close());

  it('answers a preflight itself, before routing: 204 even for a resource the API lacks', async () => {
    const res = await call(`${base}/nowhere`, preflight('https://app.example.com'));
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
  });

  it("drops the backend's own CORS headers", async () => {
    const res = await call(`${base}/open?gpn=${nonce()}`, {
      headers: { origin: 'https://evil.example', 'x-gp-set-header': 'Access-Control-Allow-Origin: *' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it('serves the page origins the profile names, one of them allowed', async () => {
    const pages = stack.profile.cors?.pages;
    assert.ok(pages);
    assert.ok(stack.profile.cors?.allowOrigins.includes(pages.allowed));
    assert.ok(!stack.profile.cors?.allowOrigins.includes(pages.disallowed));
    for (const origin of [pages.allowed, pages.disallowed]) {
      const res = await call(`${origin}/`);
      assert.equal(res.headers['x-gateproof-page'], '1');
    }
  });
});

describe('reference gateway config: CORS and cache', () => {
  const base = { stage: { name: 'test' } };
  it('refuses allowCredentials with allowOrigins "*"', () => {
    assert.throws(
      () => parseGatewayConfig({ ...base, cors: { allowOrigins: ['*'], allowCredentials: true } }),
      (err: Error) =>
        err instanceof UsageError &&
        /cors\.allowCredentials: allowCredentials cannot be used/.test(err.message),
    );
  });

  it('refuses an origin pattern that is not an origin', () => {
    assert.throws(
      () => parseGatewayConfig({ ...base, cors: { allowOrigins: ['https://example.com/path'] } }),
      /cors\.allowOrigins\.0: an origin/,
    );
  });

  it('refuses a TTL over 3600 s', () => {
    assert.throws(
      () => parseGatewayConfig({ ...base, cache: { cacheTtlInSeconds: 3601 } }),
      /cache\.cacheTtlInSeconds: TTL is 0 to 3600 seconds/,
    );
  });
});

describe('reference gateway stage cache', () => {
  const clock = new ManualClock(Date.UTC(2024, 5, 1));
  const allowed = { accessKeyId: 'AKIAGATEPROOFCACHE01', secretAccessKey: 'allowed-secret' };
  const invoker = { accessKeyId: 'AKIAGATEPROOFCACHE02', secretAccessKey: 'invoker-secret' };
  let probe: Probe;
  let gateway: ReferenceGateway;
  let base: string;
  before(async () => {
    probe = await startProbe();
    const config: GatewayConfigInput = {
      stage: { name: 'test', variables: { probeUrl: probe.url } },
      iamCredentials: [
        {
          ...allowed,
          arn: 'arn:aws:iam::123456789012:user/allowed',
          policy: {
            Statement: [{ Effect: 'Allow', Action: 'execute-api:InvalidateCache', Resource: '*' }],
          },
        },
        {
          ...invoker,
          arn: 'arn:aws:iam::123456789012:user/invoker',
          policy: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] },
        },
      ],
      // No method settings: AWS's defaults, GET cached for 300 s, everything else not.
      cache: {},
    };
    gateway = await startReferenceGateway(config, { clock });
    base = `${gateway.url}/test`;
  });
  after(async () => {
    await gateway.close();
    await probe.close();
  });

  const signed = (url: string, credentials: typeof allowed, method = 'GET', service = 'execute-api') =>
    signRequest({
      method,
      url,
      headers: method === 'GET' ? { 'cache-control': 'max-age=0' } : {},
      credentials,
      region: 'us-east-1',
      service,
      date: new Date(clock.now()),
    }).headers;

  it('caches every GET by default, for 300 s', async () => {
    const url = `${base}/open?gpn=${nonce()}`;
    const first = await call(url);
    assert.equal(
      (await call(`${base}/open?gpn=${nonce()}`)).version,
      first.version,
      'no key parameters: one entry',
    );
    clock.advance(299_000);
    assert.equal((await call(url)).version, first.version);
    clock.advance(1_000);
    assert.notEqual((await call(url)).version, first.version);
  });

  it('does not cache POST by default', async () => {
    const url = `${base}/open?gpn=${nonce()}`;
    const first = await call(url, { method: 'POST' });
    assert.notEqual((await call(url, { method: 'POST' })).version, first.version);
  });

  it('refreshes only for a caller whose policy allows execute-api:InvalidateCache', async () => {
    const url = `${base}/cached?id=${nonce()}`;
    const first = await call(url);
    const denied = await call(url, { headers: signed(url, invoker) });
    assert.equal(denied.version, first.version, 'an Invoke-only caller is served from the cache');
    assert.match(String(denied.headers.warning), /^199 /);
    const refreshed = await call(url, { headers: signed(url, allowed) });
    assert.notEqual(refreshed.version, first.version);
    assert.equal(refreshed.headers.warning, undefined);
  });

  it('flushes the stage cache only for a request signed for apigateway', async () => {
    const url = `${base}/cached?id=${nonce()}`;
    const first = await call(url);
    const flushUrl = `${gateway.url}/restapis/gateproof/stages/test/cache/data`;
    const unsigned = await call(flushUrl, { method: 'DELETE' });
    assert.equal(unsigned.status, 403);
    assert.equal((await call(url)).version, first.version, 'a refused flush leaves the cache');
    const wrongService = await call(flushUrl, {
      method: 'DELETE',
      headers: signed(flushUrl, allowed, 'DELETE'),
    });
    assert.equal(wrongService.status, 403);
    const flushed = await call(flushUrl, {
      method: 'DELETE',
      headers: signed(flushUrl, allowed, 'DELETE', 'apigateway'),
    });
    assert.equal(flushed.status, 202);
    assert.notEqual((await call(url)).version, first.version);
  });
});

describe('browser page origins for a url target', () => {
  const freePort = () =>
    new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });

  it('serves the page on an origin nobody serves, reuses one already served, and stops at close', async () => {
    const host = new BrowserHost(() => Promise.reject(new Error('no browser in this test')));
    const origin = `http://127.0.0.1:${await freePort()}`;
    assert.equal(await servesGateproofPage(origin), false);
    await host.serve(origin);
    assert.equal(await servesGateproofPage(origin), true);
    const other = new BrowserHost(() => Promise.reject(new Error('no browser in this test')));
    await other.serve(origin);
    await other.close();
    assert.equal(
      await servesGateproofPage(origin),
      true,
      "the second host did not take over the first's origin",
    );
    await host.close();
    assert.equal(await servesGateproofPage(origin), false);
  });

  it('says which port is taken when something else holds the origin', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const origin = `http://127.0.0.1:${(blocker.address() as { port: number }).port}`;
    const host = new BrowserHost(() => Promise.reject(new Error('no browser in this test')));
    await assert.rejects(host.serve(origin), (err: Error) =>
      err.message.startsWith(`[setup_fail] cannot serve the browser page at ${origin}: listen EADDRINUSE`),
    );
    await host.close();
    blocker.close();
  });
});

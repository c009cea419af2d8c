import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { Echo } from '../src/probe/protocol.js';
import { startProbe } from '../src/probe/server.js';
import { startReferenceGateway } from '../src/reference/server.js';
import { type ReferenceStack, startReferenceStack } from '../src/reference/stack.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let nonces = 0;
const nonce = () => `gw-${process.pid}-${++nonces}`;

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

describe('reference gateway', () => {
  let stack: ReferenceStack;
  let base: string;
  before(async () => {
    stack = await startReferenceStack();
    base = `${stack.gatewayUrl}/test`;
  });
  after(() => stack.close());
  const keys = () => stack.profile.apiKeys!;

  it('resolves a full profile', () => {
    const { profile } = stack;
    assert.equal(profile.kind, 'reference');
    assert.equal(profile.vendor, 'gateproof');
    assert.match(profile.version, /^\d+\.\d+\.\d+/);
    assert.equal(profile.baseUrl, stack.gatewayUrl);
    assert.equal(profile.stage, 'test');
    assert.equal(profile.profile, 'aws');
    for (const feature of ['apikey', 'quota', 'throttle', 'cors', 'cors-browser', 'cache'] as const) {
      assert.ok(profile.features.includes(feature), feature);
    }
    assert.equal(profile.probe?.url, stack.probeUrl);
    assert.deepEqual(profile.plans.tinyQuota?.quota, { limit: 5, period: 'DAY', offset: 0 });
    const { valid, other, disabled, otherStage, quota, quotaPair } = keys();
    const all = [valid, other, disabled, otherStage, ...quota, ...(quotaPair ?? [])];
    assert.equal(quota.length, 10);
    assert.equal(quotaPair?.length, 2);
    assert.equal(new Set(all).size, all.length);
    for (const key of all) assert.match(key ?? '', /^(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9]{40}$/);
  });

  it('proxies to the integration without the stage prefix, with query, headers and body', async () => {
    const n = nonce();
    const res = await call(`${base}/open?gpn=${n}&a=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'c' },
      body: '{"hello":1}',
    });
    assert.equal(res.status, 200);
    const echo = res.json() as unknown as Echo;
    assert.equal(echo.route, '/open');
    assert.equal(echo.path, `/open?gpn=${n}&a=1`);
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body, '{"hello":1}');
    assert.equal(echo.headers['x-custom'], 'c');
    assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(res.headers['x-gp-version'], String(echo.version));
    assert.match(String(res.headers['x-amzn-requestid']), UUID);
    assert.ok(res.headers['x-amz-apigw-id']);
    assert.equal(res.headers['x-amzn-errortype'], undefined);
    assert.equal(stack.probe!.counters(n).count, 1);
  });

  it('relays the integration status and drops hop-by-hop headers', async () => {
    const res = await call(`${base}/open`, { headers: { 'x-gp-status': '503' } });
    assert.equal(res.status, 503);
    assert.equal(res.headers['x-amzn-errortype'], undefined);
    const echo = await new Promise<Echo>((resolve, reject) => {
      const req = httpRequest(
        `${base}/open`,
        { headers: { connection: 'keep-alive, x-hop', 'x-hop': '1' } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve(JSON.parse(text) as Echo));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(echo.headers['x-hop'], undefined);
  });

  const missingToken = [
    ['an unknown path', '/nope', 'GET'],
    ['an unknown method', '/open', 'DELETE'],
    ['another stage', '/../prod/open', 'GET'],
    ['the stage root', '', 'GET'],
  ] as const;
  for (const [what, path, method] of missingToken) {
    it(`answers ${what} with 403 Missing Authentication Token`, async () => {
      const n = nonce();
      const res = await call(`${base}${path}?gpn=${n}`, { method });
      assert.equal(res.status, 403);
      assert.deepEqual(res.json(), { message: 'Missing Authentication Token' });
      assert.equal(res.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
      assert.match(String(res.headers['x-amzn-requestid']), UUID);
      assert.equal(stack.probe!.counters(n).count, 0);
    });
  }

  const forbidden: [string, () => Record<string, string>, () => string][] = [
    ['no key', () => ({}), () => ''],
    ['an empty key', () => ({ 'x-api-key': '' }), () => ''],
    ['an unknown key', () => ({ 'x-api-key': 'A'.repeat(40) }), () => ''],
    ['a disabled key', () => ({ 'x-api-key': keys().disabled! }), () => ''],
    ["a key from another stage's plan", () => ({ 'x-api-key': keys().otherStage! }), () => ''],
    ['a wrongly-cased key', () => ({ 'x-api-key': swapCase(keys().valid) }), () => ''],
    ['a key in the query string', () => ({}), () => `&x-api-key=${keys().valid}&api_key=${keys().valid}`],
  ];
  for (const [what, headers, query] of forbidden) {
    it(`refuses ${what} with 403 Forbidden and never reaches the integration`, async () => {
      const n = nonce();
      const res = await call(`${base}/keyed?gpn=${n}${query()}`, { headers: headers() });
      assert.equal(res.status, 403);
      assert.deepEqual(res.json(), { message: 'Forbidden' });
      assert.equal(res.headers['x-amzn-errortype'], 'ForbiddenException');
      assert.equal(res.headers['content-type'], 'application/json');
      assert.match(String(res.headers['x-amzn-requestid']), UUID);
      assert.ok(res.headers['x-amz-apigw-id']);
      assert.equal(stack.probe!.counters(n).count, 0);
    });
  }

  it('accepts a valid key whatever the case of the header name', async () => {
    for (const name of ['x-api-key', 'X-API-Key', 'X-API-KEY']) {
      const n = nonce();
      const res = await call(`${base}/keyed?gpn=${n}`, { headers: { [name]: keys().valid } });
      assert.equal(res.status, 200, name);
      assert.equal(stack.probe!.counters(n).count, 1);
    }
    assert.equal((await call(`${base}/keyed`, { headers: { 'x-api-key': keys().other! } })).status, 200);
  });

  it('lets a method without apiKeyRequired through with or without a key', async () => {
    assert.equal((await call(`${base}/open`)).status, 200);
    assert.equal((await call(`${base}/open`, { headers: { 'x-api-key': 'A'.repeat(40) } })).status, 200);
  });

  it('never lets a method through whose authorizer it cannot run', async () => {
    const n = nonce();
    const res = await call(`${base}/iam?gpn=${n}`);
    assert.ok(res.status >= 400);
    assert.equal(stack.probe!.counters(n).count, 0);
  });

  it('answers 429 Limit Exceeded once the quota is used, and stays so', async () => {
    const key = keys().quota[0]!;
    const statuses = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await call(`${base}/quota`, { headers: { 'x-api-key': key } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const res = await call(`${base}/quota`, { headers: { 'x-api-key': key } });
    assert.deepEqual(res.json(), { message: 'Limit Exceeded' });
    assert.equal(res.headers['x-amzn-errortype'], 'LimitExceededException');
    assert.match(String(res.headers['x-amzn-requestid']), UUID);
  });

  it('admits exactly the limit from a concurrent burst of twice the limit', async () => {
    const n = nonce();
    const key = keys().quota[1]!;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(`${base}/quota?gpn=${n}`, { headers: { 'x-api-key': key } })),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 5);
    assert.equal(results.filter((r) => r.status === 429).length, 5);
    assert.equal(stack.probe!.counters(n).count, 5);
  });

  it("keeps each key's quota apart, even on a shared plan", async () => {
    const [first, second] = keys().quotaPair!;
    for (let i = 0; i < 6; i++) await call(`${base}/quota`, { headers: { 'x-api-key': first! } });
    assert.equal((await call(`${base}/quota`, { headers: { 'x-api-key': second! } })).status, 200);
  });

  it('charges no quota for rejected requests or open routes', async () => {
    const key = keys().quota[2]!;
    for (let i = 0; i < 5; i++) {
      assert.equal((await call(`${base}/quota`, { headers: { 'x-api-key': swapCase(key) } })).status, 403);
      assert.equal((await call(`${base}/open`, { headers: { 'x-api-key': key } })).status, 200);
    }
    const statuses = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await call(`${base}/quota`, { headers: { 'x-api-key': key } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  });

  it('answers 413 for a body over 10 MB', async () => {
    const res = await call(`${base}/open`, { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    assert.equal(res.status, 413);
    assert.match(String(res.headers['x-amzn-requestid']), UUID);
  });
});

describe('reference gateway integration errors', () => {
  it('answers 504 Endpoint request timed out when the integration is too slow', async () => {
    const stack = await startReferenceStack({ integrationTimeoutMs: 200 });
    try {
      const res = await call(`${stack.gatewayUrl}/test/open`, { headers: { 'x-gp-delay-ms': '5000' } });
      assert.equal(res.status, 504);
      assert.deepEqual(res.json(), { message: 'Endpoint request timed out' });
      assert.match(String(res.headers['x-amzn-requestid']), UUID);
    } finally {
      await stack.close();
    }
  });

  it('answers 504 when the integration cannot be reached', async () => {
    const probe = await startProbe();
    await probe.close();
    const gateway = await startReferenceGateway({
      stage: { name: 'test', variables: { probeUrl: probe.url } },
    });
    try {
      const res = await call(`${gateway.url}/test/open`);
      assert.equal(res.status, 504);
      assert.equal(res.headers['x-amzn-errortype'], 'InternalServerErrorException');
    } finally {
      await gateway.close();
    }
  });

  it('refuses to start without the stage variables its integrations use', async () => {
    await assert.rejects(
      startReferenceGateway({ stage: { name: 'test' } }),
      /GET \/open: integration uri uses stage variable probeUrl, which is not set/,
    );
  });

  it('refuses an unknown fault, naming the known ones', async () => {
    await assert.rejects(
      startReferenceStack({ fault: 'nope' }),
      /unknown fault "nope"; known faults: .*quota-off-by-one/,
    );
  });
});

function swapCase(value: string): string {
  return [...value].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

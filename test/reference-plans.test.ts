import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { type Probe, startProbe } from '../src/probe/server.js';
import { ManualClock } from '../src/reference/clock.js';
import { type ReferenceGateway, startReferenceGateway } from '../src/reference/server.js';
import { type ReferenceStack, startReferenceStack } from '../src/reference/stack.js';

const DAY = 86_400_000;

async function status(url: string, key?: string) {
  const res = await request(url, { headers: key === undefined ? {} : { 'x-api-key': key } });
  const text = await res.body.text();
  return { status: res.statusCode, errorType: res.headers['x-amzn-errortype'], body: text };
}

async function statuses(url: string, key: string | undefined, count: number): Promise<number[]> {
  const seen = [];
  for (let i = 0; i < count; i++) seen.push((await status(url, key)).status);
  return seen;
}

describe('usage plans on the reference stack (injected clock)', () => {
  const clock = new ManualClock(Date.UTC(2024, 4, 10, 12));
  let stack: ReferenceStack;
  let base: string;
  before(async () => {
    stack = await startReferenceStack({
      clock,
      throttle: { rateLimit: 1, burstLimit: 2 },
      methodThrottle: { rateLimit: 10, burstLimit: 3 },
    });
    base = `${stack.gatewayUrl}/test`;
  });
  after(() => stack.close());

  it('throttles a method with its own bucket per key, with the AWS throttle response', async () => {
    const { valid, other } = stack.profile.apiKeys!;
    assert.deepEqual(await statuses(`${base}/throttled`, valid, 4), [200, 200, 200, 429]);
    const throttled = await status(`${base}/throttled`, valid);
    assert.equal(throttled.status, 429);
    assert.deepEqual(JSON.parse(throttled.body), { message: 'Too Many Requests' });
    assert.equal(throttled.errorType, 'TooManyRequestsException');
    assert.deepEqual(await statuses(`${base}/throttled`, other, 3), [200, 200, 200]);
    clock.advance(100);
    assert.deepEqual(await statuses(`${base}/throttled`, valid, 2), [200, 429]);
  });

  it("throttles other methods with the plan's bucket, apart from the method's", async () => {
    const { valid } = stack.profile.apiKeys!;
    assert.deepEqual(await statuses(`${base}/keyed`, valid, 3), [200, 200, 429]);
    clock.advance(1000);
    assert.deepEqual(await statuses(`${base}/keyed`, valid, 2), [200, 429]);
  });

  it('bypasses the plan on a method without apiKeyRequired', async () => {
    assert.deepEqual(
      await statuses(`${base}/open`, stack.profile.apiKeys!.valid, 5),
      [200, 200, 200, 200, 200],
    );
  });

  it('renews the quota in the next period', async () => {
    const key = stack.profile.apiKeys!.quota[0]!;
    assert.deepEqual(await statuses(`${base}/quota`, key, 6), [200, 200, 200, 200, 200, 429]);
    clock.set(Date.UTC(2024, 4, 10, 23, 59, 59));
    assert.equal((await status(`${base}/quota`, key)).status, 429);
    clock.set(Date.UTC(2024, 4, 11));
    assert.deepEqual(await statuses(`${base}/quota`, key, 6), [200, 200, 200, 200, 200, 429]);
  });
});

describe('usage plans from an explicit config', () => {
  const clock = new ManualClock(Date.UTC(2024, 4, 10, 12));
  const key = 'Kk'.repeat(10);
  let probe: Probe;
  let gateway: ReferenceGateway;
  before(async () => {
    probe = await startProbe();
    gateway = await startReferenceGateway(
      {
        stage: { name: 'beta', variables: { probeUrl: probe.url } },
        apiKeys: [{ id: 'k', value: key }],
        usagePlans: [
          {
            id: 'metered',
            apiStages: [{ stage: 'beta' }],
            throttle: { rateLimit: 1, burstLimit: 1 },
            quota: { limit: 3, period: 'WEEK', offset: 1 },
            apiKeyIds: ['k'],
          },
        ],
      },
      { clock },
    );
  });
  after(async () => {
    await gateway.close();
    await probe.close();
  });

  it('charges no quota for a throttled request, and takes the offset off the first period', async () => {
    const url = `${gateway.url}/beta/keyed`;
    assert.equal((await status(url, key)).status, 200);
    assert.equal((await status(url, key)).errorType, 'TooManyRequestsException');
    clock.advance(1000);
    assert.equal((await status(url, key)).status, 200);
    clock.advance(1000);
    assert.equal((await status(url, key)).errorType, 'LimitExceededException');
    clock.advance(7 * DAY);
    const seen = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      seen.push((await status(url, key)).status);
    }
    assert.deepEqual(seen, [200, 200, 200, 429]);
  });

  it('serves under its own stage name only', async () => {
    assert.equal((await status(`${gateway.url}/test/open`)).status, 403);
    assert.equal((await status(`${gateway.url}/beta/open`)).status, 200);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { Echo, ProbeCounters } from '../src/probe/protocol.js';
import { type Probe, startProbe } from '../src/probe/server.js';

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
  return { status: res.statusCode, headers: res.headers, text };
}

describe('probe', () => {
  let probe: Probe;
  before(async () => {
    probe = await startProbe();
  });
  after(() => probe.close());

  it('echoes what reached it with a fresh version each call', async () => {
    const first = await call(`${probe.url}/keyed?gpn=n1&a=b`, {
      method: 'POST',
      headers: { 'x-custom': 'yes', 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(first.status, 200);
    const echo = JSON.parse(first.text) as Echo;
    assert.equal(echo.route, '/keyed');
    assert.equal(echo.method, 'POST');
    assert.equal(echo.path, '/keyed?gpn=n1&a=b');
    assert.deepEqual(echo.query, { gpn: 'n1', a: 'b' });
    assert.equal(echo.headers['x-custom'], 'yes');
    assert.equal(echo.body, 'hello');
    assert.equal(echo.nonce, 'n1');
    assert.equal(first.headers['x-gp-version'], String(echo.version));

    const second = JSON.parse((await call(`${probe.url}/keyed`)).text) as Echo;
    assert.ok(second.version > echo.version);
    assert.equal(second.nonce, undefined);
    assert.equal(second.body, '');
  });

  it('takes the nonce from the x-gp-nonce header too', async () => {
    const echo = JSON.parse(
      (await call(`${probe.url}/cached`, { headers: { 'x-gp-nonce': 'n2' } })).text,
    ) as Echo;
    assert.equal(echo.nonce, 'n2');
  });

  it('counts per route and per nonce, and resets', async () => {
    probe.reset();
    await call(`${probe.url}/open?gpn=c1`);
    await call(`${probe.url}/open?gpn=c1`);
    await call(`${probe.url}/quota`, { headers: { 'x-gp-nonce': 'c1' } });
    const all = JSON.parse((await call(`${probe.url}/__probe/counters`)).text) as ProbeCounters;
    assert.deepEqual(all, { total: 3, routes: { '/open': 2, '/quota': 1 } });
    const byNonce = JSON.parse((await call(`${probe.url}/__probe/counters?nonce=c1`)).text) as ProbeCounters;
    assert.equal(byNonce.count, 3);
    assert.equal(byNonce.nonce, 'c1');
    assert.equal(probe.counters('none').count, 0);
    probe.reset();
    assert.deepEqual(probe.counters(), { total: 0, routes: {} });
  });

  it('answers with the requested status and still echoes', async () => {
    const res = await call(`${probe.url}/open?gpn=s1`, { headers: { 'x-gp-status': '503' } });
    assert.equal(res.status, 503);
    assert.equal((JSON.parse(res.text) as Echo).nonce, 's1');
  });

  it('refuses malformed control headers in one line', async () => {
    for (const [name, value] of [
      ['x-gp-status', '42'],
      ['x-gp-status', 'abc'],
      ['x-gp-delay-ms', '-1'],
      ['x-gp-pad-bytes', '1e3'],
    ] as const) {
      const res = await call(`${probe.url}/open`, { headers: { [name]: value } });
      assert.equal(res.status, 400, `${name}: ${value}`);
      assert.match(JSON.parse(res.text).error, new RegExp(name));
    }
  });

  it('delays on request', async () => {
    const started = performance.now();
    const res = await call(`${probe.url}/open`, { headers: { 'x-gp-delay-ms': '150' } });
    assert.equal(res.status, 200);
    assert.ok(performance.now() - started >= 140);
  });

  it('pads the answer to a chosen size', async () => {
    const echo = JSON.parse(
      (await call(`${probe.url}/open`, { headers: { 'x-gp-pad-bytes': '5000' } })).text,
    ) as Echo;
    assert.equal(echo.pad?.length, 5000);
  });

  it('refuses a body over 2 MiB with 413 and keeps serving', async () => {
    const res = await call(`${probe.url}/open`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024 + 1) });
    assert.equal(res.status, 413);
    assert.equal((await call(`${probe.url}/open`)).status, 200);
  });

  it('closes at once with a delayed answer pending', async () => {
    const other = await startProbe();
    const pending = call(`${other.url}/open`, { headers: { 'x-gp-delay-ms': '30000' } }).catch(
      (err: Error) => err,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await other.close();
    assert.ok(performance.now() - started < 1000);
    assert.ok((await pending) instanceof Error);
  });
});

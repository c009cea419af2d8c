import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type EngineResult, type LoadOptions, type RequestSpec, runLoad } from '../src/load/engine.js';
import { requestBytes } from '../src/load/request-bytes.js';
import type { Scenario } from '../src/load/scenario.js';

/** What the scripted server answers, by path: each a way a gateway can answer, or fail to. */
const ANSWERS: Record<string, (socket: Socket) => void> = {
  '/length': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Tag: hit\r\n\r\nok'),
  // Two writes, so that the answer can come in two reads; at once, so pipelined answers stay whole.
  '/chunked': (s) => {
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok');
    s.write('\r\n0\r\n\r\n');
  },
  '/close': (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'),
  '/until-close': (s) => s.end('HTTP/1.1 200 OK\r\n\r\nall of it'),
  '/continue': (s) => s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'),
  '/reset': (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    setTimeout(() => s.resetAndDestroy(), 2);
  },
  '/garbage': (s) => s.write('SSH-2.0-OpenSSH_9.6\r\n\r\n'),
  '/twice': (s) =>
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
  '/hang': () => undefined,
  '/slow-body': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab'),
};

let server: Server;
let origin: string;
let connections = 0;

before(async () => {
  server = createServer((socket) => {
    connections++;
    let pending = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const path = pending.slice(0, end).split(' ')[1] ?? '';
        pending = pending.slice(end + 4);
        (ANSWERS[path] ?? ANSWERS['/garbage'])?.(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  origin = `http://127.0.0.1:${address.port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const scenario: Scenario = {
  id: 'raw',
  title: 'raw transport',
  kind: 'latency',
  load: { executor: 'constant-vus', vus: 2, duration: '200ms' },
  requests: [{ route: 'open' }],
};

function run(path: string, options: Partial<LoadOptions> = {}): Promise<EngineResult> {
  const spec = { method: 'GET', path, headers: {} };
  return runLoad({
    origin,
    scenario,
    resolveRequest: () => spec,
    limits: { maxDurationS: 5, maxRequests: 300 },
    transport: 'raw',
    timeoutMs: 300,
    gracefulStopS: 2,
    ...options,
  });
}

describe('raw transport', () => {
  test('complete answers are responses, however they are framed, and keep-alive sockets stay', async () => {
    for (const path of ['/length', '/chunked', '/continue']) {
      connections = 0;
      const result = await run(path);
      assert.equal(result.totals.errors, 0, `${path}: ${JSON.stringify(result.errorsByCode)}`);
      assert.ok(result.totals.responses > 10, `${path}: ${result.totals.responses}`);
      assert.equal(result.totals.responses, result.totals.sent);
      assert.ok(connections <= 2, `${path}: ${connections} connections for 2 VUs`);
    }
  });

  test('pipelined answers in one read or split across reads are each their request response', async () => {
    const load = { executor: 'constant-vus' as const, vus: 8, duration: '200ms' };
    for (const path of ['/length', '/chunked', '/continue']) {
      connections = 0;
      const result = await run(path, { scenario: { ...scenario, load }, pipelining: 4, connections: 2 });
      assert.equal(result.totals.errors, 0, `${path}: ${JSON.stringify(result.errorsByCode)}`);
      assert.equal(result.totals.responses, result.totals.sent, path);
      assert.ok(connections <= 2, `${path}: ${connections} connections`);
    }
    // Behind an answer that closes its socket, the requests pipelined after it fail.
    const closing = await run('/close', { scenario: { ...scenario, load }, pipelining: 4, connections: 2 });
    assert.ok(closing.totals.responses > 0);
    assert.deepEqual(Object.keys(closing.errorsByCode), ['UND_ERR_SOCKET']);
    assert.equal(closing.totals.responses + closing.totals.errors, closing.totals.sent);
  });

  test('Connection: close and a body read to the close are responses, each on a new socket', async () => {
    for (const path of ['/close', '/until-close']) {
      connections = 0;
      const result = await run(path);
      assert.equal(result.totals.errors, 0, `${path}: ${JSON.stringify(result.errorsByCode)}`);
      assert.ok(result.totals.responses > 5);
      assert.equal(connections, result.totals.sent, path);
    }
  });

  test('a reset, garbage or a second answer is that request error; the socket is reopened', async () => {
    // A reset reads as a reset, or as the close of a cut answer, as the kernel delivers it.
    const cases: [string, string[]][] = [
      ['/reset', ['ECONNRESET', 'UND_ERR_SOCKET']],
      ['/garbage', ['HPE_INVALID_STATUS']],
    ];
    for (const [path, codes] of cases) {
      connections = 0;
      const result = await run(path);
      assert.equal(result.totals.responses, 0, path);
      assert.ok(result.totals.errors > 2, `${path}: ${result.totals.errors}`);
      assert.ok(
        Object.keys(result.errorsByCode).every((code) => codes.includes(code)),
        path,
      );
      assert.equal(result.totals.errors + result.totals.interrupted, result.totals.sent);
      assert.ok(connections >= result.totals.errors, `${path}: ${connections} connections`);
    }
    connections = 0;
    const twice = await run('/twice');
    assert.equal(twice.totals.errors, 0);
    assert.equal(connections, twice.totals.sent, 'a socket that answered twice is not reused');
  });

  test('a server that hangs is a headers or body timeout, never a hang', async () => {
    for (const [path, code] of [
      ['/hang', 'UND_ERR_HEADERS_TIMEOUT'],
      ['/slow-body', 'UND_ERR_BODY_TIMEOUT'],
    ]) {
      const started = performance.now();
      const result = await run(path as string, {
        scenario: { ...scenario, load: { executor: 'constant-vus', vus: 2, duration: '50ms' } },
        timeoutMs: 150,
      });
      assert.deepEqual(result.errorsByCode, { [code as string]: 2 }, path);
      assert.ok(performance.now() - started < 1000);
    }
  });

  test('a refused connection is an error by its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await run('/length', { origin: `http://127.0.0.1:${port}` });
    assert.equal(result.totals.responses, 0);
    assert.ok(result.totals.errors > 0);
    assert.deepEqual(Object.keys(result.errorsByCode), ['ECONNREFUSED']);
  });

  test('requests on the wire as undici writes them; framing headers and broken values left to undici', () => {
    const wire = (spec: RequestSpec) => requestBytes(spec, 'h:1')?.toString('latin1');
    assert.equal(
      wire({ method: 'GET', path: '/a?b=1', headers: { 'X-K': 'v' } }),
      'GET /a?b=1 HTTP/1.1\r\nhost: h:1\r\nX-K: v\r\n\r\n',
    );
    assert.equal(
      wire({ method: 'POST', path: '/', headers: ['Host', 'h:1', 'a', 'b'], body: 'xyz' }),
      'POST / HTTP/1.1\r\nHost: h:1\r\na: b\r\ncontent-length: 3\r\n\r\nxyz',
    );
    assert.equal(
      wire({ method: 'PUT', path: '/' }),
      'PUT / HTTP/1.1\r\nhost: h:1\r\ncontent-length: 0\r\n\r\n',
    );
    const refused: RequestSpec[] = [
      { method: 'GET', path: '/', headers: { 'Transfer-Encoding': 'chunked' } },
      { method: 'GET', path: '/', headers: { Connection: 'close' } },
      { method: 'GET', path: '/', headers: { 'X-A': 'v\r\nX-B: injected' } },
      { method: 'GET', path: '/a b' },
      { method: 'GE T', path: '/' },
    ];
    for (const spec of refused) {
      assert.equal(wire(spec), undefined, JSON.stringify(spec));
    }
  });

  test('the raw transport is refused where it cannot go: https: origins', async () => {
    await assert.rejects(
      run('/length', { origin: 'https://127.0.0.1:1' }),
      /^Error: the raw transport takes http: origins only$/,
    );
  });

  test('classify() sees the same status, headers and body on either transport', async () => {
    const seen: Record<string, unknown[]> = { raw: [], undici: [] };
    for (const transport of ['raw', 'undici'] as const) {
      await run('/length', {
        transport,
        scenario: { ...scenario, load: { executor: 'constant-vus', vus: 1, duration: '30ms' } },
        classifyBodyBytes: 10,
        classify: (status, headers, body) => {
          seen[transport]?.push([status, headers, body]);
          return headers['x-tag'];
        },
      });
    }
    assert.ok((seen.raw?.length ?? 0) > 0);
    assert.deepEqual(seen.raw?.[0], seen.undici?.[0]);
    assert.deepEqual(seen.raw?.[0], [200, { 'content-length': '2', 'x-tag': 'hit' }, 'ok']);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INVALID, NEED_MORE, ResponseParser } from '../src/load/response-parser.js';

interface Parsed {
  status: number;
  headers: string[] | null;
  body: string;
  close: boolean;
  /** Bytes after the response's end. */
  rest: number;
}

/**
 * Feeds `wire` in the pieces `cuts` makes (offsets), each through a fresh copy in a larger
 * buffer, as a socket's reused read buffer holds it; returns the response or the error code.
 */
function parse(
  wire: string,
  cuts: number[] = [],
  o: { head?: boolean; eof?: boolean } = {},
): Parsed | string {
  const p = new ResponseParser(true, 1024);
  p.expect(o.head ?? false);
  const bytes = Buffer.from(wire, 'latin1');
  const edges = [0, ...cuts, bytes.length];
  const buffer = Buffer.alloc(bytes.length + 64, 10);
  for (let i = 0; i + 1 < edges.length; i++) {
    const n = bytes.copy(buffer, 0, edges[i], edges[i + 1]);
    const end = p.feed(buffer, 0, n);
    if (end === INVALID) return p.error;
    if (end !== NEED_MORE) {
      return {
        status: p.status,
        headers: p.headers,
        body: Buffer.concat(p.body ?? []).toString('latin1'),
        close: p.close,
        rest: n - end + (bytes.length - (edges[i + 1] as number)),
      };
    }
  }
  if (o.eof && p.end()) {
    return {
      status: p.status,
      headers: p.headers,
      body: Buffer.concat(p.body ?? []).toString(),
      close: true,
      rest: 0,
    };
  }
  return o.eof ? p.error : 'incomplete';
}

const ok = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

describe('response parser', () => {
  test('Content-Length, with raw headers as undici gives them', () => {
    assert.deepEqual(parse(ok('hello', 'X-Cache:  hit \r\n')), {
      status: 200,
      headers: ['Content-Length', '5', 'X-Cache', 'hit'],
      body: 'hello',
      close: false,
      rest: 0,
    });
  });

  test('every split of a response across reads parses the same', () => {
    const wires = [
      ok('hello', 'Connection: keep-alive\r\n'),
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n',
    ];
    for (const wire of wires) {
      const whole = parse(wire);
      assert.equal(typeof whole, 'object', String(whole));
      for (let cut = 1; cut < wire.length; cut++) {
        assert.deepEqual(parse(wire, [cut]), whole, `cut at ${cut}`);
      }
      // One byte per read.
      const bytes = Array.from({ length: wire.length - 1 }, (_, i) => i + 1);
      assert.deepEqual(parse(wire, bytes), whole);
    }
  });

  test('chunked bodies, 1xx heads skipped, HEAD and 204 without a body', () => {
    const chunked = parse(
      'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n',
    );
    assert.deepEqual(chunked, {
      status: 200,
      headers: ['Transfer-Encoding', 'gzip, chunked'],
      body: '0123456789',
      close: false,
      rest: 0,
    });
    const head = parse('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', [], { head: true });
    assert.equal((head as Parsed).status, 200);
    assert.equal((head as Parsed).rest, 0);
    assert.equal((parse('HTTP/1.1 204 No Content\r\n\r\n') as Parsed).status, 204);
  });

  test('Connection: close, HTTP/1.0 and a body without length close the connection', () => {
    assert.equal((parse(ok('x', 'Connection: Close\r\n')) as Parsed).close, true);
    assert.equal((parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n') as Parsed).close, true);
    assert.equal(
      (parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n') as Parsed).close,
      false,
    );
    const untilClose = parse('HTTP/1.1 200 OK\r\n\r\nall of it', [], { eof: true });
    assert.deepEqual(untilClose, { status: 200, headers: [], body: 'all of it', close: true, rest: 0 });
  });

  test('bytes after a complete response are left to the caller', () => {
    assert.equal((parse(`${ok('ab')}HTTP/1.1 200 OK\r\n`) as Parsed).rest, 17);
  });

  test('garbage is an error code, never a crash', () => {
    const cases: [string, string][] = [
      ['SSH-2.0-OpenSSH\r\n\r\n', 'HPE_INVALID_STATUS'],
      ['HTTP/1.1 2x0 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
      ['HTTP/2.0 200 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
      ['HTTP/1.1 200 OK\n\n', 'HPE_CR_EXPECTED'],
      ['HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
      ['HTTP/1.1 200 OK\r\n folded\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
      ['HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
      ['HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
      ['HTTP/1.1 200 O\x7fK\r\n\r\n', 'HPE_INVALID_STATUS'],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
      ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
      [
        'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
        'HPE_UNEXPECTED_CONTENT_LENGTH',
      ],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HPE_INVALID_CHUNK_SIZE'],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', 'HPE_STRICT'],
      ['HTTP/1.1 101 Switching Protocols\r\n\r\n', 'HPE_UNEXPECTED_UPGRADE'],
      [`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(17_000)}\r\n\r\n`, 'HPE_HEADER_OVERFLOW'],
    ];
    for (const [wire, code] of cases) {
      assert.equal(parse(wire), code, JSON.stringify(wire.slice(0, 60)));
      assert.equal(
        parse(wire, [Math.floor(wire.length / 2)]),
        code,
        `split: ${JSON.stringify(wire.slice(0, 60))}`,
      );
    }
    // An endless head without a line end is bounded too.
    assert.equal(
      parse(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(20_000)}`, [5000, 10_000, 15_000]),
      'HPE_HEADER_OVERFLOW',
    );
  });

  test('a connection closed early is an error: nothing at all, or a truncated answer', () => {
    assert.equal(parse('', [], { eof: true }), 'UND_ERR_SOCKET');
    assert.equal(
      parse('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc', [], { eof: true }),
      'UND_ERR_SOCKET',
    );
  });

  test('keeps at most keepBody bytes, and no headers unless asked', () => {
    const p = new ResponseParser(false, 3);
    p.expect(false);
    const wire = Buffer.from(ok('abcdef'));
    assert.equal(p.feed(wire, 0, wire.length), wire.length);
    assert.equal(p.headers, null);
    assert.equal(Buffer.concat(p.body ?? []).toString(), 'abc');
    // Reused for the next request on the same connection.
    p.expect(false);
    assert.equal(p.feed(wire, 0, wire.length), wire.length);
    assert.equal(p.bodyLength, 3);
  });
});
